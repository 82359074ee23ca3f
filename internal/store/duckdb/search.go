package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

// compile returns the FROM and WHERE of a request: the partitions its
// time range touches, and the compiled condition.
func (s *Store) compile(req *store.SearchRequest) (from string, sq query.SQL, err error) {
	n := req.Query
	if n == nil {
		n = &query.All{}
	}
	sq, err = query.Compile(n, req.Options(query.DuckDB{}))
	if err != nil {
		return "", sq, err
	}
	return "(" + s.fromParts(s.partitions(req.From, req.To)) + ") AS records", sq, nil
}

// Search returns matching records, newest first.
func (s *Store) Search(ctx context.Context, req store.SearchRequest) (store.Rows, error) {
	from, sq, err := s.compile(&req)
	if err != nil {
		return nil, err
	}
	fields := req.Fields
	if fields == nil {
		fields = record.AllFields()
	}
	sel := make([]string, len(fields))
	for i, f := range fields {
		sel[i] = quote(query.ColumnName(f))
	}
	q, args := selectQuery(sel, from, sq, &req)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	r := &resultRows{rows: rows, row: store.Row{Fields: fields, Values: make([]record.Value, len(fields)), Present: make([]bool, len(fields))},
		dest: make([]any, len(fields))}
	for i, f := range fields {
		switch f.Type {
		case record.TypeString, record.TypeIP, record.TypeMAC:
			r.dest[i] = new(sql.NullString)
		case record.TypeInt:
			r.dest[i] = new(sql.NullInt64)
		case record.TypeBool:
			r.dest[i] = new(sql.NullBool)
		case record.TypeTime:
			r.dest[i] = new(sql.NullTime)
		default:
			r.dest[i] = new(any)
		}
	}
	return r, nil
}

