// Package infoblox parses the DNS lines of Infoblox NIOS's syslog: named's
// query/response logging ("client IP#PORT UDP: query: NAME CLASS TYPE
// response: RCODE FLAGS ANSWERS;"), its query log and "query failed"
// messages, mapped to ECS as Elastic's infoblox_nios integration does,
// plus infoblox_nios.log.* for what ECS lacks.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package infoblox
