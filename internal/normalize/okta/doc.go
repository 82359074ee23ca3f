// Package okta parses Okta System Log events (the LogEvent objects of GET
// /api/v1/logs or an event hook, one JSON object per line), mapped to ECS
// as Elastic's okta integration does, plus okta.* for what ECS lacks.
//
// Place in the pipeline: collect (API poller, event hook, syslog relay) →
// normalize (this parser) → records.
package okta
