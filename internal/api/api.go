// Package api serves a store over HTTP: search with cursor paging, count,
// top values, time histograms, one record by event.id, streamed export
// (NDJSON, CSV, Parquet) and the schema, behind a bearer token; plus
// /healthz and Prometheus /metrics. openapi.json in this folder documents
// every route and is served at /api/v1/openapi.json.
//
// Place in the pipeline: the workbench end; `flowsift serve` runs it over
// the embedded store. Every request carries a tenant (the tenant
// parameter, "default" when absent); the admin token may read any tenant.
// Roles and per-tenant tokens come later.
//
// Queries arrive from the network: they go through package query, whose
// limits bound their size and whose compiler binds every value. Records
// carry attacker-controlled strings; they leave as JSON (escaped, with <,
// > and & as \u escapes) or CSV (formula cells defused), never as HTML.
package api

import (
	"crypto/sha256"
	"crypto/subtle"
	_ "embed" // the OpenAPI document
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

//go:embed openapi.json
var openAPI []byte

// Config configures the API.
type Config struct {
	// Token is the admin bearer token; required, at least 16 characters.
	Token string
	// MaxLimit caps the records of one search page (default 10,000).
	MaxLimit int
	// Log receives one line per failed request; nil logs nothing.
	Log *slog.Logger
}

// Server is the API's HTTP handler.
type Server struct {
	st       store.Reader
	cfg      Config
	token    [sha256.Size]byte
	mux      *http.ServeMux
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New returns the API over st. Its metrics are registered with reg, and
// /metrics serves what gather collects (both may be nil).
func New(st store.Reader, cfg Config, reg prometheus.Registerer, gather prometheus.Gatherer) (*Server, error) {
	if len(cfg.Token) < 16 {
		return nil, errors.New("api: the token must have at least 16 characters")
	}
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = 10_000
	}
	s := &Server{st: st, cfg: cfg, token: sha256.Sum256([]byte(cfg.Token)), mux: http.NewServeMux()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "flowsift_api_requests_total", Help: "API requests by route and HTTP status code.",
	}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "flowsift_api_request_seconds", Help: "API request latency by route.",
		Buckets: []float64{.001, .005, .01, .05, .1, .3, 1, 2, 5, 30},
	}, []string{"route"})
	if reg != nil {
		if err := reg.Register(s.requests); err != nil {
			return nil, fmt.Errorf("api: metrics: %w", err)
		}
		if err := reg.Register(s.latency); err != nil {
			return nil, fmt.Errorf("api: metrics: %w", err)
		}
	}
	for _, r := range []struct {
		route string
		h     func(http.ResponseWriter, *http.Request) error
	}{
		{"/api/v1/search", s.search},
		{"/api/v1/count", s.count},
		{"/api/v1/top", s.top},
		{"/api/v1/histogram", s.histogram},
		{"/api/v1/sum", s.sum},
		{"/api/v1/distinct", s.distinct},
		{"/api/v1/records/{id}", s.record},
		{"/api/v1/export", s.export},
		{"/api/v1/schema", s.schema},
	} {
		s.mux.Handle("GET "+r.route, s.handle(r.route, true, r.h))
	}
	s.mux.Handle("GET /api/v1/openapi.json", s.handle("/api/v1/openapi.json", false, func(w http.ResponseWriter, _ *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(openAPI)
		return err
	}))
	s.mux.Handle("GET /healthz", s.handle("/healthz", false, func(w http.ResponseWriter, _ *http.Request) error {
		_, err := io.WriteString(w, "ok\n")
		return err
	}))
	if gather != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(gather, promhttp.HandlerOpts{}))
	}
	return s, nil
}

