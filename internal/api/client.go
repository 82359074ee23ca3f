package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

// Client reads a store through a flowsift server's API: it implements
// store.Reader, so flowsift search and export take a server URL where they
// take a data directory.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

var _ store.Reader = (*Client)(nil)

// NewClient returns a client of the server at base (http://host:port).
func NewClient(base, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api: server %q: want a URL such as http://127.0.0.1:8080", base)
	}
	return &Client{base: u, token: token, http: &http.Client{Timeout: 0}}, nil
}

// get requests path with the parameters and returns the response, whose
// body the caller closes; an error status becomes an error with the
// server's message.
func (c *Client) get(ctx context.Context, path string, v url.Values) (*http.Response, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer func() { _ = resp.Body.Close() }()
	var e struct {
		Error string `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(b))
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, fmt.Errorf("api: %s (set $FLOWSIFT_API_TOKEN to the server's token)", e.Error)
	}
	return nil, fmt.Errorf("api: %s: %s", resp.Status, e.Error)
}

func (c *Client) getJSON(ctx context.Context, path string, v url.Values, out any) error {
	resp, err := c.get(ctx, path, v)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	d := json.NewDecoder(resp.Body)
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		return fmt.Errorf("api: %s: %w", path, err)
	}
	return nil
}

// params returns the request's shared parameters.
func params(req *store.SearchRequest) url.Values {
	v := url.Values{}
	if req.Query != nil {
		v.Set("q", req.Query.String())
	}
	if req.Tenant != "" {
		v.Set("tenant", req.Tenant)
	}
	if !req.From.IsZero() {
		v.Set("from", req.From.UTC().Format(time.RFC3339Nano))
	}
	if !req.To.IsZero() {
		v.Set("to", req.To.UTC().Format(time.RFC3339Nano))
	}
	if req.Fields != nil {
		names := make([]string, len(req.Fields))
		for i, f := range req.Fields {
			names[i] = f.Name
		}
		v.Set("fields", strings.Join(names, ","))
	}
	return v
}

// Count implements store.Reader.
func (c *Client) Count(ctx context.Context, req store.SearchRequest) (int64, error) {
	var out struct {
		Count int64 `json:"count"`
	}
	err := c.getJSON(ctx, "/api/v1/count", params(&req), &out)
	return out.Count, err
}

// Top implements store.Reader.
func (c *Client) Top(ctx context.Context, req store.SearchRequest, fields []*record.Field, n int) ([]store.TopRow, error) {
	return c.top(ctx, req, fields, nil, n)
}

// TopSum implements store.Reader.
func (c *Client) TopSum(ctx context.Context, req store.SearchRequest, fields []*record.Field, sum *record.Field, n int) ([]store.TopRow, error) {
	if sum == nil {
		return nil, errors.New("api: top: no field to sum")
	}
	return c.top(ctx, req, fields, sum, n)
}

// Sum implements store.Reader.
func (c *Client) Sum(ctx context.Context, req store.SearchRequest, f *record.Field) (int64, error) {
	v := params(&req)
	v.Set("field", f.Name)
	var out struct {
		Sum int64 `json:"sum"`
	}
	err := c.getJSON(ctx, "/api/v1/sum", v, &out)
	return out.Sum, err
}

// Distinct implements store.Reader.
func (c *Client) Distinct(ctx context.Context, req store.SearchRequest, f *record.Field) (int64, error) {
	v := params(&req)
	v.Set("field", f.Name)
	var out struct {
		Distinct int64 `json:"distinct"`
	}
	err := c.getJSON(ctx, "/api/v1/distinct", v, &out)
	return out.Distinct, err
}

func (c *Client) top(ctx context.Context, req store.SearchRequest, fields []*record.Field, sum *record.Field, n int) ([]store.TopRow, error) {
	v := params(&req)
	if sum != nil {
		v.Set("sum", sum.Name)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	v.Set("by", strings.Join(names, ","))
	v.Set("n", strconv.Itoa(n))
	var out struct {
		Rows []struct {
			Values []any `json:"values"`
			Count  int64 `json:"count"`
			Sum    int64 `json:"sum"`
		} `json:"rows"`
	}
	if err := c.getJSON(ctx, "/api/v1/top", v, &out); err != nil {
		return nil, err
	}
	rows := make([]store.TopRow, len(out.Rows))
	for i, r := range out.Rows {
		for j, x := range r.Values {
			// Numbers as the store gives them: int64.
			if n, ok := x.(json.Number); ok {
				if k, err := n.Int64(); err == nil {
					r.Values[j] = k
				}
			}
		}
		rows[i] = store.TopRow{Values: r.Values, Count: r.Count, Sum: r.Sum}
	}
	return rows, nil
}

// Histogram implements store.Reader.
func (c *Client) Histogram(ctx context.Context, req store.SearchRequest, interval time.Duration) ([]store.Bucket, error) {
	v := params(&req)
	v.Set("interval", interval.String())
	var out struct {
		Buckets []store.Bucket `json:"buckets"`
	}
	if err := c.getJSON(ctx, "/api/v1/histogram", v, &out); err != nil {
		return nil, err
	}
	return out.Buckets, nil
}

// ExportParquet implements store.Reader: the server writes the file, the
// client saves it at path.
func (c *Client) ExportParquet(ctx context.Context, req store.SearchRequest, path string) (int64, error) {
	v := params(&req)
	v.Set("format", "parquet")
	resp, err := c.get(ctx, "/api/v1/export", v)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return 0, fmt.Errorf("api: export: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return c.Count(ctx, req)
}

// Search implements store.Reader. A search without a limit pages through
// the results with the server's cursors.
func (c *Client) Search(ctx context.Context, req store.SearchRequest) (store.Rows, error) {
	fields := req.Fields
	if fields == nil {
		fields = record.AllFields()
	}
	r := &clientRows{c: c, ctx: ctx, req: req, left: req.Limit,
		row: store.Row{Fields: fields, Values: make([]record.Value, len(fields)), Present: make([]bool, len(fields))}}
	if r.left == 0 {
		r.left = store.DefaultLimit
	}
	return r, nil
}

// clientRows pages through a search.
type clientRows struct {
	c    *Client
	ctx  context.Context
	req  store.SearchRequest
	left int // records still wanted; NoLimit: all
	page []map[string]any
	next string
	done bool
	row  store.Row
	err  error
}

const clientPage = 5000

func (r *clientRows) fetch() bool {
	if r.done || r.left == 0 {
		return false
	}
	v := params(&r.req)
	n := clientPage
	if r.left > 0 {
		n = min(n, r.left)
	}
	v.Set("limit", strconv.Itoa(n))
	if r.req.Oldest {
		v.Set("order", "oldest")
	}
	if r.next != "" {
		v.Set("cursor", r.next)
	}
	var out struct {
		Records []map[string]any `json:"records"`
		Next    string           `json:"next"`
	}
	if err := r.c.getJSON(r.ctx, "/api/v1/search", v, &out); err != nil {
		r.err = err
		return false
	}
	r.page, r.next = out.Records, out.Next
	r.done = out.Next == ""
	return len(r.page) > 0
}

func (r *clientRows) Next() bool {
	if r.err != nil || r.left == 0 {
		return false
	}
	if len(r.page) == 0 && !r.fetch() {
		return false
	}
	m := r.page[0]
	r.page = r.page[1:]
	if r.left > 0 {
		r.left--
	}
	for i, f := range r.row.Fields {
		r.row.Values[i] = record.Value{}
		r.row.Present[i] = fromJSON(f, lookup(m, f.Name), &r.row.Values[i])
	}
	return true
}

func (r *clientRows) Row() *store.Row { return &r.row }
func (r *clientRows) Err() error      { return r.err }
func (r *clientRows) Close() error    { r.left = 0; return nil }

// lookup returns the value at a dotted name in a nested record.
func lookup(m map[string]any, name string) any {
	var cur any = m
	for _, p := range strings.Split(name, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// fromJSON stores a JSON value of field f in v; false when absent or of
// the wrong shape.
func fromJSON(f *record.Field, x any, v *record.Value) bool {
	if x == nil {
		return false
	}
	switch f.Type {
	case record.TypeString:
		s, ok := x.(string)
		v.Str = s
		return ok
	case record.TypeInt:
		n, ok := x.(json.Number)
		if !ok {
			return false
		}
		i, err := n.Int64()
		v.Int = i
		return err == nil
	case record.TypeBool:
		b, ok := x.(bool)
		v.Bool = b
		return ok
	case record.TypeTime:
		s, _ := x.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		v.Time = t.UTC()
		return err == nil
	case record.TypeIP:
		s, _ := x.(string)
		a, err := netip.ParseAddr(s)
		v.IP = a
		return err == nil
	case record.TypeMAC:
		s, _ := x.(string)
		hw := strings.ReplaceAll(s, "-", ":")
		var m [6]byte
		n, err := fmt.Sscanf(hw, "%02x:%02x:%02x:%02x:%02x:%02x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5])
		v.MAC = m
		return err == nil && n == 6
	case record.TypeIntList:
		l, _ := x.([]any)
		for _, e := range l {
			if n, ok := e.(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					v.Ints = append(v.Ints, int32(i)) //nolint:gosec // the field is a list of int32
				}
			}
		}
		return len(v.Ints) > 0
	case record.TypeStringList:
		l, _ := x.([]any)
		for _, e := range l {
			if s, ok := e.(string); ok {
				v.Strs = append(v.Strs, s)
			}
		}
		return len(v.Strs) > 0
	}
	return false
}

// ErrNoToken is returned when a server is named without a token.
var ErrNoToken = errors.New("api: no token: set $FLOWSIFT_API_TOKEN to the server's token")
