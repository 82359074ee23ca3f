package tls

import "testing"

// BenchmarkClientHello measures the per-connection work of a sensor on a
// TLS client stream: record and handshake parsing of the ClientHello,
// then JA3 and JA4, over the ClientHellos of the testdata captures.
func BenchmarkClientHello(b *testing.B) {
	clients, _ := fixtureStreams(b)
	var hellos [][]byte
	for _, c := range clients {
		// Only the records up to the end of the ClientHello, as a sensor sees them first.
		n, need := 0, -1
		hs := 0
		for n+5 <= len(c) && c[n] == recordHandshake && (need < 0 || hs < need) {
			l := int(c[n+3])<<8 | int(c[n+4])
			if need < 0 && l >= 4 && n+9 <= len(c) {
				need = 4 + (int(c[n+6])<<16 | int(c[n+7])<<8 | int(c[n+8]))
			}
			hs += l
			n = min(n+5+l, len(c))
		}
		hellos = append(hellos, c[:n])
	}
	cfg := DefaultConfig()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := hellos[i%len(hellos)]
		s, _ := NewSession(cfg)
		if err := s.Client.Feed(h); err != nil {
			b.Fatal(err)
		}
		ch := s.Handshake.ClientHello
		if ch == nil {
			b.Fatal("no client hello")
		}
		_, _ = JA3(ch)
		_ = JA4(ch, false)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hellos/s")
}
