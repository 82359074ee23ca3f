package smtp

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

const maxFuzzInput = 1 << 17

// FuzzParse feeds a client and a server stream in chunks, alternating,
// and checks that nothing panics, that the result encodes to JSON and that
// it stays proportional to the input.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.pcap")
	for _, p := range paths {
		flows, err := testutil.ReadFlows(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, fl := range flows {
			c := fl.ClientSide()
			f.Add(fl.Stream(c), fl.Stream(1-c), uint8(0))
			f.Add(fl.Stream(c), fl.Stream(1-c), uint8(200))
		}
	}
	f.Fuzz(func(t *testing.T, cli, srv []byte, chunk uint8) {
		if len(cli)+len(srv) > maxFuzzInput {
			return
		}
		cfg := DefaultConfig()
		cfg.MaxLineLen = 600
		s := NewSession(cfg)
		step := int(chunk) + 1
		var txns []Transaction
		for i, j := 0, 0; i < len(cli) || j < len(srv); i, j = i+step, j+step {
			if j < len(srv) {
				_ = s.FeedServer(srv[j:min(j+step, len(srv))])
			}
			if i < len(cli) {
				_ = s.FeedClient(cli[i:min(i+step, len(cli))])
			}
			txns = append(txns, s.Drain()...)
			if s.cli.Buffered() > cfg.MaxLineLen || s.srv.Buffered() > cfg.MaxLineLen || len(s.pending) > cfg.MaxPending {
				t.Fatalf("buffers %d %d %d", s.cli.Buffered(), s.srv.Buffered(), len(s.pending))
			}
		}
		txns = append(txns, s.Close()...)
		out, err := json.Marshal(struct {
			S *Session
			T []Transaction
		}{s, txns})
		if err != nil {
			t.Fatal(err)
		}
		// Every transaction repeats HELO, and a one-byte "MAIL" line makes
		// a transaction of ~100 JSON bytes; escaping costs up to 6x.
		if len(out) > 64*(len(cli)+len(srv))+1024 {
			t.Fatalf("output %d bytes for %d input bytes", len(out), len(cli)+len(srv))
		}
	})
}
