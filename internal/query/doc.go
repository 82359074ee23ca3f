// Package query is flowsift's search language: it parses what an analyst
// types into a syntax tree ([Parse]), then compiles the tree either to a
// SQL condition with bound arguments for the store ([Compile]) or to a Go
// predicate over records for live filtering ([NewPredicate]). The two
// compilations mean the same thing; the predicate is the reference the SQL
// is tested against.
//
// Place in the flow: web → api → query → store. The CLI's search command
// and the API parse with this package and hand the compiled SQL to the
// store; the language is documented for analysts in docs/query.md.
//
// Every field name and type comes from the schema table,
// [record.Fields]: adding a field there makes it searchable, typed and
// included in free text with no change here.
//
// # Safety
//
// No text of the query ever reaches the SQL: column names come only from
// the schema table (through [ColumnName]) and values only travel as bound
// arguments. Queries are bounded ([MaxLength], [MaxDepth], [MaxTerms]), and
// every query is scoped to one tenant.
//
// # Table layout the store must follow
//
// The SQL assumes one table with these columns, all derived from
// [record.Fields]:
//
//   - One column per field, named by [ColumnName]: the dotted name with
//     '.' replaced by '_' and '@' dropped (source.ip → source_ip,
//     @timestamp → timestamp). Identifiers are always double-quoted.
//   - Types: keyword → VARCHAR; long → BIGINT; boolean → BOOLEAN;
//     date → TIMESTAMP holding UTC with microseconds; mac → VARCHAR in the
//     JSON form (00-1A-2B-3C-4D-5E); long[] → a LIST of integers;
//     keyword[] → VARCHAR[].
//   - ip → two columns: <column> VARCHAR holding netip.Addr.String()
//     (for display, free text and wildcards), and <column>_num UHUGEINT
//     holding [IPNum]: the address's 16-byte form as an unsigned
//     big-endian number, IPv4 mapped to ::ffff:a.b.c.d. Addresses sort as
//     these numbers do, so equality, CIDR and ranges are comparisons on
//     <column>_num (source_ip_num BETWEEN ? AND ?).
//   - A field is NULL exactly when the record lacks it: when its Get
//     reports no value, or when the record's dataset is not among the
//     field's Datasets. Empty lists are NULL too. Conditions on NULL are
//     false, and NOT maps NULL to FALSE before negating, so NOT
//     source.port:80 matches records without a port, as the predicate
//     does.
//
// A second dialect (ClickHouse) is one added file implementing [Dialect]
// for the same layout.
package query