// selectQuery returns the listing of a request: the columns sel, in the
// order and up to the limit the request asks for.
func selectQuery(sel []string, from string, sq query.SQL, req *store.SearchRequest) (string, []any) {
	dir, cmp := " DESC", " < "
	if req.Oldest {
		dir, cmp = " ASC", " > "
	}
	where := sq.Where
	args := sq.Args
	if c := req.After; c != nil {
		ts, id := quote("timestamp"), quote("event_id")
		where += " AND (" + ts + cmp + "? OR (" + ts + " = ? AND " + id + cmp + "?))"
		at := c.Time.UTC().Truncate(time.Microsecond)
		args = append(slices.Clip(args), at, at, c.ID)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + from + " WHERE " + where +
		" ORDER BY " + quote("timestamp") + dir + " NULLS LAST, " + quote("event_id") + dir
	switch {
	case req.Limit == store.NoLimit:
	case req.Limit <= 0:
		q += " LIMIT ?"
		args = append(args, store.DefaultLimit)
	default:
		q += " LIMIT ?"
		args = append(args, req.Limit)
	}
	return q, args
}

// ExportParquet writes the matching records as one Parquet file (zstd
// compressed) at path, with DuckDB's own writer.
func (s *Store) ExportParquet(ctx context.Context, req store.SearchRequest, path string) (int64, error) {
	from, sq, err := s.compile(&req)
	if err != nil {
		return 0, err
	}
	fields := req.Fields
	if fields == nil {
		fields = record.AllFields()
	}
	sel := make([]string, len(fields))
	for i, f := range fields {
		sel[i] = quote(query.ColumnName(f)) + " AS " + quote(f.Name)
	}
	q, args := selectQuery(sel, from, sq, &req)
	// COPY takes the path as a literal, not a parameter: it is quoted as
	// an SQL string (it comes from the operator, never from a query).
	res, err := s.db.ExecContext(ctx, "COPY ("+q+") TO "+sqlString(path)+" (FORMAT parquet, COMPRESSION zstd)", args...)
	if err != nil {
		return 0, fmt.Errorf("store: export: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: export: %w", err)
	}
	return n, nil
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

type resultRows struct {
	rows *sql.Rows
	row  store.Row
	dest []any
	err  error
}

func (r *resultRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	if err := r.rows.Scan(r.dest...); err != nil {
		r.err = fmt.Errorf("store: search: %w", err)
		return false
	}
	for i, f := range r.row.Fields {
		v := &r.row.Values[i]
		*v = record.Value{}
		ok := false
		switch d := r.dest[i].(type) {
		case *sql.NullString:
			ok = d.Valid
			switch f.Type {
			case record.TypeIP:
				a, err := netip.ParseAddr(d.String)
				ok = ok && err == nil
				v.IP = a
			case record.TypeMAC:
				v.MAC, ok = parseMAC(d.String)
				ok = ok && d.Valid
			default:
				v.Str = d.String
			}
		case *sql.NullInt64:
			ok, v.Int = d.Valid, d.Int64
		case *sql.NullBool:
			ok, v.Bool = d.Valid, d.Bool
		case *sql.NullTime:
			ok, v.Time = d.Valid, d.Time.UTC()
		case *any:
			l, _ := (*d).([]any)
			ok = len(l) > 0
			for _, x := range l {
				switch x := x.(type) {
				case int32:
					v.Ints = append(v.Ints, x)
				case int64:
					v.Ints = append(v.Ints, int32(x)) //nolint:gosec // the column is INTEGER[]
				case string:
					v.Strs = append(v.Strs, x)
				}
			}
		}
		r.row.Present[i] = ok
	}
	return true
}

func parseMAC(s string) (m [6]byte, ok bool) {
	if len(s) != 17 {
		return m, false
	}
	for i := range 6 {
		hi, lo := unhex(s[3*i]), unhex(s[3*i+1])
		if hi < 0 || lo < 0 {
			return m, false
		}
		m[i] = byte(hi<<4 | lo)
	}
	return m, true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (r *resultRows) Row() *store.Row { return &r.row }

func (r *resultRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

func (r *resultRows) Close() error { return r.rows.Close() }

// Count returns the number of matching records.
func (s *Store) Count(ctx context.Context, req store.SearchRequest) (int64, error) {
	from, sq, err := s.compile(&req)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+sq.Where, sq.Args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	return n, nil
}

// Top returns the n most frequent value combinations of fields. IP fields
// group by their text; absent values group as nil.
func (s *Store) Top(ctx context.Context, req store.SearchRequest, fields []*record.Field, n int) ([]store.TopRow, error) {
	return s.top(ctx, req, fields, nil, n)
}

// TopSum returns the n value combinations of fields with the largest sums
// of the numeric field sum.
func (s *Store) TopSum(ctx context.Context, req store.SearchRequest, fields []*record.Field, sum *record.Field, n int) ([]store.TopRow, error) {
	if sum == nil || sum.Type != record.TypeInt {
		return nil, fmt.Errorf("store: top: %s is not a number to sum", fieldName(sum))
	}
	return s.top(ctx, req, fields, sum, n)
}

func fieldName(f *record.Field) string {
	if f == nil {
		return "no field"
	}
	return f.Name
}

// Sum adds up a numeric field over the matching records.
func (s *Store) Sum(ctx context.Context, req store.SearchRequest, f *record.Field) (int64, error) {
	if f == nil || f.Type != record.TypeInt {
		return 0, fmt.Errorf("store: sum: %s is not a number", fieldName(f))
	}
	return s.scalar(ctx, req, "CAST(coalesce(sum("+quote(query.ColumnName(f))+"), 0) AS BIGINT)")
}

// Distinct counts the distinct values of a field among the matching
// records.
func (s *Store) Distinct(ctx context.Context, req store.SearchRequest, f *record.Field) (int64, error) {
	if f == nil {
		return 0, errors.New("store: distinct: no field")
	}
	return s.scalar(ctx, req, "count(DISTINCT "+quote(query.ColumnName(f))+")")
}

func (s *Store) scalar(ctx context.Context, req store.SearchRequest, expr string) (int64, error) {
	from, sq, err := s.compile(&req)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, "SELECT "+expr+" FROM "+from+" WHERE "+sq.Where, sq.Args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}

func (s *Store) top(ctx context.Context, req store.SearchRequest, fields []*record.Field, sum *record.Field, n int) ([]store.TopRow, error) {
	if len(fields) == 0 {
		return nil, errors.New("store: top: no fields")
	}
	from, sq, err := s.compile(&req)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = quote(query.ColumnName(f))
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c + " NULLS LAST"
	}
	agg, by := ", count(*) AS n, CAST(0 AS BIGINT) AS s", "n"
	if sum != nil {
		agg, by = ", count(*) AS n, CAST(coalesce(sum("+quote(query.ColumnName(sum))+"), 0) AS BIGINT) AS s", "s"
	}
	q := "SELECT " + strings.Join(cols, ", ") + agg + " FROM " + from + " WHERE " + sq.Where +
		" GROUP BY ALL ORDER BY " + by + " DESC, " + strings.Join(order, ", ") + " LIMIT ?"
	rows, err := s.db.QueryContext(ctx, q, append(sq.Args, n)...)
	if err != nil {
		return nil, fmt.Errorf("store: top: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []store.TopRow
	for rows.Next() {
		tr := store.TopRow{Values: make([]any, len(fields))}
		dest := make([]any, len(fields)+2)
		for i := range tr.Values {
			dest[i] = &tr.Values[i]
		}
		dest[len(fields)], dest[len(fields)+1] = &tr.Count, &tr.Sum
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: top: %w", err)
		}
		for i, v := range tr.Values {
			if t, ok := v.(time.Time); ok {
				tr.Values[i] = t.UTC()
			}
		}
		out = append(out, tr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: top: %w", err)
	}
	return out, nil
}

// Histogram counts matching records per interval, aligned to multiples of
// the interval since 2000-01-01 UTC (so hours start on the hour).
func (s *Store) Histogram(ctx context.Context, req store.SearchRequest, interval time.Duration) ([]store.Bucket, error) {
	if interval < time.Microsecond {
		return nil, fmt.Errorf("store: histogram: interval %s is below a microsecond", interval)
	}
	from, sq, err := s.compile(&req)
	if err != nil {
		return nil, err
	}
	ts := quote("timestamp")
	q := "SELECT time_bucket(to_microseconds(CAST(? AS BIGINT)), " + ts + ") AS b, count(*) FROM " + from +
		" WHERE " + ts + " IS NOT NULL AND " + sq.Where + " GROUP BY b ORDER BY b"
	rows, err := s.db.QueryContext(ctx, q, append([]any{interval.Microseconds()}, sq.Args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: histogram: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []store.Bucket
	for rows.Next() {
		var b store.Bucket
		if err := rows.Scan(&b.Start, &b.Count); err != nil {
			return nil, fmt.Errorf("store: histogram: %w", err)
		}
		b.Start = b.Start.UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: histogram: %w", err)
	}
	return out, nil
}
