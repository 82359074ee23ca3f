package dns_test

import (
	"encoding/hex"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/dns"
)

func benchParse(b *testing.B, h string) {
	msg, _ := hex.DecodeString(h)
	p, _ := dns.New(dns.DefaultConfig())
	var m dns.Message
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_ = p.Parse(msg, &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}

// BenchmarkParseQuery is one real query (rrsig.pcap).
func BenchmarkParseQuery(b *testing.B) { benchParse(b, seedQuery) }

// BenchmarkParseResponse is one real response with 8 A answers (dns53.pcap).
func BenchmarkParseResponse(b *testing.B) { benchParse(b, seedResponse) }
