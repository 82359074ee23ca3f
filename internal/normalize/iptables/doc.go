// Package iptables parses Linux netfilter packet logs (the kernel lines
// the LOG and NFLOG targets write: "PREFIX IN=eth0 OUT= MAC=... SRC=...
// DST=... PROTO=TCP SPT=... DPT=..."), including Ubiquiti EdgeOS/UniFi
// rule prefixes ("[wan-lan-default-D]"), mapped to ECS as Elastic's
// iptables integration does, plus iptables.*.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package iptables
