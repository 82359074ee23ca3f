// Package signature identifies protocols that flowsift does not parse:
// each entry of its table registers a dissector whose probe recognises
// the protocol from the first bytes of a flow (facts from the protocol's
// RFC or specification) and which stops inspecting the flow at once. The
// flow record's network.protocol is the only output; no transaction
// records are written.
//
// Probes are strict: a signature that random bytes could match is only
// trusted on the protocol's well-known ports (the engine's Hint.OnPort),
// and none says Yes on the start of a TLS ClientHello, an HTTP request,
// an SSH banner or a DNS message. A protocol that gets a full dissector
// leaves this table.
//
// Place in the pipeline: capture → decode → flow → dissect (this package
// is one of its registered dissectors) → sinks.
package signature
