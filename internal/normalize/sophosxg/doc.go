// Package sophosxg parses Sophos XG / SFOS firewall logs in the device's
// key=value syslog format (device="SFW" date=... log_id=...): firewall,
// heartbeat, IPS, anti-virus, anti-spam, content filtering and event
// logs, mapped to ECS as Elastic's sophos integration does, plus
// sophos.xg.*.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package sophosxg
