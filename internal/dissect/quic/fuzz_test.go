package quic

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/tls"
	"github.com/flowsift/flowsift/internal/testutil"
)

func isSentinel(err error) bool {
	for _, s := range []error{ErrTruncated, ErrMalformed, ErrUnsupported, ErrDecrypt, ErrTooLarge,
		tls.ErrTruncated, tls.ErrMalformed, tls.ErrTooLarge} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// fixtureDatagrams returns the UDP payloads of the testdata captures with
// their direction (true: sent by the flow's first long-header sender).
func fixtureDatagrams(t testing.TB) (grams [][]byte, fromClient []bool) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.pcap*")
	for _, f := range files {
		flows, err := testutil.ReadFlows(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, fl := range flows {
			for i, g := range fl.Grams {
				grams = append(grams, g)
				fromClient = append(fromClient, fl.GramsA[i] == fl.GramsA[0])
			}
		}
	}
	return grams, fromClient
}

// FuzzInitial feeds a client datagram, then a second datagram in the
// fuzzer-chosen direction, to a Conn. Seeds are the RFC 9001/9369 vectors
// and the datagrams of the testdata captures. Beyond "no panic" it checks
// that errors wrap a sentinel and that the handshake encodes to JSON of a
// size proportionate to the input.
func FuzzInitial(f *testing.F) {
	for _, name := range []string{"rfc9001_client_initial.hex", "rfc9369_client_initial.hex"} {
		f.Add(readHex(f, name), []byte{}, false)
	}
	f.Add(readHex(f, "rfc9001_client_initial.hex"), readHex(f, "rfc9001_server_initial.hex"), false)
	grams, dirs := fixtureDatagrams(f)
	for i, g := range grams {
		if dirs[i] && i+1 < len(grams) {
			f.Add(g, grams[i+1], dirs[i+1])
		}
	}
	f.Fuzz(func(t *testing.T, first, second []byte, secondFromClient bool) {
		if len(first)+len(second) > 64<<10 {
			return
		}
		c, err := NewConn(DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			b      []byte
			client bool
		}{{first, true}, {second, secondFromClient}} {
			if err := c.Feed(step.b, step.client); err != nil && !isSentinel(err) {
				t.Fatalf("error without sentinel: %v", err)
			}
		}
		out, err := json.Marshal(c.Handshake())
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 16*(len(first)+len(second))+8192 {
			t.Fatalf("output %d bytes for %d input bytes", len(out), len(first)+len(second))
		}
		// The frame parser alone, on the raw bytes as if decrypted.
		if _, err := ParseFrames(first); err != nil && !isSentinel(err) {
			t.Fatalf("frames: error without sentinel: %v", err)
		}
	})
}
