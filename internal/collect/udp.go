package collect

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// UDPConfig configures one UDP listener.
type UDPConfig struct {
	Addr string // host:port, e.g. ":2055"
	// Workers is the number of sockets bound to Addr with SO_REUSEPORT,
	// each read by its own goroutine. The kernel spreads exporters over
	// them by address and port, so one exporter stays on one worker and
	// its templates with it.
	Workers int
	// ReadBuffer is the socket receive buffer asked of the kernel
	// (SO_RCVBUF; capped by net.core.rmem_max).
	ReadBuffer int
}

// Validate checks the settings.
func (c UDPConfig) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("listen address %q: %w (write it as host:port or :port)", c.Addr, err)
	}
	if c.Workers < 1 || c.Workers > 256 {
		return fmt.Errorf("workers: %d is outside 1..256", c.Workers)
	}
	return nil
}

// UDPListener is a set of SO_REUSEPORT sockets on one address.
type UDPListener struct {
	conns []*net.UDPConn
	port  int
}

// ListenUDP opens the sockets.
func ListenUDP(ctx context.Context, cfg UDPConfig) (*UDPListener, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1) //nolint:gosec // a file descriptor fits in int
		})
		if err != nil {
			return err
		}
		return serr
	}}
	l := &UDPListener{}
	addr := cfg.Addr
	for range cfg.Workers {
		pc, err := lc.ListenPacket(ctx, "udp", addr)
		if err != nil {
			_ = l.Close()
			return nil, fmt.Errorf("listen on udp %s: %w", cfg.Addr, err)
		}
		conn := pc.(*net.UDPConn)
		if cfg.ReadBuffer > 0 {
			_ = conn.SetReadBuffer(cfg.ReadBuffer)
		}
		l.conns = append(l.conns, conn)
		if l.port == 0 {
			// Port 0 asks for any free port: the next sockets must share
			// the one the first got.
			l.port = conn.LocalAddr().(*net.UDPAddr).Port
			host, _, _ := net.SplitHostPort(cfg.Addr)
			addr = net.JoinHostPort(host, strconv.Itoa(l.port))
		}
	}
	return l, nil
}

// Addr returns the bound address.
func (l *UDPListener) Addr() net.Addr { return l.conns[0].LocalAddr() }

// Close closes the sockets; Serve returns.
func (l *UDPListener) Close() error {
	var errs []error
	for _, c := range l.conns {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Serve reads datagrams until the listener is closed or ctx ends. handle
// runs on the socket's own goroutine (worker is its index), so state kept
// per worker needs no lock; the datagram's payload is valid only during
// the call.
func (l *UDPListener) Serve(ctx context.Context, handle func(worker int, dg Datagram)) error {
	stop := context.AfterFunc(ctx, func() { _ = l.Close() })
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, len(l.conns))
	for i, c := range l.conns {
		wg.Go(func() {
			buf := make([]byte, 65535)
			local := c.LocalAddr().(*net.UDPAddr).AddrPort()
			for {
				n, src, err := c.ReadFromUDPAddrPort(buf)
				if err != nil {
					if !errors.Is(err, net.ErrClosed) {
						errs[i] = err
					}
					return
				}
				handle(i, Datagram{Time: time.Now(), Src: netip.AddrPortFrom(src.Addr().Unmap(), src.Port()), Dst: local, Payload: buf[:n]})
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// KernelDrops returns the datagrams the kernel dropped on the listener's
// port because the receive buffers were full (the drops column of
// /proc/net/udp and udp6); 0 where that file does not exist.
func (l *UDPListener) KernelDrops() uint64 {
	var total uint64
	for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		total += procUDPDrops(f, l.port)
	}
	return total
}

func procUDPDrops(path string, port int) uint64 {
	f, err := os.Open(path) //nolint:gosec // a fixed procfs path
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	want := fmt.Sprintf(":%04X", port)
	var total uint64
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Fields(sc.Text())
		if len(cols) < 13 || !strings.HasSuffix(cols[1], want) {
			continue
		}
		if n, err := strconv.ParseUint(cols[len(cols)-1], 10, 64); err == nil {
			total += n
		}
	}
	return total
}
