// Package normalize turns received log lines (syslog from firewalls,
// proxies and servers, or JSON records of cloud services) into events with
// Elastic Common Schema field names, one vendor format per parser.
//
// ParseHeader takes the syslog header apart (RFC 5424, RFC 3164 and the
// broken variants devices send, or no header at all) into a Message. A
// Normalizer then picks a parser — forced per listener (Config.Parser) or
// per sending address (Config.Sources), otherwise the first registered
// parser whose Detect accepts the line — and runs its Parse with panic
// recovery. A line that no parser claims, or that its parser fails on, is
// still stored: the fallback parser keeps its header fields and body as
// dataset log.unparsed, and Stats counts it. Every event keeps the line as
// event.original unless switched off, and the syslog priority when there
// is one. Lines longer than Config.MaxLine are parsed cut and counted as
// truncated; event.original keeps up to Config.MaxOriginal bytes.
//
// Parsers live in normalize/<vendor> packages and call Register from
// init; normalize/all imports them all. Event.Dataset is
// "log.<vendor>.<type>"; field names are flattened ECS dotted names, or a
// vendor namespace (panw.panos.*) for what ECS lacks, with the types and
// values Elastic's integrations produce, which normalize/all's corpus test
// checks against ../shared/corpus/logs.
//
// Ownership: an Event's string values are substrings of the line, not
// copies, so normalizing costs no allocation per field. A consumer that
// keeps an event past the next Normalize call, or past the life of the
// line's buffer, copies it (Event.Clone).
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize →
// records → enrich → detect → store.
package normalize
