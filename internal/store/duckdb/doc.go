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
// Records live in one table per UTC day of @timestamp and kind of record,
// records_YYYYMMDD_<kind>: the datasets with fields of their own (flow,
// dns, http, tls, …) each have a kind whose tables carry only the fields
// every record has and their own; other datasets share the kind "other"
// with every column. The columns are those package query documents (one
// per field, named by query.ColumnName, plus <column>_num UHUGEINT for IP
// fields, plus _text, the lower-cased search text of query.TextFields).
// Reads union, by name, the empty full-width records_template and the
// tables of the days a time range touches, so every column exists and a
// kind's missing ones read as NULL; a view named records unions them all
// for ad-hoc SQL. Tables written before kinds existed (records_YYYYMMDD,
// every column) are read alike. Retention, by age or by size, drops whole
// days, never deletes rows (DuckDB's deletes leave the rows' space in
// place until a vacuum).
//
// # Ingest
//
// The row appender costs one interface conversion and one type switch per
// value. Instead, a batch is first copied into Go column buffers, then
// inserted with one INSERT … SELECT from a table function that fills
// DuckDB data chunks straight from those buffers (2,048 rows per call).
// Two kinds of value are cheaper to finish in SQL: IP numbers travel as two
// UBIGINT halves, and integer lists as their text, cast to INTEGER[]. The
// INSERT names only the columns some record of the batch has (DuckDB then
// neither asks the table function for the others nor appends them), and
// computes the search text from them.
//
// # Concurrency
//
// One Store is one writer and any number of readers in the process: writes
// go through a dedicated connection, reads through the pool, and DuckDB's
// MVCC keeps readers consistent. DuckDB locks the file, so a second process
// can open the directory only when nobody writes to it.
package duckdb
