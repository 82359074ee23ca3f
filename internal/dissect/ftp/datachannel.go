package ftp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// DataChannel is a data connection announced on the control connection.
type DataChannel struct {
	// Passive is true for PASV/EPSV: the client connects to the server at
	// Addr:Port. For PORT/EPRT the server connects to the client.
	Passive bool `json:"passive"`
	// Addr is the announced address; invalid for EPSV, which names only
	// a port on the control connection's server address.
	Addr netip.Addr `json:"addr"`
	Port uint16     `json:"port"`
}

// AddrPort returns the endpoint to expect, using server (the control
// connection's server address) when the announcement names no address.
func (d *DataChannel) AddrPort(server netip.Addr) netip.AddrPort {
	a := d.Addr
	if !a.IsValid() {
		a = server
	}
	return netip.AddrPortFrom(a, d.Port)
}

// hostPort parses "h1,h2,h3,h4,p1,p2" (RFC 959 PORT and 227 replies).
func hostPort(s string) (netip.Addr, uint16, error) {
	f := strings.Split(strings.TrimSpace(s), ",")
	if len(f) != 6 {
		return netip.Addr{}, 0, fmt.Errorf("ftp: host-port %.32q: %w", s, ErrMalformed)
	}
	var b [6]byte
	for i, x := range f {
		n, err := strconv.ParseUint(strings.TrimSpace(x), 10, 8)
		if err != nil {
			return netip.Addr{}, 0, fmt.Errorf("ftp: host-port %.32q: %w", s, ErrMalformed)
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4([4]byte(b[:4])), uint16(b[4])<<8 | uint16(b[5]), nil
}

func parsePORT(arg string) (*DataChannel, error) {
	a, p, err := hostPort(arg)
	if err != nil {
		return nil, err
	}
	return &DataChannel{Addr: a, Port: p}, nil
}

// parsePASV finds the host-port in a 227 text: "Entering Passive Mode
// (h1,h2,h3,h4,p1,p2)"; the parentheses are optional (RFC 1123 §4.1.2.6).
func parsePASV(text string) (*DataChannel, error) {
	start := strings.IndexFunc(text, func(r rune) bool { return r >= '0' && r <= '9' })
	if i := strings.IndexByte(text, '('); i >= 0 {
		start = i + 1
	}
	if start < 0 {
		return nil, fmt.Errorf("ftp: 227 without address: %w", ErrMalformed)
	}
	var end int
	if j := strings.IndexByte(text[start:], ')'); j >= 0 {
		end = start + j
	} else {
		end = start + len(strings.TrimRight(text[start:], ". "))
	}
	a, p, err := hostPort(text[start:end])
	if err != nil {
		return nil, err
	}
	return &DataChannel{Passive: true, Addr: a, Port: p}, nil
}

// parseEPRT parses "|af|addr|port|" (RFC 2428 §2); the delimiter is the
// first character.
func parseEPRT(arg string) (*DataChannel, error) {
	f, err := extended(arg)
	if err != nil {
		return nil, err
	}
	a, err := netip.ParseAddr(f[1])
	if err != nil {
		return nil, fmt.Errorf("ftp: eprt address %.48q: %w", f[1], ErrMalformed)
	}
	p, err := strconv.ParseUint(f[2], 10, 16)
	if err != nil {
		return nil, fmt.Errorf("ftp: eprt port %.16q: %w", f[2], ErrMalformed)
	}
	return &DataChannel{Addr: a.Unmap(), Port: uint16(p)}, nil
}

// parseEPSV parses a 229 text: "Entering Extended Passive Mode (|||port|)".
func parseEPSV(text string) (*DataChannel, error) {
	i := strings.IndexByte(text, '(')
	j := strings.LastIndexByte(text, ')')
	if i < 0 || j < i {
		return nil, fmt.Errorf("ftp: 229 without port: %w", ErrMalformed)
	}
	f, err := extended(text[i+1 : j])
	if err != nil {
		return nil, err
	}
	p, err := strconv.ParseUint(f[2], 10, 16)
	if err != nil {
		return nil, fmt.Errorf("ftp: epsv port %.16q: %w", f[2], ErrMalformed)
	}
	d := &DataChannel{Passive: true, Port: uint16(p)}
	if f[1] != "" {
		if a, err := netip.ParseAddr(f[1]); err == nil {
			d.Addr = a.Unmap()
		}
	}
	return d, nil
}

// extended splits "<d>af<d>addr<d>port<d>" into its three fields.
func extended(s string) ([3]string, error) {
	var out [3]string
	s = strings.TrimSpace(s)
	if len(s) < 4 || s[0] < 33 || s[0] > 126 {
		return out, fmt.Errorf("ftp: extended address %.48q: %w", s, ErrMalformed)
	}
	f := strings.Split(s[1:], s[:1])
	if len(f) != 4 || f[3] != "" {
		return out, fmt.Errorf("ftp: extended address %.48q: %w", s, ErrMalformed)
	}
	copy(out[:], f[:3])
	return out, nil
}
