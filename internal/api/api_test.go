package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flowsift/flowsift/internal/api"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/dissect"
	_ "github.com/flowsift/flowsift/internal/dissect/all" // every dissector
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
	"github.com/flowsift/flowsift/internal/store/duckdb"
)

const token = "test-token-0123456789"

// fixture reads the demo captures through the sensor path (DPI on) into a
// real DuckDB store, twice: for tenants default and other. It returns the
// store, opened again read-only, and a server running the API over it.
func fixture(t *testing.T) (*duckdb.Store, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob("../../testdata/demo/*.pcap")
	if err != nil || len(files) == 0 {
		t.Fatalf("no demo captures: %v", err)
	}
	w, err := duckdb.Open(context.Background(), duckdb.DefaultConfig(dir), duckdb.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	sink := store.NewSink(w)
	for _, tenant := range []string{"default", "other"} {
		src, err := pcapfile.Open(files...)
		if err != nil {
			t.Fatal(err)
		}
		deps := flow.Deps{Sink: sink, Observer: "test", Tenant: tenant, NewInspector: func() flow.Inspector {
			e, err := dissect.New(dissect.DefaultConfig(), dissect.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}}
		if _, err := pipeline.New(pipeline.DefaultConfig(), deps).Run(context.Background(), src); err != nil {
			t.Fatal(err)
		}
		_ = src.Close()
	}
	if err := sink.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := duckdb.DefaultConfig(dir)
	cfg.ReadOnly = true
	st, err := duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := prometheus.NewRegistry()
	h, err := api.New(st, api.Config{Token: token}, reg, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return st, srv
}

// get requests path with the token (when auth) and returns status and body.
func get(t *testing.T, srv *httptest.Server, path string, auth bool) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

func getJSON(t *testing.T, srv *httptest.Server, path string, v any) {
	t.Helper()
	code, b, _ := get(t, srv, path, true)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

func storeCount(t *testing.T, st *duckdb.Store, q, tenant string) int64 {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Count(context.Background(), store.SearchRequest{Query: n, Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuth(t *testing.T) {
	_, srv := fixture(t)
	code, body, hdr := get(t, srv, "/api/v1/search", false)
	if code != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") == "" || !bytes.Contains(body, []byte("Bearer")) {
		t.Errorf("no token: %d %q %q", code, hdr.Get("WWW-Authenticate"), body)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/count", nil)
	req.Header.Set("Authorization", "Bearer "+token+"x")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	for _, p := range []string{"/healthz", "/api/v1/openapi.json", "/metrics"} {
		if code, body, _ := get(t, srv, p, false); code != http.StatusOK {
			t.Errorf("%s without a token: %d %s", p, code, body)
		}
	}
	if _, err := api.New(nil, api.Config{Token: "short"}, nil, nil); err == nil {
		t.Error("a short token was accepted")
	}
}

// TestSearchPaging pages through a search and checks every matching
// record comes exactly once, as many as the store counts.
func TestSearchPaging(t *testing.T) {
	st, srv := fixture(t)
	const q = "NOT network.transport:icmp"
	want := storeCount(t, st, q, "default")
	if want < 30 {
		t.Fatalf("only %d records: the test needs more", want)
	}
	for _, order := range []string{"newest", "oldest"} {
		seen := map[string]bool{}
		cursor := ""
		for page := 0; ; page++ {
			if page > int(want) {
				t.Fatal("paging does not end")
			}
			v := url.Values{"q": {q}, "limit": {"7"}, "order": {order}, "fields": {"source.ip"}}
			if cursor != "" {
				v.Set("cursor", cursor)
			}
			var res struct {
				Records []map[string]any `json:"records"`
				Next    string           `json:"next"`
			}
			getJSON(t, srv, "/api/v1/search?"+v.Encode(), &res)
			for _, r := range res.Records {
				id := r["event"].(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s: record %s on two pages", order, id)
				}
				seen[id] = true
				if _, ok := r["source"].(map[string]any)["ip"]; !ok {
					t.Fatalf("record without the field asked for: %v", r)
				}
			}
			if res.Next == "" {
				break
			}
			cursor = res.Next
		}
		if int64(len(seen)) != want {
			t.Errorf("%s: paged %d records, the store counts %d", order, len(seen), want)
		}
	}
}

func TestAggregations(t *testing.T) {
	st, srv := fixture(t)
	const q = "destination.port:443"
	var c struct{ Count int64 }
	getJSON(t, srv, "/api/v1/count?q="+url.QueryEscape(q), &c)
	if want := storeCount(t, st, q, "default"); c.Count != want || want == 0 {
		t.Errorf("count %d, store %d", c.Count, want)
	}
	getJSON(t, srv, "/api/v1/count?tenant=nobody", &c)
	if c.Count != 0 {
		t.Errorf("tenant nobody: %d records", c.Count)
	}
	var other, def struct{ Count int64 }
	getJSON(t, srv, "/api/v1/count?tenant=other", &other)
	getJSON(t, srv, "/api/v1/count", &def)
	if other.Count != def.Count || def.Count == 0 {
		t.Errorf("tenant other %d, default %d: the same captures went into both", other.Count, def.Count)
	}

	var top struct {
		Fields []string
		Rows   []struct {
			Values []any
			Count  int64
		}
	}
	getJSON(t, srv, "/api/v1/top?by=event.dataset,destination.port&n=3&q="+url.QueryEscape(q), &top)
	ds, _ := record.Lookup("event.dataset")
	port, _ := record.Lookup("destination.port")
	node, _ := query.Parse(q)
	want, err := st.Top(context.Background(), store.SearchRequest{Query: node, Tenant: "default"}, []*record.Field{ds, port}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Rows) != len(want) || !slices.Equal(top.Fields, []string{"event.dataset", "destination.port"}) {
		t.Fatalf("top %+v, store %+v", top, want)
	}
	for i, r := range top.Rows {
		if r.Count != want[i].Count || r.Values[0] != want[i].Values[0] {
			t.Errorf("top row %d: %+v, store %+v", i, r, want[i])
		}
	}

	var h struct {
		Interval string
		Buckets  []struct{ Count int64 }
	}
	getJSON(t, srv, "/api/v1/histogram?interval=1h&q="+url.QueryEscape(q), &h)
	var sum int64
	for _, b := range h.Buckets {
		sum += b.Count
	}
	if sum != c.Count && sum != storeCount(t, st, q, "default") || h.Interval != "1h0m0s" {
		t.Errorf("histogram %+v sums to %d", h, sum)
	}
}

func TestRecordByID(t *testing.T) {
	_, srv := fixture(t)
	var res struct {
		Records []map[string]any `json:"records"`
	}
	getJSON(t, srv, "/api/v1/search?limit=1&q="+url.QueryEscape("event.dataset:tls"), &res)
	if len(res.Records) != 1 {
		t.Fatalf("no TLS record in the demo captures")
	}
	id := res.Records[0]["event"].(map[string]any)["id"].(string)
	var rec map[string]any
	getJSON(t, srv, "/api/v1/records/"+url.PathEscape(id), &rec)
	if rec["event"].(map[string]any)["id"] != id || rec["tls"] == nil {
		t.Errorf("record %s: %v", id, rec)
	}
	for _, bad := range []string{"nosuchid", `a"b\c`, "'; DROP TABLE records_template; --"} {
		code, body, _ := get(t, srv, "/api/v1/records/"+url.PathEscape(bad), true)
		if code != http.StatusNotFound {
			t.Errorf("record %q: %d %s", bad, code, body)
		}
	}
	// The record of one tenant is not found in another.
	if code, _, _ := get(t, srv, "/api/v1/records/"+url.PathEscape(id)+"?tenant=nobody", true); code != http.StatusNotFound {
		t.Errorf("record of tenant default found in tenant nobody: %d", code)
	}
}

func TestExport(t *testing.T) {
	st, srv := fixture(t)
	const q = "destination.port:443"
	want := storeCount(t, st, q, "default")
	code, body, hdr := get(t, srv, "/api/v1/export?q="+url.QueryEscape(q), true)
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("ndjson export: %d %s", code, hdr.Get("Content-Type"))
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
	}
	if int64(n) != want {
		t.Errorf("NDJSON export: %d records, the store counts %d", n, want)
	}
	code, body, _ = get(t, srv, "/api/v1/export?format=csv&fields=source.ip,destination.port&q="+url.QueryEscape(q), true)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if code != http.StatusOK || err != nil || int64(len(rows)) != want+1 || rows[0][1] != "destination.port" || rows[1][1] != "443" {
		t.Errorf("CSV export: %d %v, %d rows", code, err, len(rows))
	}
	code, body, hdr = get(t, srv, "/api/v1/export?format=parquet&q="+url.QueryEscape(q), true)
	if code != http.StatusOK || !bytes.HasPrefix(body, []byte("PAR1")) || !bytes.HasSuffix(body, []byte("PAR1")) || hdr.Get("Content-Length") == "" {
		t.Errorf("Parquet export: %d, %d bytes", code, len(body))
	}
}

func TestBadRequests(t *testing.T) {
	st, srv := fixture(t)
	before := storeCount(t, st, "*", "default")
	for _, c := range []struct {
		path, want string
	}{
		{"/api/v1/search?q=" + url.QueryEscape("source.ip:("), "column"},
		{"/api/v1/search?q=" + url.QueryEscape("sourc.ip:10.0.0.1"), "source.ip"},
		{"/api/v1/search?q=" + url.QueryEscape("source.bytes:abc"), "source.bytes"},
		{"/api/v1/search?limit=0", "limit"},
		{"/api/v1/search?limit=99999999", "limit"},
		{"/api/v1/search?cursor=%21%21", "cursor"},
		{"/api/v1/search?cursor=bm9wZQ", "cursor"},
		{"/api/v1/search?order=sideways", "order"},
		{"/api/v1/search?since=-1h", "since"},
		{"/api/v1/search?from=yesterday", "from"},
		{"/api/v1/search?fields=source.ipp", "source.ip"},
		{"/api/v1/top", "by"},
		{"/api/v1/top?by=nosuch.field", "nosuch.field"},
		{"/api/v1/histogram?interval=1ms", "interval"},
		{"/api/v1/export?format=xml", "format"},
		{"/api/v1/search?q=" + url.QueryEscape(strings.Repeat("(", 40)+"a"+strings.Repeat(")", 40)), "nest"},
	} {
		code, body, _ := get(t, srv, c.path, true)
		var e struct {
			Error string
		}
		_ = json.Unmarshal(body, &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error, c.want) {
			t.Errorf("GET %s: %d %.300s, want 400 naming %q", c.path, code, body, c.want)
		}
	}
	// Values that would break SQL built by concatenation are bound: they
	// match nothing here and change nothing.
	for _, q := range []string{`"'; DROP TABLE records_template; --"`, `observer.name:"' OR 1=1 --"`, `flow.history:"/* */ UNION SELECT 1"`, `"ünï\u202ecödé"`} {
		var c struct{ Count int64 }
		getJSON(t, srv, "/api/v1/count?q="+url.QueryEscape(q), &c)
		if c.Count != 0 {
			t.Errorf("%s matched %d records", q, c.Count)
		}
	}
	if after := storeCount(t, st, "*", "default"); after != before {
		t.Errorf("records %d before, %d after the hostile queries", before, after)
	}
}

func TestSchemaMetricsOpenAPI(t *testing.T) {
	_, srv := fixture(t)
	var sch struct {
		Fields []struct{ Name, Type, Doc string }
	}
	getJSON(t, srv, "/api/v1/schema", &sch)
	if len(sch.Fields) != len(record.Fields) {
		t.Errorf("schema lists %d fields, the record has %d", len(sch.Fields), len(record.Fields))
	}
	for _, f := range sch.Fields {
		if f.Name == "" || f.Type == "" || f.Doc == "" {
			t.Errorf("schema field %+v lacks a name, type or doc", f)
		}
	}
	_, _, _ = get(t, srv, "/api/v1/search", false) // a 401 to count
	_, body, _ := get(t, srv, "/metrics", false)
	for _, want := range []string{`flowsift_api_requests_total{code="401",route="/api/v1/search"} 1`, `flowsift_api_requests_total{code="200",route="/api/v1/schema"} 1`, "flowsift_api_request_seconds_bucket"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Every route served is documented, and every documented one served.
	_, body, _ = get(t, srv, "/api/v1/openapi.json", false)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v %q", err, doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	served := api.Routes()
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("documented %v\nserved %v", documented, served)
	}
}