// Routes lists the routes served, as "METHOD /path" (for the OpenAPI test).
func Routes() []string {
	return []string{
		"GET /api/v1/search", "GET /api/v1/count", "GET /api/v1/top", "GET /api/v1/histogram", "GET /api/v1/sum", "GET /api/v1/distinct",
		"GET /api/v1/records/{id}", "GET /api/v1/export", "GET /api/v1/schema", "GET /api/v1/openapi.json",
		"GET /healthz", "GET /metrics",
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// apiError is an error with its HTTP status and, for query errors, the
// column of the query where it was found.
type apiError struct {
	status int
	msg    string
	pos    int
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

// statusWriter remembers the status code for the metrics.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.code, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) handle(route string, auth bool, h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		err := s.authorize(r, auth)
		if err == nil {
			err = h(sw, r)
		}
		if err != nil {
			s.fail(sw, r, err)
		}
		if !sw.wrote {
			sw.code = http.StatusOK
		}
		s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (s *Server) authorize(r *http.Request, auth bool) error {
	if !auth {
		return nil
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	// Hashes of equal length are compared, so the time taken tells
	// nothing about the token's length or prefix.
	if sum := sha256.Sum256([]byte(tok)); !ok || subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
		return &apiError{status: http.StatusUnauthorized, msg: "missing or wrong bearer token: send Authorization: Bearer <token>"}
	}
	return nil
}

func (s *Server) fail(w *statusWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{status: http.StatusInternalServerError, msg: "internal error: " + err.Error()}
		if r.Context().Err() != nil {
			ae = &apiError{status: 499, msg: "request canceled"}
		}
	}
	if s.cfg.Log != nil {
		s.cfg.Log.Warn("api request failed", "path", r.URL.Path, "status", ae.status, "error", ae.msg)
	}
	if w.wrote {
		return // a streamed response broke off: nothing more can be said
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flowsift"`)
	}
	body := map[string]any{"error": ae.msg}
	if ae.pos > 0 {
		body["position"] = ae.pos
	}
	writeJSON(w, ae.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// request reads the parameters every read shares: q, tenant, since, from,
// to and fields.
func (s *Server) request(r *http.Request) (store.SearchRequest, error) {
	v := r.URL.Query()
	q := strings.TrimSpace(v.Get("q"))
	if q == "" {
		q = "*"
	}
	node, err := query.Parse(q)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			return store.SearchRequest{}, &apiError{status: http.StatusBadRequest, msg: err.Error(), pos: qe.Pos}
		}
		return store.SearchRequest{}, badRequest("%v", err)
	}
	req := store.SearchRequest{Query: node, Tenant: v.Get("tenant")}
	if req.Tenant == "" {
		req.Tenant = "default"
	}
	if d := v.Get("since"); d != "" {
		dur, err := time.ParseDuration(d)
		if err != nil || dur <= 0 {
			return req, badRequest("since %q: want a positive duration such as 15m or 24h", d)
		}
		req.From = time.Now().Add(-dur)
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &req.From}, {"to", &req.To}} {
		if x := v.Get(p.name); x != "" {
			t, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return req, badRequest("%s %q: want an RFC 3339 time such as 2026-11-02T00:00:00Z", p.name, x)
			}
			*p.t = t
		}
	}
	if f := v.Get("fields"); f != "" {
		if req.Fields, err = lookupFields(f, "fields"); err != nil {
			return req, err
		}
	}
	return req, nil
}

func lookupFields(list, param string) ([]*record.Field, error) {
	var out []*record.Field
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		f, ok := record.Lookup(n)
		if !ok {
			// The parser's message suggests a near field name.
			if _, err := query.Parse(n + ":*"); err != nil {
				var qe *query.Error
				if errors.As(err, &qe) {
					return nil, badRequest("%s: %s", param, qe.Msg)
				}
			}
			return nil, badRequest("%s: unknown field %q (GET /api/v1/schema lists them)", param, n)
		}
		out = append(out, f)
	}
	return out, nil
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	x := r.URL.Query().Get(name)
	if x == "" {
		return def, nil
	}
	n, err := strconv.Atoi(x)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s %q: want a whole number from %d to %d", name, x, lo, hi)
	}
	return n, nil
}

// Cursors are opaque to clients: base64url of "<unix µs>,<event.id>".
func encodeCursor(c store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Time.UnixMicro(), 10) + "," + c.ID))
}

func decodeCursor(s string) (*store.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, badRequest("cursor: not one this API returned")
	}
	us, id, ok := strings.Cut(string(b), ",")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || id == "" {
		return nil, badRequest("cursor: not one this API returned")
	}
	return &store.Cursor{Time: time.UnixMicro(n).UTC(), ID: id}, nil
}

