package dhcp

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

// FuzzParse checks that Parse never panics, that a message encodes to JSON
// and that the output stays proportional to the input.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.pcap*")
	for _, p := range paths {
		flows, err := testutil.ReadFlows(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, fl := range flows {
			for _, g := range fl.Grams {
				f.Add(g)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		// Options are echoed at most twice (value and code list); JSON
		// escaping of control bytes costs up to 6 bytes each.
		if len(out) > 12*len(data)+1024 {
			t.Fatalf("output %d bytes for %d input bytes", len(out), len(data))
		}
	})
}
