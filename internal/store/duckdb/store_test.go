package duckdb_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
	"github.com/flowsift/flowsift/internal/store/duckdb"
)

// collector keeps deep copies of the records it is handed.
type collector struct {
	mu   sync.Mutex
	recs []record.Record
}

var _ flow.Sink = (*collector)(nil)

func (c *collector) Consume(batch []record.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range batch {
		r.Flow.PatternSizes = slices.Clone(r.Flow.PatternSizes)
		r.Flow.PatternIATMicros = slices.Clone(r.Flow.PatternIATMicros)
		r.Flow.MPLS = slices.Clone(r.Flow.MPLS)
		r.Flow.Tunnel.Types = slices.Clone(r.Flow.Tunnel.Types)
		c.recs = append(c.recs, r)
	}
}

// demoRecords runs the demo captures through the real pipeline.
func demoRecords(tb testing.TB) []record.Record {
	tb.Helper()
	files, err := filepath.Glob("../../../testdata/demo/*.pcap")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no demo captures: %v", err)
	}
	src, err := pcapfile.Open(files...)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	var c collector
	cfg := pipeline.DefaultConfig()
	cfg.Workers = 1
	if _, err := pipeline.New(cfg, flow.Deps{Sink: &c, Observer: "test", Tenant: "default"}).Run(context.Background(), src); err != nil {
		tb.Fatal(err)
	}
	if len(c.recs) < 50 {
		tb.Fatalf("only %d records from the demo captures", len(c.recs))
	}
	return c.recs
}

// fixture is the demo records, plus a copy under another tenant and a few
// records carrying hostile strings.
func fixture(tb testing.TB) []record.Record {
	tb.Helper()
	recs := demoRecords(tb)
	n := len(recs)
	for i := range n {
		r := recs[i]
		r.Tenant = "other"
		r.Event.ID += "-other"
		recs = append(recs, r)
	}
	for i, s := range hostile {
		r := recs[i]
		r.Event.ID = "hostile-" + string(rune('a'+i))
		r.Observer = s
		r.Flow.History = s
		recs = append(recs, r)
	}
	return recs
}

var hostile = []string{
	`'; DROP TABLE records_template; --`,
	`" OR 1=1 --`,
	`/* comment */ UNION SELECT 1`,
	"tab\tnew\nline\x1b[31mred",
	`ünïcödé ∀x 🦆 \ % _ ?`,
}

