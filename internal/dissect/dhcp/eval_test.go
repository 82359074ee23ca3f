package dhcp

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

// txn aggregates messages of one transaction as Zeek's dhcp.log does:
// by transaction id, in capture order, starting a new entry after
// maxTypes messages (DHCP::max_msg_types_per_log_entry).
type txn struct {
	xid   uint32
	mac   string
	msgs  []*Message
	types []string
	used  bool
}

func aggregate(t *testing.T, path string, maxTypes int) []*txn {
	t.Helper()
	flows, err := testutil.ReadFlows(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Datagrams in capture order across flows.
	var all []testutil.Datagram
	for _, f := range flows {
		all = append(all, f.GramsSeq...)
	}
	slices.SortFunc(all, func(a, b testutil.Datagram) int { return a.Order - b.Order })
	var out []*txn
	open := map[uint32]*txn{}
	for _, g := range all {
		m, err := Parse(g.Data)
		if err != nil || m == nil {
			continue
		}
		x := open[m.XID]
		if x == nil || len(x.msgs) >= maxTypes {
			x = &txn{xid: m.XID}
			open[m.XID] = x
			out = append(out, x)
		}
		if x.mac == "" {
			x.mac = m.ClientMAC
		}
		x.msgs = append(x.msgs, m)
		x.types = append(x.types, m.Type.String())
	}
	return out
}

// last returns the last non-empty value of f over the messages, as Zeek
// overwrites its log fields with each message.
func (x *txn) last(f func(*Message) string) string {
	v := ""
	for _, m := range x.msgs {
		if s := f(m); s != "" {
			v = s
		}
	}
	return v
}

func addrStr(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// TestZeekAgreement compares with Zeek's dhcp.log. Zeek logs one row per
// transaction without a 4-tuple (a transaction spans flows), so rows are
// joined on the client MAC and the sequence of message types, taking the
// first unused transaction; a row without such a transaction is joined to
// the first unused one with its MAC and msg_types is scored as a miss.
//
// Not compared: client_addr and server_addr, which Zeek derives from the
// connections' IP headers (connection-level, not message content).
func TestZeekAgreement(t *testing.T) {
	traces := testutil.ZeekTraces(t, "dhcp")
	if len(traces) == 0 {
		t.Skip("corpus absent")
	}
	ty := testutil.NewTally()
	for _, trace := range traces {
		maxTypes := 50
		if strings.Contains(trace, "dhcp_flood") {
			maxTypes = 8 // the test's redef of DHCP::max_msg_types_per_log_entry
		}
		txns := aggregate(t, filepath.Join(testutil.CorpusDir(t), "pcap/zeek", trace), maxTypes)
		for i, r := range testutil.ReadJSONL(t, filepath.Join(testutil.CorpusDir(t), "truth/zeek", trace, "dhcp.jsonl")) {
			where := fmt.Sprintf("%s#%d", trace, i)
			want := testutil.Strs(r["msg_types"])
			var x *txn
			for _, c := range txns {
				if !c.used && c.mac == testutil.Str(r["mac"]) && slices.Equal(c.types, want) {
					x = c
					break
				}
			}
			if x == nil {
				for _, c := range txns {
					if !c.used && c.mac == testutil.Str(r["mac"]) {
						x = c
						break
					}
				}
			}
			if x == nil {
				ty.Check(where, "row", "joined", "missing")
				continue
			}
			x.used = true
			ty.Check(where, "mac", testutil.Str(r["mac"]), x.mac)
			ty.Check(where, "msg_types", strings.Join(want, ","), strings.Join(x.types, ","))
			ty.Check(where, "host_name", testutil.Str(r["host_name"]), x.last(func(m *Message) string { return m.HostName }))
			ty.Check(where, "domain", testutil.Str(r["domain"]), x.last(func(m *Message) string { return m.DomainName }))
			ty.Check(where, "requested_addr", testutil.Str(r["requested_addr"]), x.last(func(m *Message) string { return addrStr(m.RequestedAddr) }))
			ty.Check(where, "assigned_addr", testutil.Str(r["assigned_addr"]), x.last(func(m *Message) string {
				if m.Type == Ack || m.Type == Offer {
					return addrStr(m.YIAddr)
				}
				return ""
			}))
			ty.Check(where, "lease_time", testutil.Str(r["lease_time"]), x.last(func(m *Message) string {
				if m.HasLeaseTime && m.Op == 2 { // Zeek logs the lease the server granted, not one a client asks for
					return fmt.Sprint(m.LeaseTime)
				}
				return ""
			}))
			ty.Check(where, "server_message", testutil.Str(r["server_message"]), x.last(func(m *Message) string {
				if m.Op == 2 {
					return m.ServerMessage
				}
				return ""
			}))
			ty.Check(where, "client_fqdn", testutil.Str(r["client_fqdn"]), x.last(func(m *Message) string { return m.ClientFQDN }))
		}
	}
	ty.Report(t, "Zeek dhcp", 95)
}

// TestNDPIAgreement compares host name, fingerprint and vendor class with
// nDPI, taken from the first client message of the flow that has them
// (nDPI keeps the first value it sees).
func TestNDPIAgreement(t *testing.T) {
	ty := testutil.NewTally()
	cache := map[string][]*testutil.Flow{}
	for _, r := range testutil.NDPIRows(t, "DHCP") {
		if r.Hostname == "" && r.DHCPFP == "" && r.DHCPVC == "" {
			continue
		}
		if r.Tunnel != "" {
			continue // inside CAPWAP/GTP: decapsulation is the decode stage's job, not this test reader's
		}
		flows, ok := cache[r.Pcap]
		if !ok {
			flows, _ = testutil.ReadFlows(filepath.Join(testutil.CorpusDir(t), "pcap/ndpi", r.Pcap))
			cache[r.Pcap] = flows
		}
		k := r.Key()
		where := r.Pcap + " " + k.String()
		var f *testutil.Flow
		for _, x := range flows {
			if x.Key == k {
				f = x
				break
			}
		}
		if f == nil {
			ty.Check(where, "flow", "found", "missing")
			continue
		}
		var host, fp, vc string
		for _, g := range f.Grams {
			m, err := Parse(g)
			if err != nil || m.Op != 1 {
				continue
			}
			if host == "" {
				host = m.HostName
			}
			if fp == "" {
				fp = m.Fingerprint()
			}
			if vc == "" {
				vc = m.VendorClass
			}
		}
		if r.Hostname != "" {
			// nDPI lowercases host names before printing them.
			ty.Check(where, "hostname", r.Hostname, strings.ToLower(host))
		}
		if r.DHCPFP != "" {
			ty.Check(where, "dhcp_fingerprint", r.DHCPFP, fp)
		}
		if r.DHCPVC != "" {
			ty.Check(where, "dhcp_class_ident", r.DHCPVC, vc)
		}
	}
	ty.Report(t, "nDPI dhcp", 95)
}
