package tls

import (
	"encoding/json"
	"errors"
	"testing"
)

// maxFuzzInput caps fuzz inputs, as Prometheus' fuzzers do, so the
// fuzzer spends its time on structure rather than on huge buffers.
const maxFuzzInput = 256 << 10

func isSentinel(err error) bool {
	return errors.Is(err, ErrTruncated) || errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge)
}

// FuzzFeed feeds arbitrary bytes, split at a fuzzer-chosen stride, to
// both directions of a Session. It checks that nothing panics, that every
// error wraps a sentinel, that buffering stays bounded and that the result
// is JSON-encodable and proportionate to the input. The seeds are whole
// TLS streams of several kilobytes, whose minimisation stalls the fuzzer
// for minutes: run it with -fuzzminimizetime 200x.
func FuzzFeed(f *testing.F) {
	clients, servers := fixtureStreams(f)
	for i := range clients {
		f.Add(clients[i], uint8(0))
		f.Add(servers[i], uint8(7))
	}
	f.Add([]byte{recordHandshake, 3, 3, 0x40, 0x00, typeClientHello, 0x98, 0x96, 0x80}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, stride uint8) {
		if len(data) > maxFuzzInput {
			return
		}
		cfg := DefaultConfig()
		s, err := NewSession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		step := int(stride) + 1
		if stride == 0 {
			step = len(data) + 1
		}
		for _, p := range []*Parser{s.Client, s.Server} {
			for i := 0; i < len(data); i += step {
				err := p.Feed(data[i:min(i+step, len(data))])
				if err != nil && !isSentinel(err) {
					t.Fatalf("error without sentinel: %v", err)
				}
				if len(p.msg) > cfg.MaxMessageSize+4 {
					t.Fatalf("buffered %d bytes", len(p.msg))
				}
			}
		}
		out, err := json.Marshal(s.Handshake)
		if err != nil {
			t.Fatalf("handshake not JSON-encodable: %v", err)
		}
		if len(out) > 16*len(data)+8192 {
			t.Fatalf("output %d bytes for %d input bytes", len(out), len(data))
		}
	})
}

// FuzzClientHello parses arbitrary ClientHello bodies and fingerprints
// whatever parses.
func FuzzClientHello(f *testing.F) {
	clients, _ := fixtureStreams(f)
	for _, c := range clients {
		f.Add(firstHandshakeBody(f, c))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxFuzzInput {
			return
		}
		ch, err := ParseClientHello(body)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error without sentinel: %v", err)
			}
			return
		}
		if s, h := JA3(ch); s == "" || len(h) != 32 {
			t.Fatalf("JA3 %q %q", s, h)
		}
		if j := JA4(ch, false); len(j) != 36 {
			t.Fatalf("JA4 %q has length %d", j, len(j))
		}
		if sh, err := ParseServerHello(body); err == nil {
			_, _ = JA3S(sh)
			_ = JA4S(sh, true)
		} else if !isSentinel(err) {
			t.Fatalf("server hello error without sentinel: %v", err)
		}
	})
}
