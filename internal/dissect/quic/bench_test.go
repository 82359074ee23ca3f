package quic

import (
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/tls"
)

// BenchmarkInitial measures what a sensor spends on a QUIC connection's
// first datagram: key derivation, header protection removal, AES-GCM
// decryption of a 1200-byte Initial, CRYPTO parsing, ClientHello and JA4.
func BenchmarkInitial(b *testing.B) {
	pkt := readHex(b, "rfc9001_client_initial.hex")
	cfg := DefaultConfig()
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, _ := NewConn(cfg)
		if err := c.Feed(pkt, true); err != nil {
			b.Fatal(err)
		}
		_ = tls.JA4(c.Handshake().ClientHello, true)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "initials/s")
}
