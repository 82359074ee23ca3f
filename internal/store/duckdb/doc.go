// Package duckdb is flowsift's embedded record store: one DuckDB database
// file under the data directory, with typed columns derived from the
// schema table (record.Fields) and searched with SQL compiled by package
// query. It registers itself as the "duckdb" store.
//
// Place in the flow: the last sink of `flowsift read --store` and
// `flowsift serve`; the search command and the API read from it.
//
// # Layout
//
// Records live in one table per UTC day of @timestamp, records_YYYYMMDD,
// with the columns package query documents (one per field, named by
// query.ColumnName, plus <column>_num UHUGEINT for IP fields). Reads union
// only the days a time range touches; a view named records unions them all
// for ad-hoc SQL. Retention drops whole day tables, never deletes rows
// (DuckDB's deletes leave the rows' space in place until a vacuum).
//
// # Ingest
//
// The row appender costs one interface conversion and one type switch per
// value. Instead, a batch is first copied into Go column buffers, then
// inserted with one INSERT … SELECT from a table function that fills
// DuckDB data chunks straight from those buffers (2,048 rows per call).
// Two kinds of value are cheaper to finish in SQL: IP numbers travel as two
// UBIGINT halves, and integer lists as their text, cast to INTEGER[].
//
// # Concurrency
//
// One Store is one writer and any number of readers in the process: writes
// go through a dedicated connection, reads through the pool, and DuckDB's
// MVCC keeps readers consistent. DuckDB locks the file, so a second process
// can open the directory only when nobody writes to it.
package duckdb
