// Package quic decrypts QUIC Initial packets and hands their CRYPTO
// stream to the tls package, so that a QUIC connection yields the same
// ClientHello/ServerHello facts (SNI, ALPN, versions, JA4 with the 'q'
// prefix, JA4S) as TLS over TCP.
//
// It sits in the dissect stage: the dissect framework calls Conn.Feed with
// each UDP payload of a flow and its direction. Conn parses the long
// header, derives the Initial secrets from the client's destination
// connection ID (HKDF-SHA256 with the version's salt: QUIC v1 RFC 9001,
// v2 RFC 9369, and IETF drafts 23–34), removes header protection,
// decrypts with AES-128-GCM, walks PADDING/PING/ACK/CRYPTO/CONNECTION_CLOSE
// frames and reassembles CRYPTO data across packets and out of order,
// within Config bounds. Google QUIC (Q0xx, T05x) is not decrypted.
//
// The package never panics on hostile input; errors wrap ErrTruncated,
// ErrMalformed, ErrUnsupported, ErrDecrypt or ErrTooLarge (or the tls
// package's sentinels for a bad ClientHello) so the caller can count them.
// It imports the tls package on purpose: QUIC carries TLS.
package quic
