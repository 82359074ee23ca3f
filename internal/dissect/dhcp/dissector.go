package dhcp

import (
	"encoding/binary"
	"time"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "dhcp",
		Doc:   "DHCPv4 on any UDP port: one record per exchange (transaction id) of a flow, its messages merged as Zeek's dhcp.log does.",
		UDP:   true,
		Ports: []uint16{67, 68},
		Probe: Probe,
		New:   func() dissect.Dissector { return &dissector{} },
	})
}

// Bounds of the merging of one flow's messages.
const (
	// maxExchanges is how many transaction ids a flow follows at once;
	// past it the oldest exchange is written.
	maxExchanges = 16
	// maxTypes is how many messages one record merges, as Zeek's
	// DHCP::max_msg_types_per_log_entry: a longer exchange (a flood of
	// one xid) continues in a new record.
	maxTypes = 50
	// watchTime is how long after its first message an exchange takes
	// further messages, as Zeek's DHCP::max_txid_watch_time.
	watchTime = int64(30 * time.Second)
)

// exchange is the merged messages of one transaction id.
type exchange struct {
	xid   uint32
	first int64
	g     record.DHCP
}

// dissector merges a flow's messages by transaction id.
type dissector struct {
	xs []*exchange
}

// Data implements dissect.Dissector: one datagram is one message.
func (d *dissector) Data(c *dissect.Context, data []byte, _ bool) (dissect.Status, error) {
	m, err := Parse(data)
	if m == nil {
		return dissect.Continue, err
	}
	now := c.Time()
	d.flush(c, now)
	var x *exchange
	for _, e := range d.xs {
		if e.xid == m.XID {
			x = e
			break
		}
	}
	if x != nil && len(x.g.MsgTypes) >= maxTypes {
		d.write(c, x)
		x = nil
	}
	if x == nil {
		if len(d.xs) >= maxExchanges {
			d.write(c, d.xs[0])
		}
		x = &exchange{xid: m.XID, first: now, g: record.DHCP{TransactionID: m.XID}}
		d.xs = append(d.xs, x)
	}
	merge(&x.g, m)
	return dissect.Continue, err
}

// Gap implements dissect.Dissector; DHCP runs over UDP.
func (d *dissector) Gap(*dissect.Context, int, bool) {}

// End implements dissect.Dissector: the final call writes every
// exchange, an interim one those no longer watched.
func (d *dissector) End(c *dissect.Context, final bool) {
	if !final {
		d.flush(c, c.Time())
		return
	}
	for len(d.xs) > 0 {
		d.write(c, d.xs[0])
	}
}

// flush writes the exchanges whose watch time is over.
func (d *dissector) flush(c *dissect.Context, now int64) {
	for len(d.xs) > 0 && now-d.xs[0].first > watchTime {
		d.write(c, d.xs[0])
	}
}

// write emits an exchange and forgets it. Exchanges are kept in order of
// their first message, so the oldest is first.
func (d *dissector) write(c *dissect.Context, x *exchange) {
	for i, e := range d.xs {
		if e == x {
			d.xs = append(d.xs[:i], d.xs[i+1:]...)
			break
		}
	}
	g := x.g
	c.EmitAt(record.DatasetDHCP, x.first).DHCP = &g
}

// merge folds one message into an exchange. As in Zeek's dhcp.log, a
// later value replaces an earlier one; the lease time and the server
// message are taken from the server's messages only, the parameter
// request list from the client's.
func merge(g *record.DHCP, m *Message) {
	g.MsgTypes = append(g.MsgTypes, m.Type.String())
	if g.ClientMAC == "" {
		g.ClientMAC = m.ClientMAC
		if g.ClientMAC == "" {
			g.ClientMAC = m.ClientHW
		}
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&g.HostName, m.HostName)
	set(&g.ClientFQDN, m.ClientFQDN)
	set(&g.Domain, m.DomainName)
	set(&g.VendorClass, m.VendorClass)
	set(&g.ClientID, m.ClientID)
	if m.RequestedAddr.IsValid() {
		g.RequestedAddr = m.RequestedAddr
	}
	if (m.Type == Ack || m.Type == Offer) && m.YIAddr.IsValid() {
		g.AssignedAddr = m.YIAddr
	}
	if m.CIAddr.IsValid() {
		g.ClientAddr = m.CIAddr
	}
	if m.ServerID.IsValid() {
		g.ServerAddr = m.ServerID
	}
	switch m.Op {
	case 1:
		if len(m.ParamRequestList) > 0 {
			g.ParamRequested = make([]int32, len(m.ParamRequestList))
			for i, o := range m.ParamRequestList {
				g.ParamRequested[i] = int32(o)
			}
		}
	case 2:
		if m.HasLeaseTime {
			g.LeaseTime, g.HasLeaseTime = m.LeaseTime, true
		}
		set(&g.Message, m.ServerMessage)
	}
}

// Probe recognises a DHCPv4 message on any port: a BOOTP header (op 1
// or 2, a hardware address length that fits chaddr, Ethernet with 6
// bytes) followed by the DHCP magic cookie at offset 236. Four fixed
// bytes in the right place after a plausible header are as good a sign
// off the DHCP ports as on them.
func Probe(data []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(data) < fixedHeaderSize+4 {
		return dissect.No
	}
	op, htype, hlen, hops := data[0], data[1], data[2], data[3]
	switch {
	case op != 1 && op != 2,
		hlen > 16, htype == 1 && hlen != 6, htype > 40,
		hops > 16, // RFC 1542 §4.1.1: relays discard messages past 16 hops
		binary.BigEndian.Uint32(data[fixedHeaderSize:]) != magicCookie:
		return dissect.No
	}
	return dissect.Yes
}

var _ dissect.Dissector = (*dissector)(nil)
