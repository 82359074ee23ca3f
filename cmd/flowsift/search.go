package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/flowsift/flowsift/internal/api"
	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

type searchFlags struct {
	dir       string
	since     time.Duration
	until     string
	format    string
	limit     int
	fields    []string
	top       []string
	histogram time.Duration
	tenant    string
	server    string
	tokenFile string
	sum       string
	distinct  string
}

// registerSource adds the flags that say where the records are.
func (sf *searchFlags) registerSource(fl interface {
	StringVar(p *string, name, value, usage string)
}) {
	fl.StringVar(&sf.dir, "store", "./data", "data directory of the store")
	fl.StringVar(&sf.server, "server", "", "read through a flowsift serve at this URL (e.g. http://127.0.0.1:8080) instead of --store")
	fl.StringVar(&sf.tokenFile, "token-file", "", "file holding the server's API token (default: $"+tokenEnv+")")
}

// openReader opens the records the flags name: a store directory, or a
// server through its API.
func openReader(ctx context.Context, sf *searchFlags) (store.Reader, func() error, error) {
	if sf.server == "" {
		st, err := openStore(ctx, sf.dir, true)
		if err != nil {
			return nil, nil, &exitError{2, err}
		}
		return st, st.Close, nil
	}
	token := strings.TrimSpace(os.Getenv(tokenEnv))
	if sf.tokenFile != "" {
		b, err := os.ReadFile(sf.tokenFile)
		if err != nil {
			return nil, nil, &exitError{2, fmt.Errorf("--token-file: %w", err)}
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return nil, nil, &exitError{2, api.ErrNoToken}
	}
	c, err := api.NewClient(sf.server, token)
	if err != nil {
		return nil, nil, &exitError{2, err}
	}
	return c, func() error { return nil }, nil
}

// defaultTableFields are the columns of a table when --fields is not given.
var defaultTableFields = []string{
	"@timestamp", "event.dataset", "source.ip", "source.port", "destination.ip", "destination.port",
	"network.transport", "source.bytes", "destination.bytes", "flow.history",
}

func newSearchCmd() *cobra.Command {
	var sf searchFlags
	cmd := &cobra.Command{
		Use:   "search [flags] [QUERY]",
		Short: "Search the records of a store",
		Long: `Search the records of a store with flowsift's search language (docs/query.md):
free text, field:value, wildcards, "quoted phrases", ranges, CIDRs, AND/OR/NOT
and parentheses. No query, or *, matches everything.

Results are newest first: an aligned table on a terminal, NDJSON when piped.
--top and --histogram aggregate instead of listing records.

--server reads through a flowsift serve instead of a store directory, with
the same flags and output; its token comes from $FLOWSIFT_API_TOKEN or
--token-file.

Exit codes: 0 results (even none), 1 a failure, 2 a bad query or flag.`,
		Example: `  flowsift search --store ./data 'destination.port:443 AND NOT source.ip:10.0.0.0/8'
  flowsift search --store ./data 'evil.example.com' --since 24h --format json
  flowsift search --store ./data 'network.transport:udp AND destination.port:53' --limit 20
  flowsift search --store ./data 'event.dataset:flow' --top destination.port,network.transport
  flowsift search --store ./data 'flow.history:S* AND NOT flow.history:*A*' --histogram 1h
  flowsift search --store ./data 'event.dataset:flow' --top source.ip --sum network.bytes   # top talkers
  flowsift search --store ./data 'destination.port:22' --distinct source.ip
  flowsift search --store ./data '_exists_:icmp.type' --fields @timestamp,source.ip,icmp.type,icmp.code
  flowsift search --store ./data 'source.bytes:>1000000' --format csv > big-senders.csv
  flowsift search --server http://127.0.0.1:8080 'event.dataset:dns' --top dns.question.name`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := "*"
			if len(args) == 1 && strings.TrimSpace(args[0]) != "" {
				q = args[0]
			}
			return runSearch(cmd, &sf, q)
		},
	}
	fl := cmd.Flags()
	sf.registerSource(fl)
	fl.DurationVar(&sf.since, "since", 0, "only records newer than this, e.g. 15m, 24h, 168h (0: no limit)")
	fl.StringVar(&sf.until, "until", "", "only records older than this: a duration ago (1h) or a time (2026-11-02T00:00:00Z)")
	fl.StringVarP(&sf.format, "format", "f", "", "table, json, ndjson or csv (default: table on a terminal, ndjson otherwise)")
	fl.IntVarP(&sf.limit, "limit", "n", store.DefaultLimit, "records to list, or values for --top")
	fl.StringSliceVar(&sf.fields, "fields", nil, "fields to show, comma-separated (default: a summary in tables, every field in JSON)")
	fl.StringSliceVar(&sf.top, "top", nil, "count the most frequent values of these fields, comma-separated")
	fl.DurationVar(&sf.histogram, "histogram", 0, "count records per interval of @timestamp, e.g. 1m or 1h")
	fl.StringVar(&sf.sum, "sum", "", "add up this numeric field (e.g. network.bytes); with --top, order by it: top talkers")
	fl.StringVar(&sf.distinct, "distinct", "", "count the distinct values of this field, e.g. destination.ip")
	fl.StringVar(&sf.tenant, "tenant", "default", "tenant to search")
	return cmd
}

