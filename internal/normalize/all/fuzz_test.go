package all_test

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// FuzzNormalize runs lines through an auto-detecting Normalizer with
// every registered parser: whatever the line, there is no panic (a parser
// panic is recovered and counted, which fails here too), the line is kept
// and the event passes normalizetest.Check.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"<134>Jul  3 19:10:30 filterlog[72237]: 5,,,1000,em0,match,pass,in,4,0x0,,64,1,0,none,17,udp,76,10.0.0.2,10.0.0.1,123,123,56",
		"Nov 30 16:44:36 PA-1 1,2018/11/30 16:44:36,0001,TRAFFIC,end,2049,2018/11/30 16:44:36,10.0.0.1,10.0.0.2",
		"<189>date=2020-04-23 time=01:16:08 devname=\"fw\" logid=\"0000000013\" type=\"traffic\" srcip=10.0.0.1",
		"Apr 29 2013 12:59:50: %ASA-6-302016: Teardown UDP connection 1 for outside:10.0.0.2/53 to inside:10.0.0.1/5000 duration 0:00:01 bytes 10",
		"CEF:0|V|P|1|2|n|3|src=10.0.0.1 msg=a\\=b",
		"LEEF:1.0|V|P|1|id|src=10.0.0.1\tdst=10.0.0.2",
		`<134>1 2020-03-29T13:19:20Z gw CheckPoint 1930 - [action:"Accept"; src:"10.0.0.1"]`,
		"\xff\xfe", "", "<1>",
	} {
		f.Add(s)
	}
	if !testing.Short() {
		for _, l := range mixedLines(f) {
			f.Add(l)
		}
	}
	cfg := normalize.DefaultConfig()
	cfg.Year = 2024
	n, err := normalize.New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	var e normalize.Event
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > normalizetest.MaxFuzzInput {
			t.Skip()
		}
		p, err := n.Normalize(line, &e)
		if p == "" || e.Dataset == "" || e.GetStr("event.original") != line && line != "" {
			t.Fatalf("Normalize(%q): parser %q dataset %q original %q", line, p, e.Dataset, e.GetStr("event.original"))
		}
		if st := n.Stats(); st[p].Panics > 0 {
			t.Fatalf("Normalize(%q): a parser panicked: %v", line, err)
		}
		for name, c := range n.Stats() {
			if c.Panics > 0 {
				t.Fatalf("Normalize(%q): parser %s panicked: %v", line, name, err)
			}
		}
		if err := normalizetest.Check(&e, line); err != nil {
			t.Fatalf("Normalize(%q): %v", line, err)
		}
	})
}
