// Package reassembly puts one direction of a TCP connection back in order
// for the stream parsers (HTTP, TLS, SSH, SMTP, FTP, DNS over TCP): bytes
// in sequence order, each once, with retransmissions removed and explicit
// gaps where the capture never saw the bytes.
//
// Place in the pipeline: capture → decode → flow (the connection table,
// which owns the per-flow state) → dissect engine → reassembly →
// dissect/<proto> stream parsers → records. The engine keeps two Streams
// (one per direction) in each TCP flow's inspection state and one Pool per
// worker, calls Stream.Add for every TCP segment of the flow (and
// Stream.Ack with the segment's ACK on the other direction), and Flush
// when the flow ends (or Release when inspection stops). The Handler it
// passes feeds the parser.
//
// It is built for the sensor's hot path. A Stream is 24 bytes and
// allocates nothing while data arrives in order: in-order payload goes to
// the Handler straight from the packet. Only data that arrives ahead of a
// hole is copied, into buffers the Pool recycles, and what is held is
// bounded per direction (bytes and runs) and per Pool (bytes): when a
// limit would be exceeded the oldest hole is declared a gap instead, and
// so is a hole the receiver acknowledged (the capture missed it). A
// segment that overlaps buffered data loses to it (the first copy wins, as
// in Zeek) and a difference is counted as an overlap. Sequence numbers
// wrap (RFC 1982 serial arithmetic); a segment more than 1 GiB away from
// the stream is dropped and counted.
//
// See README.md for the exact semantics, limits and counters.
package reassembly
