package syslog_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/collect/syslog"
)

func readAll(t *testing.T, in string, lines bool) ([]string, *syslog.Stats, error) {
	t.Helper()
	var st syslog.Stats
	r := syslog.NewReader(strings.NewReader(in), &st)
	r.Lines = lines
	var out []string
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, &st, nil
		}
		if err != nil {
			return out, &st, err
		}
		out = append(out, string(m))
	}
}

func TestFraming(t *testing.T) {
	long := strings.Repeat("x", syslog.MaxMessage+100)
	for _, c := range []struct {
		name, in string
		lines    bool
		want     []string
		trunc    uint64
	}{
		{"newline", "<34>Oct 11 22:14:15 mymachine su: a\n<35>b\r\n\nc", false, []string{"<34>Oct 11 22:14:15 mymachine su: a", "<35>b", "c"}, 0},
		{"octet counting", "5 <34>a6 <35>bc\n", false, []string{"<34>a", "<35>bc"}, 0},
		{"octet then newline", "4 <1>a<2>b\n", false, []string{"<1>a", "<2>b"}, 0},
		{"a line that starts with a number", "1525344856.899 16867 10.0.0.1 TCP_MISS/200\n", false, []string{"1525344856.899 16867 10.0.0.1 TCP_MISS/200"}, 0},
		{"digits and space, no PRI", "200 OK here\n", false, []string{"200 OK here"}, 0},
		{"file lines", "5 <34>a\n", true, []string{"5 <34>a"}, 0},
		{"long line cut", long + "\nnext\n", false, []string{long[:syslog.MaxMessage], "next"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, st, err := readAll(t, c.in, c.lines)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d messages %q, want %d", len(got), got, len(c.want))
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("message %d = %.60q, want %.60q", i, got[i], c.want[i])
				}
			}
			if st.Truncated.Load() != c.trunc {
				t.Errorf("truncated %d, want %d", st.Truncated.Load(), c.trunc)
			}
		})
	}
	// An octet count past the end of the stream is a framing error.
	if _, st, err := readAll(t, "50 <1>short", false); !errors.Is(err, syslog.ErrFrame) || st.FrameErrors.Load() != 1 {
		t.Errorf("short frame: err %v, frame errors %d", err, st.FrameErrors.Load())
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestServeStreamTLS: a sender over TLS with octet counting, and one
// over plain TCP with newlines, both delivered with their address.
func TestServeStreamTLS(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if useTLS {
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS12})
		}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var got []string
		var st syslog.Stats
		done := make(chan error, 1)
		go func() {
			done <- syslog.ServeStream(ctx, ln, 4, &st, func(src netip.Addr, msg []byte, _ time.Time) {
				mu.Lock()
				got = append(got, src.String()+" "+string(msg))
				mu.Unlock()
			})
		}()
		var c net.Conn
		if useTLS {
			c, err = tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // a test's self-signed certificate
		} else {
			c, err = net.Dial("tcp", ln.Addr().String())
		}
		if err != nil {
			t.Fatal(err)
		}
		payload := "<13>one\n<13>two\n"
		if useTLS {
			payload = "7 <13>one7 <13>two"
		}
		if _, err := io.Copy(c, bytes.NewBufferString(payload)); err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n == 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "127.0.0.1 <13>one" || got[1] != "127.0.0.1 <13>two" {
			t.Errorf("tls=%v: got %q", useTLS, got)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("5 <34>a6 <35>bc\n<1>x\n"), false)
	f.Add([]byte("99999999 <"), false)
	f.Add([]byte("line\r\n\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, lines bool) {
		var st syslog.Stats
		r := syslog.NewReader(bytes.NewReader(in), &st)
		r.Lines = lines
		for range len(in) + 1 {
			m, err := r.Next()
			if err != nil {
				return
			}
			if len(m) > syslog.MaxMessage {
				t.Fatalf("message of %d bytes", len(m))
			}
		}
		t.Fatalf("more messages than bytes")
	})
}
