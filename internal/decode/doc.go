// Package decode turns a captured frame into a [Packet]: the L2 framing
// (Ethernet, 802.1Q/QinQ, MPLS, PPPoE, Linux cooked, loopback, raw IP,
// Cisco HDLC, PPP, PPI), the IP layer (IPv4 with options, IPv6 with extension
// headers, both with bounded fragment reassembly), the transport (TCP, UDP,
// ICMP, ICMPv6, SCTP) and the tunnels seen in real networks (GRE, ERSPAN
// I/II/III, VXLAN, Geneve, GTP-U, IP-in-IP, 6in4, Teredo on any port,
// AYIYA, GRE in UDP). The flow is the innermost one; the tunnels are
// recorded on the packet, and the UDP flows that carry tunnels are
// recorded as carriers, which the flow table counts as flows of their own.
// A packet whose IP header claims more bytes than its whole (not
// snap-length-cut) frame holds is malformed, as Zeek and nDPI judge it.
//
// IPv4, IPv6, TCP, UDP, GRE and VXLAN headers are decoded with gopacket's
// DecodingLayer implementations, reused across packets; the thin framings
// around them are parsed in place. Decoding allocates nothing per packet in
// steady state. Every failure is a [Reason] that the caller counts; the
// decoder never panics on hostile input (see FuzzDecode).
//
// Place in the pipeline: capture → decode → flow.
package decode
