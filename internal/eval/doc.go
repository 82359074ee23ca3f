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
// The figures, their bars and the first disagreements of each class are
// printed by cmd/flowsift-eval (make eval), which fails under a bar. This is
// an evaluation, not a unit test: it needs the corpus.
//
// Place in the pipeline: outside it; it drives capture → decode → flow.
package eval
