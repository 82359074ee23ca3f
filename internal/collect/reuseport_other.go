//go:build unix && !linux

package collect

import "syscall"

const soReusePort = syscall.SO_REUSEPORT