func openStore(tb testing.TB, dir string, ro bool) *duckdb.Store {
	tb.Helper()
	cfg := duckdb.DefaultConfig(dir)
	cfg.ReadOnly = ro
	s, err := duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// fixtureStore writes the fixture to a store, closes it and opens it
// again read-only, so that the tests read what was persisted.
func fixtureStore(t *testing.T) (*duckdb.Store, []record.Record) {
	t.Helper()
	recs := fixture(t)
	dir := t.TempDir()
	w := openStore(t, dir, false)
	for i := 0; i < len(recs); i += 7 { // odd batch sizes
		if err := w.Append(recs[i:min(i+7, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return openStore(t, dir, true), recs
}

// phrase quotes s as a query phrase.
func phrase(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// wantIDs returns the event ids of the records matching q by the reference
// predicate.
func wantIDs(t *testing.T, recs []record.Record, q string, opts query.Options) []string {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	p, err := query.NewPredicate(n, opts)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range recs {
		if p(&recs[i]) {
			ids = append(ids, recs[i].Event.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func gotIDs(t *testing.T, s *duckdb.Store, q string, req store.SearchRequest) []string {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	req.Query = n
	req.Limit = 1 << 20
	id, _ := record.Lookup("event.id")
	req.Fields = []*record.Field{id}
	rows, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		ids = append(ids, rows.Row().Values[0].Str)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	count, err := s.Count(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if int(count) != len(ids) {
		t.Errorf("%q: Count = %d, Search returned %d", q, count, len(ids))
	}
	return ids
}

func TestSearchMatchesPredicate(t *testing.T) {
	s, recs := fixtureStore(t)
	// Pick values that occur in the data so the queries select something.
	r0 := recs[0]
	var tcpDst, udpDst netip.Addr
	for _, r := range recs {
		if r.Network.Transport == "tcp" && !tcpDst.IsValid() {
			tcpDst = r.Destination.IP
		}
		if r.Network.Transport == "udp" && !udpDst.IsValid() {
			udpDst = r.Destination.IP
		}
	}
	mid := recs[len(recs)/4].Timestamp
	queries := []string{
		"*",
		"network.transport:tcp",
		"network.transport:udp AND destination.port:53",
		"NOT network.transport:tcp",
		"NOT source.port:443",
		"destination.port:443 OR destination.port:80",
		"destination.port:(443 OR 80)",
		"destination.port:>1024",
		"destination.port:[1 TO 1023]",
		"source.bytes:>=1000",
		"source.ip:10.0.0.0/8",
		"source.ip:192.168.0.0/16 AND NOT destination.ip:192.168.0.0/16",
		"destination.ip:" + tcpDst.String(),
		"destination.ip:" + udpDst.String(),
		"network.type:ipv6",
		"source.ip:\"::/0\"",
		"flow.history:S*",
		"flow.history:*F*",
		"flow.end_reason:tcp-fin",
		"flow.source.tcp_flags:*S*",
		"flow.pattern.sizes:>1000",
		"flow.pattern.directions:sd*",
		"_exists_:icmp.type",
		"_exists_:source.port AND NOT _exists_:network.vlan.id",
		"-network.transport:tcp",
		"event.id:" + r0.Event.ID,
		"network.community_id:\"" + r0.Network.CommunityID + "\"",
		// Free text that has the shape of an identifier matches it whole.
		phrase(r0.Network.CommunityID),
		strings.ToLower(r0.Event.ID),
		strings.ToUpper(r0.Flow.ID),
		r0.Flow.ID[:8],
		"tcp",
		"TCP AND 443",
		"\"tcp-fin\"",
		"192.168.*",
		"source.mac:*",
		"@timestamp:>=\"" + mid.UTC().Format(time.RFC3339Nano) + "\"",
		"observer.name:test",
		"observer.name:" + phrase(hostile[0]),
		"flow.history:" + phrase(hostile[1]),
		"observer.name:" + phrase(hostile[3]),
		phrase(hostile[4]),
		"drop",
		"'",
		"\\%",
		"🦆",
	}
	selective := 0
	for _, tenant := range []string{"default", "other"} {
		for _, q := range queries {
			t.Run(tenant+"/"+q, func(t *testing.T) {
				want := wantIDs(t, recs, q, query.Options{Tenant: tenant})
				got := gotIDs(t, s, q, store.SearchRequest{Tenant: tenant})
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%q (-predicate +store):\n%s", q, diff)
				}
				if len(want) > 0 {
					selective++
				}
				t.Logf("%d records", len(want))
			})
		}
	}
	if selective < len(queries) {
		t.Errorf("only %d of %d queries select records: the fixture no longer exercises them", selective, 2*len(queries))
	}
	// A time window.
	from, to := recs[0].Timestamp.Add(time.Second), recs[0].Timestamp.Add(30*time.Second)
	want := wantIDs(t, recs, "*", query.Options{Tenant: "default", From: from, To: to})
	got := gotIDs(t, s, "*", store.SearchRequest{Tenant: "default", From: from, To: to})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("time window (-predicate +store):\n%s", diff)
	}
	if len(want) == 0 || len(want) == len(recs)/2 {
		t.Logf("time window selects %d records", len(want))
	}
}

func TestAggregations(t *testing.T) {
	s, recs := fixtureStore(t)
	ctx := context.Background()
	port, _ := record.Lookup("destination.port")
	transport, _ := record.Lookup("network.transport")
	req := store.SearchRequest{Tenant: "default"}

	// Top values, counted independently.
	type key struct {
		port      int64
		transport string
	}
	want := map[key]int64{}
	for i := range recs {
		r := &recs[i]
		if r.Tenant != "default" || !r.Destination.HasPort {
			continue
		}
		want[key{int64(r.Destination.Port), r.Network.Transport}]++
	}
	top, err := s.Top(ctx, req, []*record.Field{port, transport}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[key]int64{}
	for i, tr := range top {
		if i > 0 && tr.Count > top[i-1].Count {
			t.Errorf("top is not sorted: %v after %v", tr, top[i-1])
		}
		if tr.Values[0] == nil {
			continue // records without a port
		}
		got[key{tr.Values[0].(int64), tr.Values[1].(string)}] = tr.Count
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("top destination.port,network.transport (-want +got):\n%s", diff)
	}
	if top3, err := s.Top(ctx, req, []*record.Field{port}, 3); err != nil || len(top3) != 3 {
		t.Errorf("top 3 = %v, %v", top3, err)
	}

	// Sums and distinct counts, computed independently: top talkers by
	// bytes, total bytes, distinct destinations.
	srcIP, _ := record.Lookup("source.ip")
	bytesF, _ := record.Lookup("network.bytes")
	dstIP, _ := record.Lookup("destination.ip")
	wantSum := map[string]int64{}
	var total int64
	dsts := map[netip.Addr]bool{}
	for i := range recs {
		r := &recs[i]
		if r.Tenant != "default" {
			continue
		}
		if v, ok := getInt(bytesF, r); ok {
			wantSum[r.Source.IP.String()] += v
			total += v
		} else {
			wantSum[r.Source.IP.String()] += 0
		}
		if r.Destination.IP.IsValid() {
			dsts[r.Destination.IP] = true
		}
	}
	talkers, err := s.TopSum(ctx, req, []*record.Field{srcIP}, bytesF, 1000)
	if err != nil {
		t.Fatal(err)
	}
	gotSum := map[string]int64{}
	for i, tr := range talkers {
		if i > 0 && tr.Sum > talkers[i-1].Sum {
			t.Errorf("top by sum is not sorted: %v after %v", tr, talkers[i-1])
		}
		if tr.Values[0] != nil {
			gotSum[tr.Values[0].(string)] = tr.Sum
		}
	}
	if diff := cmp.Diff(wantSum, gotSum); diff != "" {
		t.Errorf("top source.ip by network.bytes (-want +got):\n%s", diff)
	}
	if got, err := s.Sum(ctx, req, bytesF); err != nil || got != total {
		t.Errorf("sum network.bytes = %d, %v; want %d", got, err, total)
	}
	if got, err := s.Distinct(ctx, req, dstIP); err != nil || got != int64(len(dsts)) {
		t.Errorf("distinct destination.ip = %d, %v; want %d", got, err, len(dsts))
	}
	if _, err := s.Sum(ctx, req, srcIP); err == nil {
		t.Error("a sum of addresses was accepted")
	}

	// A histogram per minute sums to the count, in order.
	n, err := s.Count(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := s.Histogram(ctx, req, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	wantHist := map[time.Time]int64{}
	for i := range recs {
		if recs[i].Tenant == "default" {
			wantHist[recs[i].Timestamp.UTC().Truncate(time.Minute)]++
		}
	}
	gotHist := map[time.Time]int64{}
	var sum int64
	for i, b := range hist {
		if i > 0 && !b.Start.After(hist[i-1].Start) {
			t.Errorf("histogram out of order at %d", i)
		}
		gotHist[b.Start] = b.Count
		sum += b.Count
	}
	if sum != n {
		t.Errorf("histogram sums to %d, count is %d", sum, n)
	}
	if diff := cmp.Diff(wantHist, gotHist); diff != "" {
		t.Errorf("histogram (-want +got):\n%s", diff)
	}
}

// TestInjection runs hostile values through every kind of condition; the
// store must answer as the predicate does and stay intact.
func TestInjection(t *testing.T) {
	s, recs := fixtureStore(t)
	for _, h := range hostile {
		for _, q := range []string{
			"observer.name:" + phrase(h),
			"flow.history:" + phrase(h+"*"),
			phrase(h),
			"NOT observer.name:" + phrase(h),
		} {
			want := wantIDs(t, recs, q, query.Options{Tenant: "default"})
			got := gotIDs(t, s, q, store.SearchRequest{Tenant: "default"})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q (-predicate +store):\n%s", q, diff)
			}
		}
		// A hostile tenant is a value too.
		if n, err := s.Count(context.Background(), store.SearchRequest{Tenant: h}); err != nil || n != 0 {
			t.Errorf("tenant %q: %d, %v", h, n, err)
		}
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Records != int64(len(recs)) {
		t.Errorf("after the hostile queries: %d records (%v), want %d", st.Records, err, len(recs))
	}
}

func TestRetention(t *testing.T) {
	recs := demoRecords(t)
	day := func(d int) time.Time { return time.Date(2026, 11, 1+d, 12, 0, 0, 0, time.UTC) }
	var all []record.Record
	for d := range 5 {
		for _, r := range recs[:10] {
			r.Timestamp = day(d).Add(time.Duration(len(all)) * time.Second)
			r.Event.ID = fmt.Sprintf("%s-%d", r.Event.ID, len(all))
			all = append(all, r)
		}
	}
	dir := t.TempDir()
	cfg := duckdb.DefaultConfig(dir)
	s, err := duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(all); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen with 2 days of retention, "now" being the end of day 4: days
	// 0, 1 and 2 end at or before now-48h and go, whole.
	cfg.Retention = 48 * time.Hour
	now := time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC)
	s, err = duckdb.Open(context.Background(), cfg, duckdb.Deps{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Partitions != 2 || st.Records != 20 || !st.Oldest.Equal(all[30].Timestamp) {
		t.Errorf("after retention: %+v, want 2 partitions, 20 records from %s", st, all[30].Timestamp)
	}
	n, err := s.Count(context.Background(), store.SearchRequest{Tenant: "default", From: day(0), To: day(3)})
	if err != nil || n != 0 {
		t.Errorf("records before the horizon: %d, %v", n, err)
	}
}

// TestExport checks the Parquet export and the unlimited, oldest-first
// listing export uses: the same records as the reference predicate, in
// time order, field names as column names, hostile strings intact.
func TestExport(t *testing.T) {
	s, recs := fixtureStore(t)
	ctx := context.Background()
	const q = "NOT network.transport:icmp"
	node, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	opts := query.Options{Tenant: "default", Dialect: query.DuckDB{}}
	want := wantIDs(t, recs, q, opts)
	if len(want) < 20 {
		t.Fatalf("only %d records match: the test needs more", len(want))
	}
	if got := gotIDsLimit(t, s, node, 10); got != 10 {
		t.Errorf("Limit 10 listed %d records", got)
	}

	id, _ := record.Lookup("event.id")
	ts, _ := record.Lookup("@timestamp")
	rows, err := s.Search(ctx, store.SearchRequest{Query: node, Tenant: "default", Limit: store.NoLimit, Oldest: true,
		Fields: []*record.Field{id, ts}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var last time.Time
	for rows.Next() {
		r := rows.Row()
		got = append(got, r.Values[0].Str)
		if r.Values[1].Time.Before(last) {
			t.Fatalf("record %s at %v comes after %v: not oldest first", r.Values[0].Str, r.Values[1].Time, last)
		}
		last = r.Values[1].Time
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NoLimit search (-want +got):\n%s", diff)
	}

	path := filepath.Join(t.TempDir(), `it's "odd"; --.parquet`)
	n, err := s.ExportParquet(ctx, store.SearchRequest{Query: node, Tenant: "default"}, path)
	if err != nil {
		t.Fatal(err)
	}
	if int(n) != len(want) {
		t.Errorf("exported %d records, want %d", n, len(want))
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	prows, err := db.QueryContext(ctx, `SELECT "event.id", "observer.name", "source.ip", "flow.pattern.sizes" FROM read_parquet(?)`, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = prows.Close() }()
	byID := map[string]*record.Record{}
	for i := range recs {
		byID[recs[i].Event.ID] = &recs[i]
	}
	got = got[:0]
	for prows.Next() {
		var eid, obs, sip string
		var sizes any
		if err := prows.Scan(&eid, &obs, &sip, &sizes); err != nil {
			t.Fatal(err)
		}
		got = append(got, eid)
		r := byID[eid]
		if r == nil {
			t.Fatalf("exported unknown record %q", eid)
		}
		if obs != r.Observer || sip != r.Source.IP.String() {
			t.Errorf("%s: observer.name %q source.ip %q, want %q %q", eid, obs, sip, r.Observer, r.Source.IP)
		}
		if l, _ := sizes.([]any); len(l) != len(r.Flow.PatternSizes) && r.Event.Dataset == record.DatasetFlow {
			t.Errorf("%s: flow.pattern.sizes %v, want %v", eid, sizes, r.Flow.PatternSizes)
		}
	}
	if err := prows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parquet export (-want +got):\n%s", diff)
	}
}

func gotIDsLimit(t *testing.T, s *duckdb.Store, node query.Node, limit int) int {
	t.Helper()
	rows, err := s.Search(context.Background(), store.SearchRequest{Query: node, Tenant: "default", Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	n := 0
	for rows.Next() {
		n++
	}
	return n
}

// TestCursorPaging pages through a search seven records at a time, in both
// orders, and checks every matching record comes exactly once.
func TestCursorPaging(t *testing.T) {
	s, recs := fixtureStore(t)
	const q = "NOT network.transport:icmp"
	node, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	want := wantIDs(t, recs, q, query.Options{Tenant: "default", Dialect: query.DuckDB{}})
	id, _ := record.Lookup("event.id")
	ts, _ := record.Lookup("@timestamp")
	for _, oldest := range []bool{false, true} {
		var got []string
		var after *store.Cursor
		for page := 0; ; page++ {
			if page > len(want) {
				t.Fatal("paging does not end")
			}
			rows, err := s.Search(context.Background(), store.SearchRequest{Query: node, Tenant: "default", Limit: 7,
				Oldest: oldest, After: after, Fields: []*record.Field{id, ts}})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				r := rows.Row()
				got = append(got, r.Values[0].Str)
				after = &store.Cursor{Time: r.Values[1].Time, ID: r.Values[0].Str}
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			_ = rows.Close()
			if n < 7 {
				break
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("oldest=%v: paged ids (-want +got):\n%s", oldest, diff)
		}
	}
}

// TestSearchTextMigration opens a store written before the search-text
// column existed (the column dropped again) and checks that free text
// still finds its records once the writer has migrated it.
func TestSearchTextMigration(t *testing.T) {
	recs := demoRecords(t)
	dir := t.TempDir()
	w := openStore(t, dir, false)
	if err := w.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "flowsift.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'records_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	_ = rows.Close()
	if _, err := db.Exec(`DROP VIEW IF EXISTS records`); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if _, err := db.Exec(`ALTER TABLE "` + tb + `" DROP COLUMN _text`); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()

	w = openStore(t, dir, false) // migrates
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir, true)
	const q = "TCP-FIN"
	want := wantIDs(t, recs, q, query.Options{Tenant: "default", Dialect: query.DuckDB{}})
	if len(want) == 0 {
		t.Fatal("no demo record ended with a FIN")
	}
	if diff := cmp.Diff(want, gotIDs(t, s, q, store.SearchRequest{Tenant: "default"})); diff != "" {
		t.Errorf("free text after migration (-want +got):\n%s", diff)
	}
}

// TestRetentionBySize fills five day partitions, then reopens the store
// with a size bound: the oldest days go until the rest fits, the newest
// always stays.
func TestRetentionBySize(t *testing.T) {
	recs := demoRecords(t)
	day := func(d int) time.Time { return time.Date(2026, 11, 1+d, 12, 0, 0, 0, time.UTC) }
	var all []record.Record
	for d := range 5 {
		for k := range 2000 { // enough rows per day to take blocks of their own
			r := recs[k%len(recs)]
			r.Timestamp = day(d).Add(time.Duration(k) * time.Second)
			r.Event.ID = fmt.Sprintf("%s-%d-%d", r.Event.ID, d, k)
			all = append(all, r)
		}
	}
	dir := t.TempDir()
	cfg := duckdb.DefaultConfig(dir)
	s, err := duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(all); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A generous bound keeps everything.
	cfg.MaxBytes = 1 << 40
	s, err = duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(context.Background())
	_ = s.Close()
	if st.Partitions != 5 {
		t.Fatalf("a 1 TiB bound dropped partitions: %+v", st)
	}
	// A bound nothing fits in keeps only the newest day.
	cfg.MaxBytes = 1
	s, err = duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	st, err = s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Partitions != 1 || st.Records != 2000 || !st.Oldest.Equal(day(4)) {
		t.Errorf("after the size bound: %+v, want the 2000 records of %s", st, day(4))
	}
	if err := (duckdb.Config{Dir: dir, BatchRows: 1, FlushInterval: time.Second, MaxBytes: -1}).Validate(); err == nil {
		t.Error("a negative size bound was accepted")
	}
}

func getInt(f *record.Field, r *record.Record) (int64, bool) {
	var v record.Value
	if !f.Get(r, &v) {
		return 0, false
	}
	return v.Int, true
}
