package dns_test

import (
	"encoding/hex"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/dns"
)

// fuzzSeeds are real messages: a query and response from the corpus
// traces (see testdata/SOURCES.md) and a compression loop.
func fuzzSeeds(tb testing.TB) [][]byte {
	var out [][]byte
	for _, h := range []string{seedQuery, seedResponse, seedLoop} {
		b, err := hex.DecodeString(h)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzParse checks that no message panics the parser, that output stays
// bounded by the limits and that the TCP stream agrees with Parse.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	p, _ := dns.New(dns.DefaultConfig())
	var m dns.Message
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = p.Parse(data, &m)
		if len(m.Answers) > dns.DefaultConfig().MaxAnswers {
			t.Fatalf("%d answers", len(m.Answers))
		}
		for _, a := range m.Answers {
			// An empty TXT string renders as "TXT 0 " (7 bytes from 1),
			// and no answer's text passes the cap.
			if len(a.Data) > 8*len(data)+64 || len(a.Data) > dns.MaxAnswerText+len("…") {
				t.Fatalf("answer of %d bytes from %d", len(a.Data), len(data))
			}
		}
		s := dns.NewStream(p)
		framed := append([]byte{byte(len(data) >> 8), byte(len(data))}, data...)
		n := 0
		for i := range framed {
			_ = s.Write(framed[i:i+1], func(*dns.Message, error) { n++ })
		}
		if len(data) > 0 && len(data) < 65536 && n != 1 {
			t.Fatalf("stream emitted %d messages", n)
		}
	})
}
