// Package filterlog parses the logs of pfSense and OPNsense firewalls:
// the packet filter's filterlog CSV lines (IPv4 and IPv6, TCP, UDP, ICMP,
// CARP), and the dhcpd and unbound lines those boxes send alongside,
// mapped to ECS as Elastic's pfsense integration does, plus pfsense.*.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package filterlog
