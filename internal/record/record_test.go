package record_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/record"
)

var update = flag.Bool("update", false, "rewrite docs/schema.md from the schema")

// schemaDoc is docs/schema.md, relative to this package.
var schemaDoc = filepath.Join("..", "..", "docs", "schema.md")

// TestSchemaDoc fails when docs/schema.md is not what record.Markdown
// renders; `go test ./internal/record -run TestSchemaDoc -update` (make
// generate) rewrites it.
func TestSchemaDoc(t *testing.T) {
	want := record.Markdown()
	if *update {
		if err := os.WriteFile(schemaDoc, want, 0o644); err != nil { //nolint:gosec // a doc file in the repo
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatalf("%v (run `make generate`)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("docs/schema.md is stale; run `make generate` (-generated +file):\n%s", diff)
	}
	// Every field is documented in it, once.
	for _, f := range record.Fields {
		if n := strings.Count(string(got), "| `"+f.Name+"` |"); n != 1 {
			t.Errorf("docs/schema.md has %d rows for %s, want 1", n, f.Name)
		}
	}
}

// TestFields checks the schema table itself: names, docs, types and
// getters are all there, and names are unique and found by Lookup.
func TestFields(t *testing.T) {
	seen := map[string]bool{}
	for i := range record.Fields {
		f := &record.Fields[i]
		if f.Name == "" || strings.ContainsAny(f.Name, " |`") || strings.HasPrefix(f.Name, ".") || strings.HasSuffix(f.Name, ".") {
			t.Errorf("field %d: bad name %q", i, f.Name)
		}
		if seen[f.Name] {
			t.Errorf("%s: duplicate", f.Name)
		}
		seen[f.Name] = true
		if len(f.Doc) < 10 || !strings.HasSuffix(f.Doc, ".") || strings.ContainsAny(f.Doc, "\n|") {
			t.Errorf("%s: Doc %q is not one sentence for a table cell", f.Name, f.Doc)
		}
		if f.Get == nil {
			t.Errorf("%s: no Get", f.Name)
		}
		if s := f.Type.String(); strings.HasPrefix(s, "type(") {
			t.Errorf("%s: unknown type %s", f.Name, s)
		}
		if g, ok := record.Lookup(f.Name); !ok || g != f {
			t.Errorf("Lookup(%q) = %v, %v", f.Name, g, ok)
		}
	}
	if _, ok := record.Lookup("no.such.field"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
}

// fullFlow returns a flow record with every field set.
func fullFlow() record.Record {
	start := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	return record.Record{
		Timestamp: start,
		Event:     record.Event{ID: "01HX0000000000000000000000", Dataset: record.DatasetFlow, Start: start, End: start.Add(1500 * time.Millisecond)},
		Tenant:    "acme",
		Observer:  "sensor-1",
		Source: record.Endpoint{IP: netip.MustParseAddr("192.0.2.1"), Port: 51000, HasPort: true,
			MAC: [6]byte{0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc}, HasMAC: true, Packets: 3, Bytes: 180},
		Destination: record.Endpoint{IP: netip.MustParseAddr("2001:db8::1"), Port: 443, HasPort: true,
			MAC: [6]byte{0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54}, HasMAC: true, Packets: 2, Bytes: 1500},
		Network: record.Network{Transport: "tcp", Type: "ipv4", IANANumber: 6, HasIANA: true, VLAN: 100, InnerVLAN: 200,
			CommunityID: "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		ICMP: record.ICMP{Type: 8, Code: 0, Has: true},
		Flow: record.Flow{
			ID: "0123456789abcdef", Interim: true, EndReason: "active-timeout", History: "ShADadFf",
			SourcePayloadBytes: 100, DestinationPayloadBytes: 1400, SourceTCPFlags: record.TCPFlagSYN | record.TCPFlagACK,
			DestinationTCPFlags: record.TCPFlagSYN | record.TCPFlagACK | record.TCPFlagFIN, HasTCP: true,
			PatternSizes: []int32{60, 60, 52}, PatternDirections: "sds", PatternIATMicros: []int32{0, 1200, 40},
			Tunnel: record.Tunnel{Types: []string{"vxlan"}, Source: netip.MustParseAddr("10.0.0.1"),
				Destination: netip.MustParseAddr("10.0.0.2"), ID: 42, HasID: true},
			MPLS:     []uint32{29, 1048575},
			Fragment: 2,
		},
	}
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %s", b)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// lookupPath walks a decoded JSON object by a dotted field name.
func lookupPath(m map[string]any, name string) (any, bool) {
	parts := strings.Split(name, ".")
	var cur any = m
	for _, p := range parts {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func TestAppendJSONFull(t *testing.T) {
	r := fullFlow()
	got := decodeJSON(t, r.AppendJSON(nil))
	num := func(s string) json.Number { return json.Number(s) }
	want := map[string]any{
		"@timestamp": "2024-05-06T07:08:09.123456Z",
		"event": map[string]any{"id": "01HX0000000000000000000000", "dataset": "flow",
			"start": "2024-05-06T07:08:09.123456Z", "end": "2024-05-06T07:08:10.623456Z", "duration": num("1500000000")},
		"tenant":   map[string]any{"id": "acme"},
		"observer": map[string]any{"name": "sensor-1"},
		"source": map[string]any{"ip": "192.0.2.1", "port": num("51000"), "mac": "00-1B-21-AA-BB-CC",
			"packets": num("3"), "bytes": num("180")},
		"destination": map[string]any{"ip": "2001:db8::1", "port": num("443"), "mac": "FE-DC-BA-98-76-54",
			"packets": num("2"), "bytes": num("1500")},
		"network": map[string]any{"transport": "tcp", "type": "ipv4", "iana_number": num("6"),
			"vlan": map[string]any{"id": num("100")}, "inner": map[string]any{"vlan": map[string]any{"id": num("200")}},
			"community_id": "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "packets": num("5"), "bytes": num("1680")},
		"icmp": map[string]any{"type": num("8"), "code": num("0")},
		"flow": map[string]any{
			"id": "0123456789abcdef", "interim": true, "end_reason": "active-timeout", "history": "ShADadFf",
			"source":      map[string]any{"payload_bytes": num("100"), "tcp_flags": "SA"},
			"destination": map[string]any{"payload_bytes": num("1400"), "tcp_flags": "FSA"},
			"pattern": map[string]any{"sizes": []any{num("60"), num("60"), num("52")}, "directions": "sds",
				"iat_us": []any{num("0"), num("1200"), num("40")}},
			"fragments": num("2"),
			"mpls":      map[string]any{"labels": []any{num("29"), num("1048575")}},
			"tunnel": map[string]any{"types": []any{"vxlan"}, "source": map[string]any{"ip": "10.0.0.1"},
				"destination": map[string]any{"ip": "10.0.0.2"}, "id": num("42")},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	// Every flow field of the schema is written for a full flow record: a
	// Get that never reports its value would leave a hole here.
	for _, f := range record.Fields {
		if !appliesTo(&f, record.DatasetFlow) || f.Name == "network.protocol" || f.Name == "network.application" ||
			f.Name == "app.category" || f.Name == "flow.parent_id" || fromOtherSources[f.Name] {
			continue // tested with the transactions
		}
		if _, ok := lookupPath(got, f.Name); !ok {
			t.Errorf("field %s missing from the JSON of a full flow record", f.Name)
		}
	}
}

func TestAppendJSONOrder(t *testing.T) {
	// Members appear in schema order, so the output is stable.
	r := fullFlow()
	out := string(r.AppendJSON(nil))
	last := -1
	for _, key := range []string{`"@timestamp"`, `"event"`, `"tenant"`, `"observer"`, `"source"`, `"destination"`, `"network"`, `"icmp"`, `"flow"`} {
		i := strings.Index(out, key+":")
		if i <= last {
			t.Fatalf("%s at %d, not after %d in %s", key, i, last, out)
		}
		last = i
	}
}

func TestAppendJSONAbsent(t *testing.T) {
	tests := []struct {
		name string
		r    record.Record
		want string
	}{
		{"zero record", record.Record{}, `{}`},
		{
			// Flow-only fields are left out of other datasets even when set.
			"dns record", record.Record{Event: record.Event{Dataset: "dns"}, Source: record.Endpoint{Packets: 5, Bytes: 100},
				Flow: record.Flow{History: "Dd", Fragment: 1}},
			`{"event":{"dataset":"dns"}}`,
		},
		{
			// Counters are written even when zero for flows; absent ports, MACs,
			// VLANs, ICMP and tunnels are not.
			"bare flow", record.Record{Event: record.Event{Dataset: record.DatasetFlow}},
			`{"event":{"dataset":"flow"},"source":{"packets":0,"bytes":0},"destination":{"packets":0,"bytes":0},` +
				`"flow":{"source":{"payload_bytes":0},"destination":{"payload_bytes":0}}}`,
		},
		{
			"port zero is present when HasPort", record.Record{Source: record.Endpoint{IP: netip.MustParseAddr("10.0.0.1"), HasPort: true}},
			`{"source":{"ip":"10.0.0.1","port":0}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(tt.r.AppendJSON(nil))
			if !json.Valid([]byte(got)) {
				t.Fatalf("invalid JSON: %s", got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONAppends(t *testing.T) {
	r := record.Record{Observer: "x"}
	got := string(r.AppendJSON([]byte("prefix ")))
	if want := `prefix {"observer":{"name":"x"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestAppendJSONHostileStrings puts attacker-controlled strings into a
// string field and a string list: the output must be valid JSON, decode to
// the input with each invalid byte replaced by U+FFFD, and contain no raw
// HTML-sensitive or control characters.
func TestAppendJSONHostileStrings(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"script tag", `<script>alert("x")</script>`, `<script>alert("x")</script>`},
		{"ampersand", "a&b", "a&b"},
		{"quotes and backslashes", `"\"\\`, `"\"\\`},
		{"newline tab cr", "a\nb\tc\rd", "a\nb\tc\rd"},
		{"nul and c0 controls", "\x00\x01\x1f", "\x00\x01\x1f"},
		{"del", "\x7f", "\x7f"},
		{"invalid utf-8 bytes", "a\xff\xfeb", "a\ufffd\ufffdb"},
		{"truncated multibyte", "caf\xc3", "caf\ufffd"},
		{"overlong encoding", "\xc0\xaf", "\ufffd\ufffd"},
		{"surrogate half", "\xed\xa0\x80", "\ufffd\ufffd\ufffd"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a\u2028b\u2029c"},
		{"multibyte", "日本語 ü 🦀", "日本語 ü 🦀"},
		{"json injection", `","evil":"1`, `","evil":"1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record.Record{Event: record.Event{Dataset: record.DatasetFlow}, Observer: tt.in}
			r.Flow.Tunnel.Types = []string{tt.in, "gre"}
			out := r.AppendJSON(nil)
			if !json.Valid(out) || !utf8.Valid(out) {
				t.Fatalf("invalid output: %q", out)
			}
			for _, c := range []string{"<", ">", "&", "\u2028", "\u2029"} {
				if strings.Contains(string(out), c) {
					t.Errorf("output contains raw %q: %s", c, out)
				}
			}
			for _, b := range out {
				if b < 0x20 {
					t.Fatalf("output contains raw control byte %#x: %q", b, out)
				}
			}
			var got struct {
				Observer struct{ Name string }
				Flow     struct{ Tunnel struct{ Types []string } }
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if got.Observer.Name != tt.want {
				t.Errorf("observer.name = %q, want %q", got.Observer.Name, tt.want)
			}
			if want := []string{tt.want, "gre"}; !slices.Equal(got.Flow.Tunnel.Types, want) {
				t.Errorf("flow.tunnel.types = %q, want %q", got.Flow.Tunnel.Types, want)
			}
		})
	}
}

func TestTCPFlagsString(t *testing.T) {
	for _, tt := range []struct {
		in   uint8
		want string
	}{
		{0, ""},
		{record.TCPFlagSYN, "S"},
		{record.TCPFlagSYN | record.TCPFlagACK, "SA"},
		{0xff, "FSRPAUEC"},
		{record.TCPFlagCWR | record.TCPFlagFIN, "FC"},
	} {
		if got := record.TCPFlagsString(tt.in); got != tt.want {
			t.Errorf("TCPFlagsString(%#x) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidMillis decodes the 48-bit time of a ULID.
func ulidMillis(t *testing.T, id string) int64 {
	t.Helper()
	var v int64
	for _, c := range id[:10] {
		i := strings.IndexRune(crockford, c)
		if i < 0 {
			t.Fatalf("id %q has %q outside Crockford base32", id, c)
		}
		v = v<<5 | int64(i)
	}
	return v
}

func TestIDGenerator(t *testing.T) {
	g := record.NewIDGenerator()
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	const n = 100000
	seen := make(map[string]bool, n)
	prev := ""
	for i := range n {
		ts := base.Add(time.Duration(i/100) * time.Millisecond) // 100 ids per millisecond
		id := g.Next(ts)
		if len(id) != 26 {
			t.Fatalf("id %q has length %d, want 26", id, len(id))
		}
		if seen[id] {
			t.Fatalf("duplicate id %s after %d ids", id, i)
		}
		seen[id] = true
		if id <= prev {
			t.Fatalf("id %s not after %s (time %v)", id, prev, ts)
		}
		prev = id
		if i%997 == 0 {
			if got := ulidMillis(t, id); got != ts.UnixMilli() {
				t.Fatalf("id %s encodes %d ms, want %d", id, got, ts.UnixMilli())
			}
		}
	}
	// A later time sorts after, an earlier one before, whatever the counter.
	later := g.Next(base.Add(time.Hour))
	earlier := g.Next(base.Add(-time.Hour))
	if later <= prev || earlier >= prev {
		t.Errorf("time order broken: earlier %s, prev %s, later %s", earlier, prev, later)
	}
	// Two generators do not collide.
	h := record.NewIDGenerator()
	if a, b := g.Next(base), h.Next(base); a == b {
		t.Errorf("two generators made the same id %s", a)
	}
}
