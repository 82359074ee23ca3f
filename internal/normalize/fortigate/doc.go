// Package fortigate parses Fortinet FortiGate (FortiOS) syslog in its
// default key=value format: traffic, UTM (web filter, application
// control, DNS, IPS, antivirus, ...) and event logs, mapped to ECS as
// Elastic's fortinet_fortigate integration does, plus fortinet.firewall.*
// for what ECS lacks.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package fortigate
