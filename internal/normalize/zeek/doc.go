// Package zeek parses Zeek (Bro) logs written as JSON (LogAscii::use_json,
// one record per line, with or without a syslog header): conn and dns
// records taken apart as Elastic's zeek integration does (zeek.* for what
// ECS lacks), http, ssl and notice records with their main fields, and
// any other log with its timestamp, uid and endpoints. The log type comes
// from a "_path" key when the shipper adds one, else from the keys only
// that log has.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package zeek
