// Package jsonscan reads JSON log records in place for the JSON log
// parsers of normalize (suricata, zeek, cloudtrail, okta, ...): an
// iterator walks the members of an object and hands out each value as a
// slice of the line (strings still escaped until asked for), so a parser
// looks at the keys it maps and skips the rest without building maps or
// decoding into structs. encoding/json into map[string]any costs 10-20 µs
// and hundreds of allocations for a 2 KB record; this costs a scan.
//
// It is lenient where leniency is harmless (no check of UTF-8 or of control
// characters inside strings, numbers taken as written) and strict where it
// matters: a truncated record, a missing colon or comma, or a value of the
// wrong shape is an error, never a panic, and nesting is skipped with a
// counter rather than recursion.
//
// Place in the pipeline: collect/syslog → normalize/<json vendor> (using
// this package) → records.
package jsonscan
