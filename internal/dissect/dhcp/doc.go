// Package dhcp parses DHCPv4 messages (RFC 2131, options of RFC 2132):
// message type, client hardware address, addresses, host name, requested
// and assigned address, server identifier, vendor class, client
// identifier, lease time, domain name and the parameter request list, the
// client fingerprint nDPI and Fingerbank print.
//
// It sits in the dissect stage: the dissect framework hands each UDP
// payload of a flow on ports 67/68 (or one it probed as DHCP) to Parse.
// Transactions span several flows (DISCOVER to a broadcast address, OFFER
// to the offered one); the framework may aggregate messages by XID and
// client MAC, as Zeek's dhcp.log does.
//
// The package is hand-written rather than built on gopacket's
// layers.DHCPv4, so that every bound and error path is ours and fuzzed
// here. It is pure: bytes in, a Message or an error out. It never panics
// and its output is bounded by the input size; errors wrap ErrTruncated or
// ErrMalformed (ErrTooLarge is declared for symmetry with the TCP
// dissectors and returned for over-long datagrams).
package dhcp
