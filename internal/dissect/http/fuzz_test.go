package http_test

import (
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/http"
)

// FuzzStream feeds a client stream and a server stream, split at a
// fuzzed point, and checks there is no panic and the output is bounded.
func FuzzStream(f *testing.F) {
	f.Add([]byte(seedRequest), []byte(seedResponse), uint16(7))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), uint16(3))
	f.Fuzz(func(t *testing.T, client, server []byte, split uint16) {
		c, _ := http.New(http.DefaultConfig())
		s := int(split) % (len(client) + 1)
		_ = c.Client(client[:s])
		_ = c.Client(client[s:])
		s = int(split) % (len(server) + 1)
		_ = c.Server(server[:s])
		_ = c.Server(server[s:])
		tx := c.Close()
		if len(tx) > 2*http.DefaultConfig().MaxPending {
			t.Fatalf("%d transactions", len(tx))
		}
		for _, x := range tx {
			if x.Request != nil && (x.Request.BodyLen > int64(len(client)) || len(x.Request.URI) > len(client)) {
				t.Fatalf("request %+v from %d bytes", x.Request, len(client))
			}
			if x.Response != nil && x.Response.BodyLen > int64(len(server)) {
				t.Fatalf("response body %d from %d bytes", x.Response.BodyLen, len(server))
			}
		}
	})
}
