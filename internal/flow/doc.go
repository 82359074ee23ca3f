// Package flow is the bidirectional flow table: it keys decoded packets by
// VLAN and 5-tuple, decides which side initiated (TCP: the SYN sender;
// otherwise the first sender, corrected by port heuristics when a capture
// starts mid-flow), counts packets, IP bytes, payload bytes and TCP flags
// per direction, keeps a Zeek-style history and the packet pattern of the
// first packets, and emits a flow record when a flow ends (TCP close plus a
// close delay, idle timeout per transport, end of input, eviction) and
// interim records for long flows (active timeout).
//
// Flows end as Zeek's connections do: a TCP close is complete on a RST, or
// on a FIN once the peer has sent a FIN too or never sent anything, and the
// flow ends TCPClose after that close; UDP flows on DNS ports (53, 137,
// 5353, 5355) idle out after DNSIdle (Zeek's dns_session_timeout), other
// UDP after UDPIdle.
//
// Time comes only from packet timestamps, so replaying a file gives the
// same records as capturing live. Memory is bounded: at most MaxFlows flows
// live at once; past that the least recently active flow is evicted and
// counted. Tracking a packet allocates nothing in steady state.
//
// Place in the pipeline: capture → decode → flow → (dissect) → sinks.
package flow
