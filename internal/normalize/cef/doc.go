// Package cef parses the two generic security-event formats many products
// can emit: ArcSight Common Event Format (CEF:0|vendor|product|...|ext)
// and IBM QRadar Log Event Extended Format (LEEF:1.0 and 2.0). CEF
// extensions are expanded to the CEF dictionary's full names under
// cef.extensions.*, typed, and mapped to ECS as Filebeat's decode_cef
// does; LEEF attributes are mapped to ECS likewise and kept under leef.*.
// Both parsers run after the vendor-specific ones (DetectOrder 80), so a
// parser that knows a vendor's CEF can claim it first.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package cef