func lookupFields(names []string, flag string) ([]*record.Field, error) {
	var out []*record.Field
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		f, ok := record.Lookup(n)
		if !ok {
			// Reuse the parser's suggestion of a near field name.
			_, err := query.Parse(n + ":*")
			var qe *query.Error
			if errors.As(err, &qe) {
				return nil, &exitError{2, fmt.Errorf("--%s: %s", flag, qe.Msg)}
			}
			return nil, &exitError{2, fmt.Errorf("--%s: unknown field %q (docs/schema.md lists them)", flag, n)}
		}
		out = append(out, f)
	}
	return out, nil
}

// searchRequest parses the query and the time flags shared by search and
// export; errors are usage errors (exit status 2).
func searchRequest(sf *searchFlags, q string) (store.SearchRequest, error) {
	node, err := query.Parse(q)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			return store.SearchRequest{}, &exitError{2, fmt.Errorf("%w\n  %s", err, strings.ReplaceAll(qe.Caret(q), "\n", "\n  "))}
		}
		return store.SearchRequest{}, &exitError{2, err}
	}
	req := store.SearchRequest{Query: node, Tenant: sf.tenant, Limit: sf.limit}
	now := time.Now()
	if sf.since < 0 {
		return req, &exitError{2, errors.New("--since must be positive")}
	}
	if sf.since > 0 {
		req.From = now.Add(-sf.since)
	}
	if sf.until != "" {
		if d, err := time.ParseDuration(sf.until); err == nil {
			req.To = now.Add(-d)
		} else if t, err := time.Parse(time.RFC3339Nano, sf.until); err == nil {
			req.To = t
		} else {
			return req, &exitError{2, fmt.Errorf("--until %q: want a duration (1h) or an RFC 3339 time (2026-11-02T00:00:00Z)", sf.until)}
		}
	}
	return req, nil
}

