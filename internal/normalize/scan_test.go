package normalize

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKV(t *testing.T) {
	for _, tc := range []struct {
		in           string
		want         [][2]string
		unterminated bool
	}{
		{`a=1 b="two words" c=3`, [][2]string{{"a", "1"}, {"b", "two words"}, {"c", "3"}}, false},
		{`id=C4431- P29PUA next=1`, [][2]string{{"id", "C4431- P29PUA"}, {"next", "1"}}, false},
		{`a= b=1 c=`, [][2]string{{"a", ""}, {"b", "1"}, {"c", ""}}, false},
		{`x="say "hi" now" y=2`, [][2]string{{"x", `say "hi`}, {"y", "2"}}, false},
		{`stray a=1 word b="open`, [][2]string{{"a", "1 word"}, {"b", "open"}}, true},
		{`=1 k=v   `, [][2]string{{"k", "v"}}, false},
		{``, nil, false},
		{`novalue`, nil, false},
	} {
		kv := NewKV(tc.in)
		var got [][2]string
		for {
			k, v, ok := kv.Next()
			if !ok {
				break
			}
			got = append(got, [2]string{k, v})
		}
		if diff := cmp.Diff(tc.want, got); diff != "" || kv.Unterminated != tc.unterminated {
			t.Errorf("KV(%q) unterminated=%v (-want +got):\n%s", tc.in, kv.Unterminated, diff)
		}
	}
}

func TestCSV(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want []string
	}{
		{"a,b,,c", 10, []string{"a", "b", "", "c"}},
		{`1,"x,y",z`, 10, []string{"1", "x,y", "z"}},
		{`1,"say ""hi""",z`, 10, []string{"1", `say ""hi""`, "z"}},
		{`1,"open,z`, 10, []string{"1", `"open`, "z"}},
		{"a,b,c,d", 2, []string{"a", "b,c,d"}},
		{"", 10, []string{""}},
		{"a,", 10, []string{"a", ""}},
		{`"q"`, 10, []string{"q"}},
	} {
		var buf [16]string
		got := SplitCSV(tc.in, buf[:0], tc.max)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("SplitCSV(%q, %d) (-want +got):\n%s", tc.in, tc.max, diff)
		}
	}
	if got := UnquoteCSV(`say ""hi""`); got != `say "hi"` {
		t.Errorf("UnquoteCSV = %q", got)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-12", -12, true}, {"+7", 7, true}, {"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false}, {"", 0, false}, {"-", 0, false}, {"1a", 0, false}, {" 1", 0, false},
	} {
		if got, ok := Atoi(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("Atoi(%q) = %d, %v", tc.in, got, ok)
		}
	}
	if n, ok := AtoiHex("0x1fc"); !ok || n != 508 {
		t.Errorf("AtoiHex = %d %v", n, ok)
	}
	if f, ok := Atof("-77.511"); !ok || f != -77.511 {
		t.Errorf("Atof = %v %v", f, ok)
	}
	if allocs := testing.AllocsPerRun(100, func() { Atoi("12x"); Atof("x") }); allocs != 0 {
		t.Errorf("failed parses allocate %v times", allocs)
	}
}

func TestEvent(t *testing.T) {
	var e Event
	e.SetStr("a", "x")
	e.SetStr("skip", "-")
	e.SetStr("skip", "")
	e.SetStrEmpty("empty", "")
	e.SetInt("n", 3)
	e.SetStr("a", "y") // replaces
	if !e.SetIP("ip", "[fe80::1%eth0]") || e.SetIP("bad", "300.1.1.1") || e.SetIP("dash", "-") {
		t.Error("SetIP results")
	}
	e.SetIP("mapped", "::ffff:10.0.0.1")
	e.AppendStr("l", "p")
	e.AppendStr("l", "q")
	names := []string{}
	for _, a := range e.Attrs {
		names = append(names, a.Name+"="+a.Value.String())
	}
	want := []string{"a=y", "empty=", "n=3", "ip=fe80::1%eth0", "mapped=10.0.0.1", "l=p,q"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("attrs (-want +got):\n%s", diff)
	}
	if v, ok := e.Get("n"); !ok || v.Int != 3 {
		t.Errorf("Get(n) = %v %v", v, ok)
	}
	if e.Has("skip") || e.Has("bad") {
		t.Error("skipped values are set")
	}
	c := e.Clone()
	e.Delete("a")
	if e.Has("a") || !c.Has("a") || len(e.Attrs) != 5 {
		t.Errorf("Delete/Clone: %v / %v", e.Attrs, c.Attrs)
	}
	e.Reset()
	if len(e.Attrs) != 0 || e.Has("n") {
		t.Error("Reset kept attrs")
	}
	// Many names: the filter must never hide a set name.
	for i := range 300 {
		e.SetInt(itoa(int64(i))+".x", int64(i))
	}
	for i := range 300 {
		if v, ok := e.Get(itoa(int64(i)) + ".x"); !ok || v.Int != int64(i) {
			t.Fatalf("Get(%d.x) = %v %v", i, v, ok)
		}
	}
	e.SetInt("7.x", 70)
	if v, _ := e.Get("7.x"); v.Int != 70 || len(e.Attrs) != 300 {
		t.Errorf("replace with many names: %v, %d attrs", v, len(e.Attrs))
	}
}

func TestRegisteredDomain(t *testing.T) {
	for in, want := range map[string]string{
		"elastic.example.com": "example.com", "www.example.co.uk.": "example.co.uk", "example.com": "example.com",
		"com": "", "10.0.0.1": "", "localhost": "", "": "", "A.B.Example.ORG": "example.org",
	} {
		if got := RegisteredDomain(in); got != want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatMAC(t *testing.T) {
	for in, want := range map[string]string{
		"4c:55:41:a0:fa:99": "4C-55-41-A0-FA-99", "4c55.41a0.fa99": "4C-55-41-A0-FA-99", "4C-55-41-A0-FA-99": "4C-55-41-A0-FA-99",
		"4c:55:41": "", "zz:55:41:a0:fa:99": "", "": "", "00:11:22:33:44:55:66:77": "00-11-22-33-44-55-66-77",
	} {
		if got := FormatMAC(in); got != want {
			t.Errorf("FormatMAC(%q) = %q, want %q", in, got, want)
		}
	}
}
