// Package http parses HTTP/1.x connections for the sensor: [Conn] takes
// the client's and the server's byte streams (each in order, in pieces
// of any size), pairs the Nth response with the Nth request (keep-alive,
// pipelining), skips bodies while counting their decoded bytes (chunked
// or Content-Length; HEAD, 1xx, 204 and 304 have none) and stops at
// CONNECT and Upgrade. It keeps method, host, URI, version, user agent,
// referrer, status, content types, body lengths and origin headers
// (X-Forwarded-For, X-Real-IP, Forwarded, Client-IP), as Zeek's http.log.
//
// Memory per connection is bounded: a header block is buffered up to
// Config.MaxHeader (64 KiB) and then the direction ends with a counted
// ErrTooLarge; bodies are never buffered.
//
// Place in the pipeline: flow (+ TCP reassembly) → dissect/http →
// records. The dissect framework that feeds streams is separate.
package http
