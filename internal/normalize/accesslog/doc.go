// Package accesslog parses web server access logs in the Common and
// Combined Log Formats that Apache httpd and nginx write by default
// (host ident user [time] "request" status bytes ["referrer" "agent"]),
// mapped to ECS as Elastic's nginx and apache integrations and
// Logstash's HTTPD patterns do.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package accesslog
