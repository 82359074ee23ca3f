// Package dns parses DNS messages for the sensor: UDP payloads with
// [Parser.Parse], DNS over TCP (2-byte length prefix, fed incrementally
// per direction) with [Stream], and pairs queries with responses within a
// flow with [Transactions], as rows of Zeek's dns.log.
//
// Decoding uses gopacket's layers.DNS with one reused layer per Parser
// (DESIGN.md §7: about 240 ns per message), on a private copy of the
// message whose header counts are clamped, so that authority/additional
// records and answers beyond Config.MaxAnswers cost nothing. Names, type,
// class and rcode names and answer renderings follow Zeek's dns.log
// (qtype_name, rcode_name, answers: see README.md).
//
// Place in the pipeline: flow (+ reassembly) → dissect/dns → records. The
// dissect framework that feeds flows to parsers is separate; this package
// knows nothing of flows.
package dns
