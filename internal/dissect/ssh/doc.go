// Package ssh parses the cleartext start of SSH connections: the
// identification banners, both KEXINIT messages and the NEWKEYS switch,
// and infers from the sizes of the first encrypted server packets whether
// a login probably succeeded.
//
// It sits in the dissect stage: after flow reassembly the dissect framework
// feeds each direction of a TCP stream, in capture order across the two
// directions, to a Session (FeedClient, FeedServer). Session.Info returns
// the banners, the offered algorithm lists of both sides, HASSH and
// HASSH-server (https://github.com/salesforce/hassh), the algorithms the
// two sides agree on (RFC 4253 §7.1: the first client algorithm the server
// also offers) and the login inference. A caller that only has one
// direction can use a Parser directly.
//
// The package is pure: bytes in, structs or errors out. It never panics on
// hostile input, buffers at most one SSH binary packet per direction
// (Config.MaxPacketSize) and one banner line (Config.MaxBannerLen), and
// returns errors that wrap ErrTruncated, ErrMalformed or ErrTooLarge so the
// caller can count them. After an error a Parser ignores further input.
package ssh
