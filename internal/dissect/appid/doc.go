// Package appid names the application behind a host name: it maps the
// names seen in traffic (TLS and QUIC SNI, HTTP Host, DNS query names,
// certificate names) to a lowercase application such as google, youtube,
// whatsapp or office365 and its category, the value flowsift records as
// network.application.
//
// It sits in the dissect stage, after the protocol dissectors: the dissect
// engine calls Catalog.Match with the names the dns, http, tls and quic
// parsers extracted and sets the flow's application from the answer. The
// package itself parses no traffic and imports no other dissector.
//
// The catalog is data, not code: catalog.csv, embedded in the binary, holds
// one row per application with its category, the domains it owns or uses
// and a public source for those facts. Default parses it once; Parse reads
// another file of the same form, so a deployment can test its own catalog.
// Matching is by domain suffix on label boundaries, the most specific
// domain wins, and a lookup allocates nothing, so it can run for every
// name on the hot path.
//
// ndpi_aliases.csv maps nDPI's application names to ours; it exists only so
// evaluations against nDPI's labels (this package's corpus test, and any
// evaluation that scores applications) compare like with like.
package appid
