package query

import (
	"math/big"
	"net/netip"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/record"
)

// DuckDB is the dialect of the embedded store. The table layout it
// assumes is described in the package documentation: one column per
// field named by [ColumnName], plus a UHUGEINT column <column>_num for
// every IP field.
type DuckDB struct{}

var _ Dialect = DuckDB{}

// ColumnName returns the store column of a field: its dotted name with
// '.' replaced by '_' and '@' removed (source.ip → source_ip,
// @timestamp → timestamp). Every dialect uses it, so one table layout
// serves them all.
func ColumnName(f *record.Field) string {
	return strings.ReplaceAll(strings.ReplaceAll(f.Name, "@", ""), ".", "_")
}

// IPNumColumnName returns the column holding an IP field as a number:
// ColumnName(f) + "_num".
func IPNumColumnName(f *record.Field) string { return ColumnName(f) + "_num" }

// IPNum returns the number the store keeps for an address: the 128 bits of
// its 16-byte form, big-endian and unsigned, with IPv4 addresses mapped to
// ::ffff:a.b.c.d (so 10.0.0.0/8 is the range 0xffff0a000000 to
// 0xffff0affffff). Addresses sort as these numbers do, so a CIDR is a
// BETWEEN.
func IPNum(a netip.Addr) *big.Int {
	b := a.As16()
	return new(big.Int).SetBytes(b[:])
}

// Column returns the double-quoted ColumnName of f.
func (DuckDB) Column(f *record.Field) string { return `"` + ColumnName(f) + `"` }

// IPNumColumn returns the double-quoted IPNumColumnName of f.
func (DuckDB) IPNumColumn(f *record.Field) string { return `"` + IPNumColumnName(f) + `"` }

// Placeholder returns "?": DuckDB binds arguments by position.
func (DuckDB) Placeholder(int) string { return "?" }

// IPNum binds the address as a decimal string cast to UHUGEINT, which
// every driver can bind.
func (DuckDB) IPNum(p *Params, a netip.Addr) string {
	return "CAST(" + p.Add(IPNum(a).String()) + " AS UHUGEINT)"
}

// Time binds t as an RFC 3339 string cast to TIMESTAMP (the store keeps
// times as TIMESTAMP in UTC, with microseconds).
func (DuckDB) Time(p *Params, t time.Time) string {
	return "CAST(" + p.Add(t.UTC().Format("2006-01-02 15:04:05.999999")) + " AS TIMESTAMP)"
}

// Lower returns lower(expr).
func (DuckDB) Lower(expr string) string { return "lower(" + expr + ")" }

// ILike returns expr ILIKE ph ESCAPE '\'.
func (DuckDB) ILike(expr, ph string) string { return expr + " ILIKE " + ph + ` ESCAPE '\'` }

// Contains returns contains(lower(expr), ph).
func (DuckDB) Contains(expr, ph string) string { return "contains(lower(" + expr + "), " + ph + ")" }

// TextColumn returns "_text": the DuckDB store keeps the search text of
// TextFields in that column.
func (DuckDB) TextColumn() string { return `"` + TextColumnName + `"` }

// ContainsLowered returns contains(expr, ph).
func (DuckDB) ContainsLowered(expr, ph string) string { return "contains(" + expr + ", " + ph + ")" }

// TextColumnName is the column of the search text in DuckDB tables.
const TextColumnName = "_text"

// ListContains returns list_contains(col, ph).
func (DuckDB) ListContains(col, ph string) string { return "list_contains(" + col + ", " + ph + ")" }

// ListAny returns len(list_filter(col, lambda x: cond)) > 0 (the lambda
// syntax of DuckDB 1.3 and later).
func (DuckDB) ListAny(col string, cond func(string) string) string {
	return "len(list_filter(" + col + ", lambda x: " + cond("x") + ")) > 0"
}
