// Package suricata parses Suricata's EVE JSON log (alert, flow, http, dns,
// tls, fileinfo, anomaly, ... records, one object per line, with or
// without a syslog header), mapped to ECS as Elastic's suricata
// integration does, plus suricata.eve.* for what ECS lacks.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package suricata
