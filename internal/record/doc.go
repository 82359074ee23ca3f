// Package record holds flowsift's one record type and its schema as data.
//
// Every source (sensor flows, DPI transactions, collected flows, logs,
// alerts) produces [Record] values. The field table in [Fields] is the
// single description of the schema: the JSON encoding, the generated
// docs/schema.md and (later) the store's columns are derived from it, so a
// field exists once, with its ECS name, type and documentation.
//
// Place in the pipeline: every stage imports record; record imports nothing
// internal.
package record
