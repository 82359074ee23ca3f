// Package afpacket captures live traffic on Linux with an AF_PACKET socket
// and a TPACKET_V3 memory-mapped ring (gopacket's pure-Go afpacket, no cgo
// and no libpcap), as a capture.Source.
//
// Frames are read in place from the ring: a Frame's Data is valid until the
// next call to Next. When no packet arrives for Config.Heartbeat, Next
// returns a heartbeat (a frame with empty Data and the current time) so
// that the flow table expires idle flows on a quiet link. After Stop, Next
// returns the packets captured before it that are still in the ring, then
// io.EOF, so that a shutdown loses nothing already captured.
//
// A capture filter is classic BPF attached to the socket, so the kernel
// drops what it rejects before it reaches the ring. Filters in tcpdump
// syntax are compiled by running `tcpdump -ddd` (flowsift has no compiler
// of its own: the pure-Go ones on offer compile some expressions into
// filters that silently match the wrong packets); a program already
// compiled with `tcpdump -ddd` can be given as text instead.
//
// On a loopback interface the kernel hands packet sockets every packet
// twice, once going out and once coming in; the outgoing copy is dropped
// in the kernel, as libpcap does.
//
// Place in the pipeline: capture (live) → decode → flow.
package afpacket
