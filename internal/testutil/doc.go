// Package testutil holds the helpers the tests of several packages share:
// a deliberately simple pcap flow reader that rebuilds per-direction TCP
// streams by sequence number and keeps UDP payloads as datagrams, the
// corpus locator, the Zeek and nDPI truth loaders of the corpus
// evaluations, and a per-field agreement tally. It is imported only by
// _test.go files; the real reassembly lives in internal/flow.
package testutil
