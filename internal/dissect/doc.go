// Package dissect is deep packet inspection: it finds the application
// protocol of each flow from its payload whatever the port, reassembles
// TCP streams, hands them to the protocol's dissector (dissect/<proto>),
// which emits one transaction record per request/response, names the
// application from the host names seen (dissect/appid), and stops looking
// at a flow once its metadata is complete, which is how a sensor stays
// fast on elephant flows.
//
// Dissectors register from their package's init function (Register); the
// dissect/all package imports them all. The Engine, one per flow table,
// implements flow.Inspector: it probes a flow's first bytes with the
// dissectors registered for its ports first, then all others, replays what
// the probes saw to the one that says Yes, counts errors by kind and turns
// a dissector panic into a counted stop of that flow's inspection.
//
// Place in the pipeline: capture → decode → flow → dissect → sinks.
package dissect