func runSearch(cmd *cobra.Command, sf *searchFlags, q string) error {
	stdout := cmd.OutOrStdout()
	req, err := searchRequest(sf, q)
	if err != nil {
		return err
	}
	if sf.limit < 1 {
		return &exitError{2, errors.New("--limit must be at least 1")}
	}
	format := sf.format
	if format == "" {
		format = "ndjson"
		if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) { //nolint:gosec // file descriptors fit in int
			format = "table"
		}
	}
	switch format {
	case "table", "json", "ndjson", "csv":
	default:
		return &exitError{2, fmt.Errorf("--format %q: want table, json, ndjson or csv", format)}
	}
	if len(sf.top) > 0 && sf.histogram > 0 {
		return &exitError{2, errors.New("--top and --histogram cannot be combined")}
	}
	if sf.distinct != "" && (len(sf.top) > 0 || sf.histogram > 0 || sf.sum != "") {
		return &exitError{2, errors.New("--distinct cannot be combined with --top, --histogram or --sum")}
	}
	var sum, distinct *record.Field
	if sf.sum != "" {
		fs, err := lookupFields([]string{sf.sum}, "sum")
		if err != nil {
			return err
		}
		if sum = fs[0]; sum.Type != record.TypeInt {
			return &exitError{2, fmt.Errorf("--sum %s: not a number (sum e.g. network.bytes, source.packets)", sf.sum)}
		}
		if sf.histogram > 0 {
			return &exitError{2, errors.New("--sum works alone or with --top, not with --histogram")}
		}
	}
	if sf.distinct != "" {
		fs, err := lookupFields([]string{sf.distinct}, "distinct")
		if err != nil {
			return err
		}
		distinct = fs[0]
	}
	if req.Fields, err = lookupFields(sf.fields, "fields"); err != nil {
		return err
	}
	top, err := lookupFields(sf.top, "top")
	if err != nil {
		return err
	}
	if req.Fields == nil && format == "table" || format == "csv" && req.Fields == nil {
		req.Fields, _ = lookupFields(defaultTableFields, "fields")
	}

	st, closeStore, err := openReader(cmd.Context(), sf)
	if err != nil {
		return err
	}
	defer func() { _ = closeStore() }()
	ctx := cmd.Context()

	switch {
	case len(top) > 0 && sum != nil:
		rows, err := st.TopSum(ctx, req, top, sum, sf.limit)
		if err != nil {
			return err
		}
		return writeTop(stdout, format, top, rows, sum)
	case len(top) > 0:
		rows, err := st.Top(ctx, req, top, sf.limit)
		if err != nil {
			return err
		}
		return writeTop(stdout, format, top, rows, nil)
	case sum != nil:
		n, err := st.Count(ctx, req)
		if err != nil {
			return err
		}
		total, err := st.Sum(ctx, req, sum)
		if err != nil {
			return err
		}
		return writeTop(stdout, format, nil, []store.TopRow{{Count: n, Sum: total}}, sum)
	case distinct != nil:
		n, err := st.Distinct(ctx, req, distinct)
		if err != nil {
			return err
		}
		return writeScalar(stdout, format, "distinct "+distinct.Name, n)
	case sf.histogram > 0:
		buckets, err := st.Histogram(ctx, req, sf.histogram)
		if err != nil {
			return err
		}
		return writeHistogram(stdout, format, buckets)
	}
	rows, err := st.Search(ctx, req)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	n, err := writeRows(stdout, format, rows)
	if err != nil {
		return err
	}
	if format == "table" {
		total, err := st.Count(ctx, req)
		if err == nil {
			fmt.Fprintf(os.Stderr, "%d of %d matching records", n, total)
			if int64(n) < total {
				fmt.Fprintf(os.Stderr, " (raise --limit for more)")
			}
			fmt.Fprintln(os.Stderr)
		}
	}
	return nil
}