var (
	fieldID, _ = record.Lookup("event.id")
	fieldTS, _ = record.Lookup("@timestamp")
)

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	if req.Limit, err = intParam(r, "limit", store.DefaultLimit, 1, s.cfg.MaxLimit); err != nil {
		return err
	}
	switch o := r.URL.Query().Get("order"); o {
	case "", "newest":
	case "oldest":
		req.Oldest = true
	default:
		return badRequest("order %q: want newest or oldest", o)
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		if req.After, err = decodeCursor(c); err != nil {
			return err
		}
	}
	if req.Fields == nil {
		req.Fields = record.AllFields()
	}
	// The cursor needs each record's @timestamp and event.id.
	idAt, tsAt := index(req.Fields, fieldID), index(req.Fields, fieldTS)
	if idAt < 0 {
		req.Fields, idAt = append(req.Fields, fieldID), len(req.Fields)
	}
	if tsAt < 0 {
		req.Fields, tsAt = append(req.Fields, fieldTS), len(req.Fields)
	}
	rows, err := s.st.Search(r.Context(), req)
	if err != nil {
		return storeError(err)
	}
	defer func() { _ = rows.Close() }()
	buf := []byte(`{"records":[`)
	n := 0
	var last store.Cursor
	for rows.Next() {
		row := rows.Row()
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = row.AppendJSON(buf)
		last = store.Cursor{Time: row.Values[tsAt].Time, ID: row.Values[idAt].Str}
		n++
	}
	if err := rows.Err(); err != nil {
		return storeError(err)
	}
	buf = append(buf, ']')
	if n == req.Limit {
		buf = append(buf, `,"next":"`...)
		buf = append(buf, encodeCursor(last)...)
		buf = append(buf, '"')
	}
	buf = append(buf, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(buf)
	return err
}

func index(fields []*record.Field, f *record.Field) int {
	for i, x := range fields {
		if x == f {
			return i
		}
	}
	return -1
}

// storeError passes a query compile error (a type mismatch found when the
// query meets the schema) as a bad request, anything else as a failure.
func storeError(err error) error {
	var qe *query.Error
	if errors.As(err, &qe) {
		return &apiError{status: http.StatusBadRequest, msg: err.Error(), pos: qe.Pos}
	}
	return err
}

func (s *Server) count(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	n, err := s.st.Count(r.Context(), req)
	if err != nil {
		return storeError(err)
	}
	writeJSON(w, http.StatusOK, map[string]int64{"count": n})
	return nil
}

func (s *Server) top(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	fl := r.URL.Query().Get("by")
	if fl == "" {
		return badRequest("by: name the fields to count, e.g. by=destination.port,network.protocol")
	}
	fields, err := lookupFields(fl, "by")
	if err != nil {
		return err
	}
	n, err := intParam(r, "n", 10, 1, 10_000)
	if err != nil {
		return err
	}
	var rows []store.TopRow
	var sum *record.Field
	if name := r.URL.Query().Get("sum"); name != "" {
		fs, err := lookupFields(name, "sum")
		if err != nil {
			return err
		}
		if len(fs) != 1 || fs[0].Type != record.TypeInt {
			return badRequest("sum: %q is not one numeric field (e.g. network.bytes)", name)
		}
		sum = fs[0]
		rows, err = s.st.TopSum(r.Context(), req, fields, sum, n)
		if err != nil {
			return storeError(err)
		}
	} else if rows, err = s.st.Top(r.Context(), req, fields, n); err != nil {
		return storeError(err)
	}
	type row struct {
		Values []any  `json:"values"`
		Count  int64  `json:"count"`
		Sum    *int64 `json:"sum,omitempty"`
	}
	out := struct {
		Fields []string `json:"fields"`
		Rows   []row    `json:"rows"`
	}{Rows: []row{}}
	for _, f := range fields {
		out.Fields = append(out.Fields, f.Name)
	}
	for _, tr := range rows {
		x := row{Values: tr.Values, Count: tr.Count}
		if sum != nil {
			x.Sum = &tr.Sum
		}
		out.Rows = append(out.Rows, x)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// oneField reads the parameter field: one field of the schema, numeric
// when numeric is set.
func oneField(r *http.Request, numeric bool) (*record.Field, error) {
	name := r.URL.Query().Get("field")
	if name == "" {
		return nil, badRequest("field: name the field, e.g. field=network.bytes")
	}
	fs, err := lookupFields(name, "field")
	if err != nil {
		return nil, err
	}
	if len(fs) != 1 || numeric && fs[0].Type != record.TypeInt {
		return nil, badRequest("field: %q is not one numeric field (e.g. network.bytes)", name)
	}
	return fs[0], nil
}

func (s *Server) sum(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	f, err := oneField(r, true)
	if err != nil {
		return err
	}
	n, err := s.st.Sum(r.Context(), req, f)
	if err != nil {
		return storeError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"field": f.Name, "sum": n})
	return nil
}

func (s *Server) distinct(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	f, err := oneField(r, false)
	if err != nil {
		return err
	}
	n, err := s.st.Distinct(r.Context(), req, f)
	if err != nil {
		return storeError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"field": f.Name, "distinct": n})
	return nil
}

