// Package tls parses the cleartext part of TLS handshakes and computes the
// JA3, JA3S, JA4 and JA4S fingerprints.
//
// It sits in the dissect stage: the dissect framework, after flow
// reassembly, feeds each direction of a TCP stream to a Session's Client
// and Server Parser (Parser.Feed takes TLS records in any split), and the
// QUIC dissector feeds decrypted CRYPTO-frame bytes to Parser.FeedHandshake.
// The result is a Handshake: the ClientHello (versions, cipher suites,
// extensions in order, SNI, ALPN, groups, point formats, signature
// algorithms), the ServerHello (chosen version, cipher, extensions, ALPN),
// the server certificate chain for TLS 1.2 and older (parsed with
// crypto/x509), and whether the handshake completed.
//
// The package is pure: bytes in, structs or errors out. It never panics on
// hostile input, buffers at most one handshake message per direction
// (Config.MaxMessageSize) and returns errors that wrap ErrTruncated,
// ErrMalformed or ErrTooLarge so the caller can count them.
package tls
