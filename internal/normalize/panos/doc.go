// Package panos parses Palo Alto Networks PAN-OS syslog in the default
// CSV format: TRAFFIC and THREAT logs field by field (ECS network,
// source/destination with NAT, rule, observer, threat and URL fields, as
// Elastic's panw integration maps them, plus panw.panos.*), and the other
// log types (SYSTEM, CONFIG, GLOBALPROTECT, ...) by their common header
// fields.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package panos