func (s *Server) histogram(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	iv := r.URL.Query().Get("interval")
	d, err := time.ParseDuration(iv)
	if err != nil || d < time.Second {
		return badRequest("interval %q: want a duration of at least 1s, such as 1m or 1h", iv)
	}
	buckets, err := s.st.Histogram(r.Context(), req, d)
	if err != nil {
		return storeError(err)
	}
	type bucket struct {
		Start time.Time `json:"start"`
		Count int64     `json:"count"`
	}
	out := struct {
		Interval string   `json:"interval"`
		Buckets  []bucket `json:"buckets"`
	}{Interval: d.String(), Buckets: []bucket{}}
	for _, b := range buckets {
		out.Buckets = append(out.Buckets, bucket{b.Start, b.Count})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) record(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if id == "" || len(id) > 128 {
		return badRequest("id: want an event.id")
	}
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		tenant = "default"
	}
	// The id is a bound value like any other: quoted for the parser here,
	// and a parameter of the SQL in the store.
	node, err := query.Parse(`event.id:"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(id) + `"`)
	if err != nil {
		return badRequest("id: %v", err)
	}
	rows, err := s.st.Search(r.Context(), store.SearchRequest{Query: node, Tenant: tenant, Limit: 1, Fields: record.AllFields()})
	if err != nil {
		return storeError(err)
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return &apiError{status: http.StatusNotFound, msg: fmt.Sprintf("no record with event.id %q in tenant %q", id, tenant)}
	}
	buf := rows.Row().AppendJSON(nil)
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(append(buf, '\n'))
	return err
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	req, err := s.request(r)
	if err != nil {
		return err
	}
	req.Limit, req.Oldest = store.NoLimit, true
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "ndjson"
	}
	switch format {
	case "ndjson":
		w.Header().Set("Content-Type", "application/x-ndjson")
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		if req.Fields == nil {
			req.Fields = record.AllFields()
		}
	case "parquet":
		return s.exportParquet(w, r, req)
	default:
		return badRequest("format %q: want ndjson, csv or parquet", format)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="flowsift-export.`+format+`"`)
	rows, err := s.st.Search(r.Context(), req)
	if err != nil {
		return storeError(err)
	}
	defer func() { _ = rows.Close() }()
	if format == "csv" {
		_, err = store.WriteCSV(w, rows)
	} else {
		_, err = store.WriteNDJSON(w, rows)
	}
	return err
}

// exportParquet lets the store write the file, then streams it: Parquet
// puts its index at the end, so it cannot be streamed while written.
func (s *Server) exportParquet(w http.ResponseWriter, r *http.Request, req store.SearchRequest) error {
	dir, err := os.MkdirTemp("", "flowsift-export-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := dir + "/export.parquet"
	if _, err := s.st.ExportParquet(r.Context(), req, path); err != nil {
		return storeError(err)
	}
	f, err := os.Open(path) //nolint:gosec // a file this function made
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err == nil {
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	w.Header().Set("Content-Type", "application/vnd.apache.parquet")
	w.Header().Set("Content-Disposition", `attachment; filename="flowsift-export.parquet"`)
	_, err = io.Copy(w, f)
	return err
}

func (s *Server) schema(w http.ResponseWriter, _ *http.Request) error {
	type field struct {
		Name     string   `json:"name"`
		Type     string   `json:"type"`
		ECS      bool     `json:"ecs"`
		Datasets []string `json:"datasets,omitempty"`
		Doc      string   `json:"doc"`
	}
	out := struct {
		Fields []field `json:"fields"`
	}{}
	for _, f := range record.Fields {
		x := field{Name: f.Name, Type: f.Type.String(), ECS: f.ECS, Doc: f.Doc}
		for _, d := range f.Datasets {
			x.Datasets = append(x.Datasets, string(d))
		}
		out.Fields = append(out.Fields, x)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
