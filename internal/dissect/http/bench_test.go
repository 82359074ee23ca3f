package http_test

import (
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/http"
)

// BenchmarkConn parses one real request/response pair (get.pcap headers,
// a 4,705-byte body skipped) per iteration on a fresh connection.
func BenchmarkConn(b *testing.B) {
	req := []byte(seedRequest)
	resp := append([]byte(seedResponse), make([]byte, 4705)...)
	b.ReportAllocs()
	b.SetBytes(int64(len(req) + len(resp)))
	for b.Loop() {
		c, _ := http.New(http.DefaultConfig())
		_ = c.Client(req)
		_ = c.Server(resp)
		_ = c.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}
