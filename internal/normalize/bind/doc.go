// Package bind parses ISC BIND's query log ("client ... query: NAME CLASS
// TYPE FLAGS (SERVER)"), from its own log files (with BIND's timestamp,
// category and severity) or received over syslog, mapped to ECS as
// Logstash's BIND9 pattern does in ECS mode, plus bind.log.* for what ECS
// lacks.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package bind
