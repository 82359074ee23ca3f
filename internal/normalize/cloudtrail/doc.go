// Package cloudtrail parses AWS CloudTrail records, one JSON record per
// line (a collector splits the "Records" array of CloudTrail's S3 objects;
// a batch of one is accepted as is), mapped to ECS as Elastic's aws
// integration does, plus aws.cloudtrail.* for what ECS lacks.
//
// Place in the pipeline: collect (S3/SQS or file reader, syslog relay) →
// normalize (this parser) → records.
package cloudtrail
