// Package zscaler parses Zscaler Internet Access (ZIA) Nanolog Streaming
// Service feeds in the JSON feed-output format ({"sourcetype":
// "zscalernss-web", "event": {...}}): the web feed mapped to ECS as
// Elastic's zscaler_zia integration does, plus zscaler_zia.* for what ECS
// lacks; the firewall and DNS feeds with their endpoints and action.
//
// Place in the pipeline: collect/syslog (NSS or Cloud NSS) → normalize
// (this parser) → records.
package zscaler
