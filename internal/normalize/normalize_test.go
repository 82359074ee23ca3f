package normalize

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testParser claims bodies starting with its prefix; "boom" lines make it
// panic and "bad" lines fail.
type testParser struct {
	name, prefix, dataset string
	order                 int
}

func (p testParser) Name() string     { return p.name }
func (p testParser) DetectOrder() int { return p.order }
func (p testParser) Detect(m *Message) bool {
	if strings.Contains(m.Body, "detectpanic") {
		panic("detect")
	}
	return strings.HasPrefix(m.Body, p.prefix)
}

func (p testParser) Parse(m *Message, env *Env, e *Event) error {
	body := m.Body[len(p.prefix):]
	switch {
	case strings.HasPrefix(body, "boom"):
		var a []int
		_ = a[len(body)] // index out of range
	case strings.HasPrefix(body, "bad"):
		return errors.New("bad line")
	}
	e.Dataset = p.dataset
	e.SetStr("observer.hostname", m.Hostname)
	kv := NewKV(body)
	for {
		k, v, ok := kv.Next()
		if !ok {
			break
		}
		switch k { // constant names: a parser allocates nothing per field
		case "a":
			e.SetStr("test.a", v)
		case "b":
			e.SetStr("test.b", v)
		default:
			e.SetStr("test."+k, v)
		}
	}
	if kv.Unterminated {
		return errors.New("unterminated quote")
	}
	return nil
}

func init() {
	Register(testParser{name: "tkv", prefix: "tkv ", dataset: "log.tkv"})
	Register(testParser{name: "tany", prefix: "t", dataset: "log.tany", order: 90}) // generic: tried last
}

