package duckdb

import (
	"fmt"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
)

// column is one column of a records table.
type column struct {
	name    string // unquoted
	sqlType string
	using   string // forced compression method, or ""
	field   *record.Field
}

// tableColumns derives the records table from the schema table, as package
// query's documentation requires.
func tableColumns() []column {
	var cols []column
	for i := range record.Fields {
		f := &record.Fields[i]
		cols = append(cols, column{name: query.ColumnName(f), sqlType: sqlType(f.Type), field: f})
		if f.Type == record.TypeIP {
			// Uncompressed: DuckDB bit-packs varied UHUGEINTs and then scans
			// them some 80 times slower (measured on 1 M FTP records: 240 ms
			// against 3 ms), which CIDR queries would pay.
			cols = append(cols, column{name: query.IPNumColumnName(f), sqlType: "UHUGEINT", using: "uncompressed", field: f})
		}
	}
	// The search text: free text reads this one column (query.TextFields).
	return append(cols, column{name: query.TextColumnName, sqlType: "VARCHAR"})
}

// textExpr returns the SQL that computes the search text from the columns
// named by name (the staged columns, or a table's own), leaving out the
// fields skip says no record has.
func textExpr(name func(*record.Field) string, skip func(*record.Field) bool) string {
	var parts []string
	for _, f := range query.TextFields() {
		if skip != nil && skip(f) {
			continue
		}
		c := quote(name(f))
		if f.Type == record.TypeStringList {
			c = "array_to_string(" + c + ", chr(31))"
		}
		parts = append(parts, c)
	}
	if len(parts) == 0 {
		return "CAST(NULL AS VARCHAR)"
	}
	return "nullif(lower(concat_ws(chr(31), " + strings.Join(parts, ", ") + ")), '')"
}

func sqlType(t record.Type) string {
	switch t {
	case record.TypeString, record.TypeIP, record.TypeMAC:
		return "VARCHAR"
	case record.TypeInt:
		return "BIGINT"
	case record.TypeBool:
		return "BOOLEAN"
	case record.TypeTime:
		return "TIMESTAMP"
	case record.TypeIntList:
		return "INTEGER[]"
	case record.TypeStringList:
		return "VARCHAR[]"
	}
	panic(fmt.Sprintf("duckdb: no SQL type for %s", t))
}

// quote double-quotes an identifier. Identifiers come only from the
// schema table and from partition names this package makes, never from a
// query, but they are quoted all the same.
func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

// createTable returns the DDL of a records table.
func createTable(name string, cols []column) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS ")
	b.WriteString(quote(name))
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c.name))
		b.WriteByte(' ')
		b.WriteString(c.sqlType)
		if c.using != "" {
			b.WriteString(" USING COMPRESSION ")
			b.WriteString(c.using)
		}
	}
	b.WriteString(")")
	return b.String()
}

const (
	tablePrefix   = "records_"
	templateTable = "records_template" // empty; keeps the layout when no day exists
	viewName      = "records"
	dayLayout     = "20060102"
	dbFile        = "flowsift.duckdb"
)

// Records of one UTC day are kept in one table per kind: the datasets
// that have fields of their own (flow, dns, http, tls, …) each get a table
// with the fields every record has and their own; other datasets share
// one table of every column. A table per kind holds no columns that are
// always empty for it, which DuckDB would otherwise append and compress
// value by value. Tables of a day before kinds existed have no suffix and
// every column.
const otherKind = "other"

// datasetKinds are the datasets with fields of their own.
var datasetKinds = func() map[record.Dataset]bool {
	m := map[record.Dataset]bool{}
	for _, f := range record.Fields {
		for _, d := range f.Datasets {
			if validKind(string(d)) {
				m[d] = true
			}
		}
	}
	return m
}()

func validKind(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// tableKind returns the kind of table records of dataset ds go to.
func tableKind(ds record.Dataset) string {
	if datasetKinds[ds] {
		return string(ds)
	}
	return otherKind
}

// kindColumns returns the columns of a table of kind k (all for the
// other kind and for tables without a kind).
func kindColumns(all []column, kind string) []column {
	if kind == "" || kind == otherKind {
		return all
	}
	var out []column
	for _, c := range all {
		if c.field == nil || c.field.AppliesTo(record.Dataset(kind)) {
			out = append(out, c)
		}
	}
	return out
}

// partitionName returns the table holding records of kind of t's UTC day.
func partitionName(day time.Time, kind string) string {
	return tablePrefix + day.UTC().Format(dayLayout) + "_" + kind
}

// partitionDay parses a partition table name into its day and kind (""
// for a table of every kind); ok is false for other tables.
func partitionDay(name string) (time.Time, bool) {
	day, _, ok := parsePartition(name)
	return day, ok
}

func parsePartition(name string) (day time.Time, kind string, ok bool) {
	s, ok := strings.CutPrefix(name, tablePrefix)
	if !ok || len(s) < len(dayLayout) {
		return time.Time{}, "", false
	}
	if rest := s[len(dayLayout):]; rest != "" {
		if kind, ok = strings.CutPrefix(rest, "_"); !ok || !validKind(kind) {
			return time.Time{}, "", false
		}
	}
	t, err := time.Parse(dayLayout, s[:len(dayLayout)])
	return t, kind, err == nil
}
