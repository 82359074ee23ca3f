// Package store holds the contracts between flowsift and its record
// stores: a [Writer] that appends record batches and a [Reader] that
// searches and aggregates them with the search language of package query.
// Implementations live in the child packages (duckdb, the embedded default;
// clickhouse later) and register themselves with [Register].
//
// Place in the flow: … → enrich → detect → store (writes, through
// [Sink]); web → api → query → store (reads). The CLI's read command writes
// here with --store, and its search command reads.
//
// The contracts are declared here, by their consumers (the pipeline sink,
// the search command and the API), not by an implementation, and each
// states what it does with the memory it is handed.
package store
