// Package syslog receives log lines: from files, and from syslog senders
// over UDP (one message per datagram), TCP and TLS (RFC 6587 framing:
// octet counting "LEN MSG" or one message per line, told apart per
// message by its first byte, as rsyslog does). Lines are handed on as
// they came; the normalize package takes the syslog header apart.
package syslog

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// MaxMessage caps one message. A longer line is cut to this size and
// counted (Stats.Truncated); the rest of it is skipped.
const MaxMessage = 256 << 10

// Handler receives one message (valid only during the call) from src.
type Handler func(src netip.Addr, msg []byte, recv time.Time)

// Stats counts what the readers and listeners saw.
type Stats struct {
	Messages    atomic.Uint64
	Truncated   atomic.Uint64 // messages longer than MaxMessage, cut
	FrameErrors atomic.Uint64 // TCP streams ended by a bad octet count
	Conns       atomic.Uint64 // TCP and TLS connections accepted
}

// Reader splits a stream into messages: RFC 6587 octet-counted frames
// ("123 <34>1 ...") or lines ending in LF (a CR before it is dropped).
type Reader struct {
	br    *bufio.Reader
	buf   []byte
	stats *Stats
	// Lines reads newline-delimited text only (files), never octet
	// counts: a log line may start with digits and a space.
	Lines bool
}

// NewReader returns a Reader over r counting into st.
func NewReader(r io.Reader, st *Stats) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), stats: st}
}

// ErrFrame is a malformed octet count: the stream cannot be resynchronised.
var ErrFrame = errors.New("syslog: malformed octet-counted frame")

// Next returns the next message, valid until the next call; io.EOF at the
// end.
func (r *Reader) Next() ([]byte, error) {
	for {
		first, err := r.br.Peek(1)
		if err != nil {
			return nil, err
		}
		if !r.Lines && first[0] >= '1' && first[0] <= '9' {
			if msg, ok, err := r.octetCounted(); ok || err != nil {
				return msg, err
			}
		}
		msg, err := r.line()
		if err != nil && (len(msg) == 0 || !errors.Is(err, io.EOF)) {
			return nil, err
		}
		if len(msg) == 0 {
			continue // blank line
		}
		r.stats.Messages.Add(1)
		return msg, nil
	}
}

// octetCounted reads "LEN SP MSG" when the stream starts that way; ok is
// false (and nothing consumed) when it does not look like a count.
func (r *Reader) octetCounted() ([]byte, bool, error) {
	head, _ := r.br.Peek(11)
	n, digits := 0, 0
	for digits < len(head) && head[digits] >= '0' && head[digits] <= '9' {
		n = n*10 + int(head[digits]-'0')
		digits++
	}
	if digits == 0 || digits >= len(head) || head[digits] != ' ' || digits > 9 {
		return nil, false, nil
	}
	// "123 " followed by '<' (a PRI) is a frame; anything else is a line
	// that starts with a number.
	if len(head) > digits+1 && head[digits+1] != '<' {
		return nil, false, nil
	}
	if _, err := r.br.Discard(digits + 1); err != nil {
		return nil, true, err
	}
	keep := min(n, MaxMessage)
	if cap(r.buf) < keep {
		r.buf = make([]byte, keep)
	}
	r.buf = r.buf[:keep]
	if _, err := io.ReadFull(r.br, r.buf); err != nil {
		r.stats.FrameErrors.Add(1)
		return nil, true, fmt.Errorf("%w: %d bytes announced: %w", ErrFrame, n, err)
	}
	if n > keep {
		r.stats.Truncated.Add(1)
		if _, err := r.br.Discard(n - keep); err != nil {
			return nil, true, err
		}
	}
	r.stats.Messages.Add(1)
	return trimEOL(r.buf), true, nil
}

// line reads up to LF, keeping at most MaxMessage bytes.
func (r *Reader) line() ([]byte, error) {
	r.buf = r.buf[:0]
	over := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if room := MaxMessage - len(r.buf); room >= len(chunk) {
			r.buf = append(r.buf, chunk...)
		} else {
			r.buf = append(r.buf, chunk[:max(room, 0)]...)
			over = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if over {
			r.stats.Truncated.Add(1)
		}
		return trimEOL(r.buf), err
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	return b
}

// ServeStream accepts syslog connections on ln (TCP, or TLS when ln is a
// tls listener) until ctx ends, reading each on its own goroutine; at
// most maxConns at once (further ones wait to be accepted).
func ServeStream(ctx context.Context, ln net.Listener, maxConns int, st *Stats, h Handler) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	sem := make(chan struct{}, max(maxConns, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	defer func() {
		mu.Lock()
		for c := range open {
			_ = c.Close()
		}
		mu.Unlock()
	}()
	for {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		c, err := ln.Accept()
		if err != nil {
			<-sem
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		st.Conns.Add(1)
		mu.Lock()
		open[c] = true
		mu.Unlock()
		wg.Go(func() {
			defer func() {
				mu.Lock()
				delete(open, c)
				mu.Unlock()
				_ = c.Close()
				<-sem
			}()
			src := addrOf(c.RemoteAddr())
			if tc, ok := c.(*tls.Conn); ok {
				_ = tc.SetDeadline(time.Now().Add(30 * time.Second))
				if err := tc.HandshakeContext(ctx); err != nil {
					return
				}
				_ = tc.SetDeadline(time.Time{})
			}
			rd := NewReader(c, st)
			for {
				msg, err := rd.Next()
				if err != nil {
					return
				}
				h(src, msg, time.Now())
			}
		})
	}
}

func addrOf(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	case *net.UDPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}