func TestRegistry(t *testing.T) {
	for _, bad := range []string{"", "Upper", "two words", "tkv", "unparsed"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", bad)
				}
			}()
			Register(testParser{name: bad})
		}()
	}
	var names []string
	for _, p := range Parsers() {
		names = append(names, p.Name())
	}
	if diff := cmp.Diff([]string{"tkv", "tany"}, names); diff != "" {
		t.Errorf("detection order (-want +got):\n%s", diff)
	}
	if p, ok := Lookup("unparsed"); !ok || p != Unparsed {
		t.Error("Lookup(unparsed)")
	}
	if _, err := New(Config{Parser: "nope", MaxLine: 1024}); err == nil || !strings.Contains(err.Error(), "known: tany, tkv, unparsed") {
		t.Errorf("unknown parser error: %v", err)
	}
	bad := Config{Parsers: []string{"x"}, Sources: map[string]string{"10.0.0.300": "tkv"}, Timezone: "Mars/Olympus", Year: -1, MaxLine: 1}
	err := bad.Validate()
	for _, want := range []string{"normalize.parsers", "normalize.sources", "normalize.timezone", "normalize.year", "normalize.max_line"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v lacks %s", err, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	n, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	tests := []struct {
		line, parser, dataset, errText string
		want                           map[string]string
	}{
		{"<13>Jan  2 03:04:05 fw1 tkv a=1 b=\"x y\"", "tkv", "log.tkv", "", map[string]string{
			"observer.hostname": "fw1", "test.a": "1", "test.b": "x y", "log.syslog.priority": "13",
			"log.syslog.facility.code": "1", "log.syslog.severity.code": "5"}},
		{"tq=1", "tany", "log.tany", "", map[string]string{"test.q": "1"}},
		{"hello world", "unparsed", "log.unparsed", "", map[string]string{"message": "hello world"}},
		{"Jan  2 03:04:05 h sshd[12]: Accepted", "unparsed", "log.unparsed", "", map[string]string{
			"message": "Accepted", "host.hostname": "h", "process.name": "sshd", "process.pid": "12"}},
		{"tkv bad", "unparsed", "log.unparsed", "tkv: bad line", map[string]string{
			"message": "tkv bad", "error.message": "tkv: bad line"}},
		{"tkv boom", "unparsed", "log.unparsed", "tkv: parser panicked", nil},
		{"tkv a=\"unterminated", "unparsed", "log.unparsed", "tkv: unterminated quote", nil},
		{"detectpanic", "unparsed", "log.unparsed", "", map[string]string{"message": "detectpanic"}},
	}
	for _, tc := range tests {
		p, err := n.Normalize(tc.line, &e)
		if p != tc.parser || e.Dataset != tc.dataset {
			t.Errorf("%q: parser %s dataset %s, want %s %s", tc.line, p, e.Dataset, tc.parser, tc.dataset)
		}
		if (err == nil) != (tc.errText == "") || err != nil && !strings.HasPrefix(err.Error(), tc.errText) {
			t.Errorf("%q: err %v, want %q", tc.line, err, tc.errText)
		}
		if got := e.GetStr("event.original"); got != tc.line {
			t.Errorf("%q: event.original %q", tc.line, got)
		}
		for k, want := range tc.want {
			if v, ok := e.Get(k); !ok || v.String() != want {
				t.Errorf("%q: %s = %v (%v), want %s", tc.line, k, v, ok, want)
			}
		}
	}
	got := n.Stats()
	want := map[string]Counts{
		"tkv":      {Lines: 4, Errors: 3, Panics: 2}, // the Detect panic is charged to the parser being tried
		"tany":     {Lines: 1},
		"unparsed": {Lines: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestNormalizeForced(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Parser = "tany"
	cfg.KeepOriginal = false
	cfg.Sources = map[string]string{"10.0.0.0/8": "tkv", "10.1.2.3": "unparsed"}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	if p, _ := n.Normalize("tkv a=1", &e); p != "tany" || e.Has("event.original") {
		t.Errorf("forced: %s, original kept: %v", p, e.Has("event.original"))
	}
	if p, _ := n.NormalizeFrom(netip.MustParseAddr("10.9.9.9"), "tkv a=1", &e); p != "tkv" {
		t.Errorf("by source: %s", p)
	}
	if p, _ := n.NormalizeFrom(netip.MustParseAddr("::ffff:10.1.2.3"), "tkv a=1", &e); p != "unparsed" {
		t.Errorf("by longest prefix: %s", p)
	}
	if p, _ := n.NormalizeFrom(netip.MustParseAddr("192.0.2.1"), "tkv a=1", &e); p != "tany" {
		t.Errorf("unmatched source: %s", p)
	}
}

// TestHostile feeds lines built to hurt: each is kept (event.original,
// capped), counted, and never panics.
func TestHostile(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLine = 64 << 10
	cfg.MaxOriginal = 80 << 10
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	huge := "tkv a=" + strings.Repeat("x", 100<<10)
	lines := []string{
		huge,
		"<13>Jan  2 03:04:05 h tkv a=\xff\xfe b=\"\xc3\x28\"",
		"tkv a=\"never closed b=2",
		"tkv a=1\x00b=2 \x00\x00",
		"<" + strings.Repeat("1", 100) + ">x",
		"<134>1 2020-03-29T13:19:20Z gw app - - [" + strings.Repeat("[a x=\"", 2000),
		strings.Repeat("Jan  2 03:04:05 ", 1000),
		"\x00\x00\x00",
		"\xff\xff\xff\xff",
		"CEF:0|a\\|b|c|" + strings.Repeat("\\", 5000),
	}
	var e Event
	for _, line := range lines {
		p, _ := n.Normalize(line, &e)
		orig := e.GetStr("event.original")
		if want := line[:min(len(line), cfg.MaxOriginal)]; orig != want {
			t.Errorf("%.40q: event.original has %d bytes, want %d", line, len(orig), len(want))
		}
		if p == "" || e.Dataset == "" {
			t.Errorf("%.40q: no parser/dataset", line)
		}
	}
	if p, _ := n.Normalize(huge, &e); p != "tkv" || !e.Has("flowsift.truncated") {
		t.Errorf("huge line: parser %s, truncated %v", p, e.Has("flowsift.truncated"))
	}
	if v := e.GetStr("test.a"); len(v) > cfg.MaxLine {
		t.Errorf("parsed %d bytes of a line cut at %d", len(v), cfg.MaxLine)
	}
	st := n.Stats()
	if st["tkv"].Truncated != 2 || st["tkv"].Errors != 1 {
		t.Errorf("stats %+v", st)
	}
	var total uint64
	for _, c := range st {
		total += c.Lines
	}
	if total != uint64(len(lines)+1) {
		t.Errorf("counted %d lines, sent %d", total, len(lines)+1)
	}
}

func TestNormalizeAllocs(t *testing.T) {
	n, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	line := "<13>Jan  2 03:04:05 fw1 tkv a=1 b=\"x y\" b=3"
	allocs := testing.AllocsPerRun(200, func() { _, _ = n.Normalize(line, &e) })
	if allocs > 0 {
		t.Errorf("Normalize allocates %v times per line", allocs)
	}
}
