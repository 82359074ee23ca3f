package flow

import (
	"net/netip"
	"time"

	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/record"
)

// Inspector looks into the payload of a table's flows (deep packet
// inspection). A table calls it from the table's goroutine only, so one
// Inspector serves one table.
type Inspector interface {
	// Packet inspects one packet of c's flow; fromSource tells its
	// direction. It is called for every packet, payload or not, until it
	// calls c.Done; later packets of the flow are only counted.
	Packet(c *Conn, p *decode.Packet, fromSource bool)
	// End is called before a record of the flow is emitted, or when the
	// table drops the flow's inspection state (how). It may emit
	// transaction records with c.Emit, and returns the labels of the flow
	// record. After an EndFinal or EndDiscard the state is forgotten.
	End(c *Conn, how EndKind) Labels
}

// EndKind says why Inspector.End is called.
type EndKind uint8

// Kinds of Inspector.End calls.
const (
	EndInterim EndKind = iota // an interim record of a long flow: the flow goes on
	EndFinal                  // the flow ended
	EndDiscard                // the table lost track of the direction: start over, emit nothing
)

// Labels are what inspection says about a flow, written on its records.
type Labels struct {
	Protocol    string // network.protocol
	Application string // network.application
	Category    string // app.category
	ParentID    string // flow.parent_id
}

// Conn is the handle an Inspector gets for the flow being inspected. It is
// valid only during the call that handed it over.
type Conn struct {
	t *Table
	f *flow
}

// State returns the inspector's state for the flow (nil at first).
func (c *Conn) State() any { return c.f.dpi }

// SetState keeps the inspector's state with the flow.
func (c *Conn) SetState(s any) { c.f.dpi = s }

// Done stops inspection of the flow: its later packets are only counted.
// End is still called.
func (c *Conn) Done() { c.f.dpiDone = true }

// ID returns the flow.id of the flow.
func (c *Conn) ID() string { return flowID(c.f) }

// Transport returns the IP protocol number of the flow.
func (c *Conn) Transport() uint8 { return c.f.k.proto }

// Source returns the initiator's address and port.
func (c *Conn) Source() netip.AddrPort {
	s, _ := c.f.endpoints()
	return s
}

// Destination returns the responder's address and port.
func (c *Conn) Destination() netip.AddrPort {
	_, d := c.f.endpoints()
	return d
}

// Now returns the table's clock (nanoseconds since the epoch).
func (c *Conn) Now() int64 { return c.t.now }

// Emit appends a transaction record of the flow to the table's output and
// returns it with the fields every record of the flow shares already set
// (time, id, dataset, tenant, observer, addresses, ports, transport,
// Community ID, flow.id). The caller sets the rest before it returns; the
// record must not be kept.
func (c *Conn) Emit(ds record.Dataset, ts int64) *record.Record {
	t, f := c.t, c.f
	r, _ := t.next()
	t.common(r, f, ts)
	r.Event.Dataset = ds
	t.stats.Transactions++
	return r
}

func (f *flow) endpoints() (src, dst netip.AddrPort) {
	srcIP, dstIP := addrFrom16(f.k.lo, f.v6), addrFrom16(f.k.hi, f.v6)
	srcPort, dstPort := f.k.loPort, f.k.hiPort
	if !f.srcIsLo {
		srcIP, dstIP, srcPort, dstPort = dstIP, srcIP, dstPort, srcPort
	}
	return netip.AddrPortFrom(srcIP, srcPort), netip.AddrPortFrom(dstIP, dstPort)
}

// next returns the next record of the output batch, cleared, and its slot.
// A full batch is handed to the sink first, so the returned record stays
// valid until the next call.
func (t *Table) next() (*record.Record, *slot) {
	if len(t.batch) == batchSize {
		t.flushBatch()
	}
	n := len(t.batch)
	t.batch = t.batch[:n+1]
	r := &t.batch[n]
	*r = record.Record{}
	t.stats.Records++
	return r, &t.slots[n]
}

// common sets the fields every record of flow f shares.
func (t *Table) common(r *record.Record, f *flow, ts int64) {
	src, dst := f.endpoints()
	r.Timestamp = time.Unix(0, ts).UTC()
	r.Event.ID = t.ids.Next(r.Timestamp)
	r.Tenant, r.Observer = t.deps.Tenant, t.deps.Observer
	r.Source.IP, r.Destination.IP = src.Addr(), dst.Addr()
	if f.k.proto == 6 || f.k.proto == 17 || f.k.proto == 132 {
		r.Source.Port, r.Destination.Port = src.Port(), dst.Port()
		r.Source.HasPort, r.Destination.HasPort = true, true
	}
	r.Network.Transport = record.TransportName(f.k.proto)
	r.Network.Type = "ipv4"
	if f.v6 {
		r.Network.Type = "ipv6"
	}
	r.Network.IANANumber, r.Network.HasIANA = f.k.proto, true
	r.Network.VLAN, r.Network.InnerVLAN = f.k.vlan, f.k.ivlan
	if f.communityID == "" {
		// Computed once per flow: its records all carry it.
		f.communityID = t.cid.Sum(src.Addr(), dst.Addr(), f.k.proto, src.Port(), dst.Port())
	}
	r.Network.CommunityID = f.communityID
	r.Flow.ID = flowID(f)
}

// inspect hands a packet to the inspector.
func (t *Table) inspect(f *flow, p *decode.Packet, dir int) {
	if t.insp == nil || f.dpiDone {
		if p.PayloadLen > 0 {
			t.stats.NotInspected++
		}
		return
	}
	t.stats.Inspected++
	t.conn = Conn{t: t, f: f}
	t.insp.Packet(&t.conn, p, dir == 0)
}

// endInspection asks the inspector for a flow's labels before a record.
func (t *Table) endInspection(f *flow, how EndKind) Labels {
	if t.insp == nil || (f.dpi == nil && how != EndFinal && how != EndInterim) {
		return Labels{}
	}
	t.conn = Conn{t: t, f: f}
	l := t.insp.End(&t.conn, how)
	if how != EndInterim {
		f.dpi, f.dpiDone = nil, false
	}
	return l
}
