// Package ciscoasa parses Cisco ASA syslog messages (%ASA-<sev>-<id>: ...)
// and Cisco Firepower Threat Defense messages (%FTD-...), which share the
// format: the access-list, deny, connection build/teardown, NAT, ICMP,
// login and AAA messages security search needs are taken apart into ECS
// source/destination, network, rule and observer fields as Elastic's
// cisco_asa and cisco_ftd integrations map them; FTD's "Key: Value"
// security events (430001-430005) field by field. Other message ids keep
// their text as message with code and severity.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package ciscoasa