func writeRows(w io.Writer, format string, rows store.Rows) (int, error) {
	switch format {
	case "ndjson":
		return store.WriteNDJSON(w, rows)
	case "csv":
		return store.WriteCSV(w, rows)
	}
	n := 0
	var buf []byte
	var tbl [][]string
	if format == "json" {
		buf = append(buf, '[')
	}
	for rows.Next() {
		r := rows.Row()
		switch format {
		case "json":
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, "\n  "...)
			buf = r.AppendJSON(buf)
			if len(buf) > 1<<16 {
				if _, err := w.Write(buf); err != nil {
					return n, err
				}
				buf = buf[:0]
			}
		case "table":
			if tbl == nil {
				tbl = append(tbl, fieldNames(r.Fields))
			}
			rec := make([]string, len(r.Fields))
			for i, f := range r.Fields {
				if r.Present[i] {
					rec[i] = cell(store.FormatValue(f.Type, &r.Values[i]))
				}
			}
			tbl = append(tbl, rec)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if format == "json" {
		if n > 0 {
			buf = append(buf, '\n')
		}
		buf = append(buf, "]\n"...)
		_, err := w.Write(buf)
		return n, err
	}
	return n, writeTable(w, tbl)
}

func fieldNames(fields []*record.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// cell makes an attacker-controlled string safe and short for a terminal:
// control characters (escape sequences, newlines, bidi overrides) become
// Go escapes, and long values are cut.
func cell(s string) string {
	const maxWidth = 60
	var b strings.Builder
	width := 0
	for i, r := range s {
		if width >= maxWidth {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && len(s[i:]) > 0 && !utf8.ValidString(s[i:min(i+4, len(s))]):
			b.WriteString(`\ufffd`)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		width++
	}
	return b.String()
}

func writeTable(w io.Writer, rows [][]string) error {
	if len(rows) == 0 {
		return nil
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func topValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = topValue(e)
		}
		return strings.Join(s, ",")
	default:
		return fmt.Sprint(x)
	}
}

// writeScalar writes one named number.
func writeScalar(w io.Writer, format, name string, n int64) error {
	switch format {
	case "json", "ndjson":
		_, err := fmt.Fprintf(w, "{%s:%d}\n", strconv.Quote(name), n)
		return err
	case "csv":
		_, err := fmt.Fprintf(w, "%s\n%d\n", name, n)
		return err
	}
	return writeTable(w, [][]string{{name}, {strconv.FormatInt(n, 10)}})
}

func writeTop(w io.Writer, format string, fields []*record.Field, rows []store.TopRow, sum *record.Field) error {
	names := append(fieldNames(fields), "count")
	if sum != nil {
		names = append(names, "sum "+sum.Name)
	}
	tail := func(r store.TopRow) []string {
		out := []string{strconv.FormatInt(r.Count, 10)}
		if sum != nil {
			out = append(out, strconv.FormatInt(r.Sum, 10))
		}
		return out
	}
	switch format {
	case "json", "ndjson":
		var buf []byte
		if format == "json" {
			buf = append(buf, '[')
		}
		for i, r := range rows {
			if format == "json" && i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '{')
			for j, f := range fields {
				buf = strconv.AppendQuote(buf, f.Name)
				buf = append(buf, ':')
				if r.Values[j] == nil {
					buf = append(buf, "null"...)
				} else if x, ok := r.Values[j].(int64); ok {
					buf = strconv.AppendInt(buf, x, 10)
				} else {
					buf = appendJSONText(buf, topValue(r.Values[j]))
				}
				buf = append(buf, ',')
			}
			buf = append(buf, `"count":`...)
			buf = strconv.AppendInt(buf, r.Count, 10)
			if sum != nil {
				buf = append(buf, ',')
				buf = strconv.AppendQuote(buf, "sum "+sum.Name)
				buf = append(buf, ':')
				buf = strconv.AppendInt(buf, r.Sum, 10)
			}
			buf = append(buf, '}')
			if format == "ndjson" {
				buf = append(buf, '\n')
			}
		}
		if format == "json" {
			buf = append(buf, "]\n"...)
		}
		_, err := w.Write(buf)
		return err
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(names)
		for _, r := range rows {
			rec := make([]string, 0, len(names))
			for j, f := range fields {
				rec = append(rec, store.CSVSafe(f.Type, topValue(r.Values[j])))
			}
			_ = cw.Write(append(rec, tail(r)...))
		}
		cw.Flush()
		return cw.Error()
	}
	tbl := [][]string{names}
	for _, r := range rows {
		rec := make([]string, 0, len(names))
		for j := range fields {
			v := topValue(r.Values[j])
			if r.Values[j] == nil {
				v = "(absent)"
			}
			rec = append(rec, cell(v))
		}
		tbl = append(tbl, append(rec, tail(r)...))
	}
	return writeTable(w, tbl)
}

// appendJSONText appends s as a JSON string, escaped as record JSON is.
func appendJSONText(dst []byte, s string) []byte {
	return store.AppendValueJSON(dst, record.TypeString, &record.Value{Str: s})
}

func writeHistogram(w io.Writer, format string, buckets []store.Bucket) error {
	switch format {
	case "json", "ndjson":
		var buf []byte
		if format == "json" {
			buf = append(buf, '[')
		}
		for i, b := range buckets {
			if format == "json" && i > 0 {
				buf = append(buf, ',')
			}
			buf = fmt.Appendf(buf, `{"start":%q,"count":%d}`, b.Start.Format(time.RFC3339Nano), b.Count)
			if format == "ndjson" {
				buf = append(buf, '\n')
			}
		}
		if format == "json" {
			buf = append(buf, "]\n"...)
		}
		_, err := w.Write(buf)
		return err
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"start", "count"})
		for _, b := range buckets {
			_ = cw.Write([]string{b.Start.Format(time.RFC3339Nano), strconv.FormatInt(b.Count, 10)})
		}
		cw.Flush()
		return cw.Error()
	}
	var peak int64
	for _, b := range buckets {
		peak = max(peak, b.Count)
	}
	tbl := [][]string{{"start", "count", ""}}
	for _, b := range buckets {
		bar := strings.Repeat("█", int(max(1, b.Count*40/max(peak, 1))))
		tbl = append(tbl, []string{b.Start.Format(time.RFC3339), strconv.FormatInt(b.Count, 10), bar})
	}
	return writeTable(w, tbl)
}
