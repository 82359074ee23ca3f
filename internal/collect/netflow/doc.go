// Package netflow turns NetFlow v5, NetFlow v9 and IPFIX export packets
// into flow records (dataset netflow) with the same field names as the
// sensor's flow records.
//
// The header of NetFlow v5 and the template and options-template sets of
// v9 and IPFIX are decoded by goflow2's decoder packages. Data sets are
// decoded here, against templates compiled once into a list of steps,
// straight into records: goflow2's data-set decoder boxes every field
// value into an interface, and on a dense IPFIX export it measured 1.4x
// the time and 4x the memory of this path before any mapping to records
// (BenchmarkDecode: 2.2 M against 1.5 M flows/s).
//
// A Decoder keeps, per exporter address and observation domain, the
// templates, the sampling rates announced in options data, the system
// init time (IPFIX), and the last sequence number, from which lost export
// packets are counted. Data sets that arrive before their template are
// held (bounded) and decoded when it arrives. A Decoder is not safe for
// concurrent use: give each UDP worker its own, or serialise.
package netflow
