// Package ntp parses NTP datagrams (RFC 5905 for modes 1-5, RFC 7822
// extension fields, RFC 1305 appendix B / RFC 9327 for mode 6 control
// messages, and ntpd's mode 7 private messages): version, mode, stratum,
// poll, precision, root delay and dispersion, reference id, the four
// timestamps, and the control and private headers, which the caller can
// flag (mode 6 and 7 are how NTP amplification attacks and monlist
// reconnaissance look on the wire).
//
// It sits in the dissect stage: the dissect framework hands each UDP
// payload of a flow on port 123 (or one it probed as NTP) to Parse.
//
// The package is pure: bytes in, a Message or an error out. It never
// panics, allocates a fixed amount per datagram and returns errors that
// wrap ErrTruncated or ErrMalformed (ErrTooLarge for datagrams over 64 KiB).
package ntp
