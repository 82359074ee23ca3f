// Package checkpoint parses the Check Point Log Exporter's syslog format:
// an RFC 5424 header followed by a bracketed `key:"value"; ...` list in
// place of structured data. Firewall, VPN, threat prevention and system
// logs are mapped to ECS as Elastic's checkpoint integration does; keys
// without an ECS home are kept as checkpoint.<key>.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package checkpoint
