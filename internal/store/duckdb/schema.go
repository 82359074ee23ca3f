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
			cols = append(cols, column{name: query.IPNumColumnName(f), sqlType: "UHUGEINT", field: f})
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

// partitionName returns the table holding records of t's UTC day.
func partitionName(day time.Time) string { return tablePrefix + day.UTC().Format(dayLayout) }

// partitionDay parses a partition table name; ok is false for other
// tables.
func partitionDay(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, tablePrefix)
	if !ok || len(s) != len(dayLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dayLayout, s)
	return t, err == nil
}
