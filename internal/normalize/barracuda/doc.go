// Package barracuda parses Barracuda Web Application Firewall syslog:
// the positional Web Firewall log (WF: attacks, with client, service,
// rule, action, attack details and the HTTP request) field by field as
// Elastic's barracuda integration maps it, plus barracuda.waf.*, and the
// access log (TR) by its leading endpoint fields.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package barracuda
