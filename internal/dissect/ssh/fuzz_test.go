package ssh

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

// maxFuzzInput caps inputs, as Prometheus' fuzzers do.
const maxFuzzInput = 1 << 17

// FuzzParse feeds a client and a server byte stream, split into chunks,
// and checks that the session never panics, that its result encodes to
// JSON and that the result stays proportional to the input.
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
			f.Add(fl.Stream(c), fl.Stream(1-c), uint8(7))
		}
	}
	f.Add([]byte("SSH-2.0-x\r\n"), []byte("junk\nSSH-1.99-y\n\x00\x00\x00\x0c\x04\x14"), uint8(3))
	if _, err := os.Stat("testdata"); err != nil {
		f.Skip("no testdata")
	}
	f.Fuzz(func(t *testing.T, cli, srv []byte, chunk uint8) {
		if len(cli)+len(srv) > maxFuzzInput {
			return
		}
		cfg := DefaultConfig()
		cfg.MaxPacketSize = 4096
		s := NewSession(cfg)
		step := int(chunk) + 1
		for i, j := 0, 0; i < len(cli) || j < len(srv); i, j = i+step, j+step {
			if i < len(cli) {
				_ = s.FeedClient(cli[i:min(i+step, len(cli))])
			}
			if j < len(srv) {
				_ = s.FeedServer(srv[j:min(j+step, len(srv))])
			}
			if len(s.Client.buf) > cfg.MaxPacketSize+cfg.MaxBannerLen+step || len(s.Server.buf) > cfg.MaxPacketSize+cfg.MaxBannerLen+step {
				t.Fatalf("buffer grew to %d/%d", len(s.Client.buf), len(s.Server.buf))
			}
		}
		out, err := json.Marshal(s.Info())
		if err != nil {
			t.Fatal(err)
		}
		// Algorithm lists are echoed twice (lists, HASSH inputs), and an empty
		// name costs one input byte but three JSON bytes.
		if len(out) > 8*(len(cli)+len(srv))+2048 {
			t.Fatalf("output %d bytes for %d input bytes", len(out), len(cli)+len(srv))
		}
	})
}
