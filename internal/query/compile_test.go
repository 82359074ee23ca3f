package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/record"
)

func TestCompile(t *testing.T) {
	const tenant = `"tenant_id" = ?`
	tests := []struct {
		q    string
		sql  string // after the tenant condition
		args []any  // after the tenant
	}{
		{``, ``, nil},
		{`*`, ``, nil},
		{`source.port:80`, ` AND ("source_port" = ?)`, []any{int64(80)}},
		{`source.port:-1`, ` AND ("source_port" = ?)`, []any{int64(-1)}},
		{`source.bytes:>1000000`, ` AND ("source_bytes" > ?)`, []any{int64(1000000)}},
		{`source.bytes:>=1`, ` AND ("source_bytes" >= ?)`, []any{int64(1)}},
		{`source.bytes:<1`, ` AND ("source_bytes" < ?)`, []any{int64(1)}},
		{`source.bytes:<=1`, ` AND ("source_bytes" <= ?)`, []any{int64(1)}},
		{`source.port:[1024 TO 65535]`, ` AND ("source_port" BETWEEN ? AND ?)`, []any{int64(1024), int64(65535)}},
		{`source.port:{1024 TO 65535}`, ` AND (("source_port" > ? AND "source_port" < ?))`, []any{int64(1024), int64(65535)}},
		{`source.port:[1024 TO *]`, ` AND ("source_port" >= ?)`, []any{int64(1024)}},
		{`source.port:[* TO *]`, ` AND ("source_port" IS NOT NULL)`, nil},
		{`source.port:(80 OR 443)`, ` AND (("source_port" = ? OR "source_port" = ?))`, []any{int64(80), int64(443)}},
		{`event.dataset:flow`, ` AND (lower("event_dataset") = ?)`, []any{"flow"}},
		{`event.dataset:"Flow"`, ` AND (lower("event_dataset") = ?)`, []any{"flow"}},
		{`event.dataset:fl*`, ` AND ("event_dataset" ILIKE ? ESCAPE '\')`, []any{"fl%"}},
		{`event.dataset:f?o_w%\*`, ` AND ("event_dataset" ILIKE ? ESCAPE '\')`, []any{`f_o\_w\%*`}},
		{`event.dataset:"10.0.0.0/8"`, ` AND (lower("event_dataset") = ?)`, []any{"10.0.0.0/8"}},
		{`flow.interim:true`, ` AND ("flow_interim" = ?)`, []any{true}},
		{`NOT flow.interim:true`, ` AND (NOT COALESCE("flow_interim" = ?, FALSE))`, []any{true}},
		{`_exists_:network.community_id`, ` AND ("network_community_id" IS NOT NULL)`, nil},
		{`source.ip:10.1.2.3`, ` AND ("source_ip_num" = CAST(? AS UHUGEINT))`, []any{"281470849581571"}},
		{`source.ip:10.0.0.0/8`, ` AND ("source_ip_num" BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT))`,
			[]any{"281470849515520", "281470866292735"}},
		{`source.ip:10.0.0.7/8`, ` AND ("source_ip_num" BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT))`,
			[]any{"281470849515520", "281470866292735"}},
		{`source.ip:2001:db8::/32`, ` AND ("source_ip_num" BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT))`,
			[]any{"42540766411282592856903984951653826560", "42540766490510755371168322545197776895"}},
		{`source.ip:::/0`, ` AND ("source_ip_num" BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT))`,
			[]any{"0", "340282366920938463463374607431768211455"}},
		{`source.ip:10.0.*`, ` AND ("source_ip" ILIKE ? ESCAPE '\')`, []any{"10.0.%"}},
		{`source.mac:00:1a:2b:3c:4d:5e`, ` AND (lower("source_mac") = ?)`, []any{"00-1a-2b-3c-4d-5e"}},
		{`source.mac:00:1a:*`, ` AND ("source_mac" ILIKE ? ESCAPE '\')`, []any{"00-1a-%"}},
		{`@timestamp:2026-11-01`, ` AND (("timestamp" >= CAST(? AS TIMESTAMP) AND "timestamp" < CAST(? AS TIMESTAMP)))`,
			[]any{"2026-11-01 00:00:00", "2026-11-02 00:00:00"}},
		{`@timestamp:[2026-11-01 TO 2026-11-02]`, ` AND (("timestamp" >= CAST(? AS TIMESTAMP) AND "timestamp" < CAST(? AS TIMESTAMP)))`,
			[]any{"2026-11-01 00:00:00", "2026-11-03 00:00:00"}},
		{`@timestamp:{2026-11-01 TO 2026-11-02}`, ` AND (("timestamp" >= CAST(? AS TIMESTAMP) AND "timestamp" < CAST(? AS TIMESTAMP)))`,
			[]any{"2026-11-02 00:00:00", "2026-11-02 00:00:00"}},
		{`@timestamp:>2026-11-01T10:00`, ` AND ("timestamp" >= CAST(? AS TIMESTAMP))`, []any{"2026-11-01 10:01:00"}},
		{`@timestamp:<2026-11-01T10:00:00.5+02:00`, ` AND ("timestamp" < CAST(? AS TIMESTAMP))`, []any{"2026-11-01 08:00:00.5"}},
		{`@timestamp:<=2026-11`, ` AND ("timestamp" < CAST(? AS TIMESTAMP))`, []any{"2026-12-01 00:00:00"}},
		{`flow.tunnel.types:vxlan`, ` AND (len(list_filter("flow_tunnel_types", lambda x: lower(x) = ?)) > 0)`, []any{"vxlan"}},
		{`flow.tunnel.types:gre*`, ` AND (len(list_filter("flow_tunnel_types", lambda x: x ILIKE ? ESCAPE '\')) > 0)`, []any{"gre%"}},
		{`flow.pattern.sizes:1500`, ` AND (list_contains("flow_pattern_sizes", ?))`, []any{int64(1500)}},
		{`flow.pattern.sizes:[1400 TO 1500]`, ` AND (len(list_filter("flow_pattern_sizes", lambda x: x BETWEEN ? AND ?)) > 0)`,
			[]any{int64(1400), int64(1500)}},
		{`a:b`, ``, nil}, // error, see TestCompileErrors
	}
	for _, tt := range tests {
		if tt.q == `a:b` {
			continue
		}
		t.Run(tt.q, func(t *testing.T) {
			n, err := Parse(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Compile(n, Options{Tenant: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			want := SQL{Where: tenant + tt.sql, Args: append([]any{"acme"}, tt.args...)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Compile(%q) (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

// noText is DuckDB without a search-text column: free text looks into
// every column.
type noText struct{ DuckDB }

func (noText) TextColumn() string { return "" }

func TestCompileText(t *testing.T) {
	n, err := Parse(`Evil.Example.com`)
	if err != nil {
		t.Fatal(err)
	}
	// With the store's search text: one contains on it, and the IP
	// fields by their text form.
	got, err := Compile(n, Options{Tenant: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Where, `contains("_text", ?)`) || !strings.Contains(got.Where, `contains(lower("source_ip"), ?)`) ||
		strings.Contains(got.Where, `lower("event_dataset")`) || strings.Contains(got.Where, `lower("dns_question_name")`) {
		t.Errorf("free text with the search text:\n%s", got.Where)
	}
	// A separator in the term would match across fields: every column.
	n2, _ := Parse("\"a\x1fb\"")
	if got, _ := Compile(n2, Options{Tenant: "acme"}); strings.Contains(got.Where, "_text") {
		t.Errorf("a term with the separator used the search text:\n%s", got.Where)
	}
	got, err = Compile(n, Options{Tenant: "acme", Dialect: noText{}})
	if err != nil {
		t.Fatal(err)
	}
	// Every text field but the tenant is searched, each with its own
	// argument; IP fields by their text form.
	for _, want := range []string{
		`contains(lower("event_dataset"), ?)`,
		`contains(lower("source_ip"), ?)`,
		`contains(lower("source_mac"), ?)`,
		`len(list_filter("flow_tunnel_types", lambda x: contains(lower(x), ?))) > 0`,
	} {
		if !strings.Contains(got.Where, want) {
			t.Errorf("SQL lacks %s:\n%s", want, got.Where)
		}
	}
	if strings.Contains(got.Where, `lower("tenant_id")`) {
		t.Errorf("free text searches the tenant:\n%s", got.Where)
	}
	if n := strings.Count(got.Where, "?"); n != len(got.Args) {
		t.Errorf("%d placeholders, %d args", n, len(got.Args))
	}
	for _, a := range got.Args[1:] {
		if a != "evil.example.com" {
			t.Errorf("arg %v, want the lower-cased text", a)
		}
	}

	// An address also matches the IP fields by value.
	n, _ = Parse(`10.1.2.3`)
	got, _ = Compile(n, Options{Tenant: "acme"})
	if !strings.Contains(got.Where, `"source_ip_num" = CAST(? AS UHUGEINT)`) || strings.Contains(got.Where, `lower("source_ip")`) {
		t.Errorf("IP free text:\n%s", got.Where)
	}
	// Wildcards search anywhere in the value.
	n, _ = Parse(`ev?l*`)
	got, _ = Compile(n, Options{Tenant: "acme"})
	if !strings.Contains(got.Where, `"event_dataset" ILIKE ? ESCAPE '\'`) || got.Args[1] != "%ev_l%%" {
		t.Errorf("wildcard free text: %s %v", got.Where, got.Args)
	}
}

func TestCompileOptions(t *testing.T) {
	n, _ := Parse(`source.port:80`)
	if _, err := Compile(n, Options{}); !errors.Is(err, ErrNoTenant) {
		t.Errorf("no tenant: err = %v, want ErrNoTenant", err)
	}
	if _, err := NewPredicate(n, Options{}); !errors.Is(err, ErrNoTenant) {
		t.Errorf("predicate without tenant: err = %v, want ErrNoTenant", err)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	got, err := Compile(n, Options{Tenant: "acme", From: from, To: from.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := SQL{
		Where: `"tenant_id" = ? AND "timestamp" >= CAST(? AS TIMESTAMP) AND "timestamp" < CAST(? AS TIMESTAMP) AND ("source_port" = ?)`,
		Args:  []any{"acme", "2026-10-31 23:00:00", "2026-11-01 23:00:00", int64(80)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Trees built by hand (not by Parse) are checked again when compiled.
func TestCompileErrors(t *testing.T) {
	port, _ := record.Lookup("source.port")
	interim, _ := record.Lookup("flow.interim")
	tests := []struct {
		name string
		n    Node
		msg  string
	}{
		{"bad number", &Match{Field: port, Value: Value{Text: "x", At: 3}, At: 1}, `"x" is not a number`},
		{"range on bool", &Range{Field: interim, At: 1}, `does not support ranges`},
		{"compare on bool", &Compare{Field: interim, Op: OpGT, Value: Value{Text: "true"}, At: 1}, `does not support >`},
		{"empty and", &And{}, `empty AND`},
		{"nil", &Not{X: nil}, `nil node`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.n, Options{Tenant: "acme"})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Compile error = %v, want %q", err, tt.msg)
			}
			_, err = NewPredicate(tt.n, Options{Tenant: "acme"})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("NewPredicate error = %v, want %q", err, tt.msg)
			}
		})
	}
}

// Column names derive from the schema and must stay distinct and plain.
func TestColumnNames(t *testing.T) {
	seen := map[string]string{}
	for i := range record.Fields {
		f := &record.Fields[i]
		names := []string{ColumnName(f)}
		if f.Type == record.TypeIP {
			names = append(names, IPNumColumnName(f))
		}
		for _, c := range names {
			for _, r := range c {
				if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
					t.Errorf("column %q of %s has %q", c, f.Name, r)
				}
			}
			if other, dup := seen[c]; dup {
				t.Errorf("column %q of %s collides with %s", c, f.Name, other)
			}
			seen[c] = f.Name
		}
	}
}
