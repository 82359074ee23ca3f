// Package eval measures flowsift against the ground truth in the shared
// corpus (../shared/corpus): the flows nDPI's ndpiReader lists for its test
// captures (truth/ndpi-flows.jsonl) and the conn.log rows of Zeek's btest
// baselines (truth/zeek). Every capture runs in-process through pcapfile →
// pipeline (one worker) and the flow records are summed per flow.id, so
// interim records count once.
//
// nDPI: every TCP/UDP flow is keyed by (capture, transport, unordered
// endpoints, outer VLAN); it matches when a flowsift flow with that key has
// the same total packet count. Zeek: every conn.log row with packet and IP
// byte counts is joined on transport and unordered 4-tuple; it matches when
// packets and IP bytes agree per direction (Zeek's originator is oriented
// onto source or destination by address and port).
//
// Choices, each following how the peer produced its truth:
//   - nDPI captures run with NDPIFlowConfig (no expiry): ndpiReader ends
//     flows by idle time only on live captures, so on a file a 5-tuple is
//     one flow from its first packet to the end. Zeek traces run with
//     flowsift's defaults, which are Zeek's timeouts.
//   - ndpiReader keeps the last 802.1Q tag it parses, so QinQ flows are
//     keyed by the inner VLAN; it prints some IPv6 addresses with two "::"
//     runs, which are expanded to the address flowsift saw.
//   - Several truth entries with one key (idle splits, port reuse) are
//     paired with flowsift's flows of that key by Assign: equal counts
//     first, then in order.
//   - Zeek rows: every conn.log baseline of index.json with orig_pkts,
//     orig_ip_bytes, resp_pkts and resp_ip_bytes (zeek-cut subsets without
//     them are left out). Baselines of bare-mode (-b) runs are included and
//     reported apart: conn.log counts come from Zeek's core (ConnSize),
//     not from the scripts a test loads. Rows are joined without VLAN, as
//     Zeek's default connection key ignores it.
//
// The figures, their bars and the first disagreements of each class are
// printed by cmd/flowsift-eval (make eval), which fails under a bar. This is
// an evaluation, not a unit test: it needs the corpus.
//
// Place in the pipeline: outside it; it drives capture → decode → flow.
package eval
