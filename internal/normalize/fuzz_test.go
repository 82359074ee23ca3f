package normalize

import (
	"strings"
	"testing"
)

// FuzzParseHeader checks that any line splits without panic into fields
// that are pieces of the line.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		"<30>Mar 11 23:51:31 ns1 named[1042]: client query",
		"<134>Jul  3 19:10:30 filterlog[72237]: 5,,,1000,em0",
		"Apr 15 2014 09:34:34 EDT: %ASA-session-5-106100: x",
		"Apr 24 2013 16:00:28 FW-A : %ASA-6-106100: x",
		"<6>2021-03-12T14:10:18Z gw kernel: IN=eth0",
		"<129>2023-03-01 14:54:44.502 +0100  waf WF ALER X",
		`<14>1 2019-11-14T09:37:51.184+01:00 GW1 RT_FLOW - ID [junos@2636 a="1" b="\"y\" \]"][m s="2"] hi`,
		`<134>1 2020-03-29T13:19:20Z gw CheckPoint 1930 - [flags:"1"; ifdir:"inbound"]`,
		"<188>date=2020-04-23 time=12:17:48",
		"", "<", "<1>", "<1>1 ", "<1>1 - - - - - [",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var m Message
		ParseHeader(line, &Env{Year: 2024}, &m)
		for _, s := range []string{m.Body, m.Hostname, m.AppName, m.ProcID, m.MsgID} {
			if !strings.Contains(line, s) {
				t.Fatalf("ParseHeader(%q): %q is not part of the line", line, s)
			}
		}
		if m.Priority > 191 || m.Priority < -1 {
			t.Fatalf("priority %d", m.Priority)
		}
		if y := m.Time.Year(); !m.Time.IsZero() && (y < 1 || y > 9999) {
			t.Fatalf("year %d", y)
		}
		ParseHeader(line, &Env{Year: 2024}, &m) // reusing the maps
	})
}

// FuzzScan checks that the KV and CSV scanners end and return pieces of
// the line.
func FuzzScan(f *testing.F) {
	for _, s := range []string{`a=1 b="x y" c=`, `id=C4- P29 n=1`, `1,"x,y",z`, `"a""b",`, `x="open`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kv := NewKV(s)
		for i := 0; ; i++ {
			k, v, ok := kv.Next()
			if !ok {
				break
			}
			if i > len(s) || k == "" || !strings.Contains(s, k) || !strings.Contains(s, v) {
				t.Fatalf("KV(%q): pair %d %q=%q", s, i, k, v)
			}
		}
		c := NewCSV(s)
		for i := 0; ; i++ {
			v, ok := c.Next()
			if !ok {
				break
			}
			if i > len(s) || !strings.Contains(s, v) {
				t.Fatalf("CSV(%q): field %d %q", s, i, v)
			}
		}
	})
}
