// Package umbrella parses Cisco Umbrella DNS logs, the quoted CSV lines
// Umbrella exports to S3 ("timestamp","identity","identities",...),
// mapped to ECS as Elastic's cisco_umbrella integration does, plus
// cisco.umbrella.* for what ECS lacks.
//
// Place in the pipeline: a file or S3 reader (or collect/syslog) →
// normalize (this parser) → records.
package umbrella
