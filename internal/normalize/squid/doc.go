// Package squid parses Squid's native access.log lines ("squid"
// logformat: time.ms elapsed client code/status bytes method URL user
// hierarchy/peer type), mapped to ECS as Logstash's SQUID3 pattern does
// in ECS mode, plus squid.* for what ECS lacks.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package squid
