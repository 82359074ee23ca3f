package collect

// SO_REUSEPORT on Linux (asm-generic/socket.h); the syscall package
// does not name it.
const soReusePort = 0xf
