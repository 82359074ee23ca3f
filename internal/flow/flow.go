package flow

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/communityid"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/record"
)

// Sink receives batches of records. The batch and the slices inside its
// records are reused after Consume returns: a sink that keeps them must
// copy them.
type Sink interface {
	Consume(batch []record.Record)
}

// Deps are the flow table's collaborators.
type Deps struct {
	Sink     Sink
	Observer string // observer.name on every record
	Tenant   string // tenant.id on every record
	// NewInspector, when set, makes the table's payload inspector (one per
	// table: tables run on different goroutines).
	NewInspector func() Inspector
}

// End reasons written to flow.end_reason.
const (
	EndIdle   = "idle-timeout"
	EndActive = "active-timeout"
	EndFIN    = "tcp-fin"
	EndRST    = "tcp-rst"
	EndEvict  = "evicted"
	EndInput  = "end-of-input"
)

// Stats counts what the table did.
type Stats struct {
	Packets      uint64 // packets tracked
	Bytes        uint64 // IP bytes tracked
	Flows        uint64 // flows created
	Records      uint64 // records emitted (flows, interim and transactions)
	Transactions uint64 // transaction records emitted by the inspector
	Inspected    uint64 // packets handed to the inspector
	NotInspected uint64 // packets with payload of flows whose inspection was done (or off)
	Interim      uint64 // interim records
	Evicted      uint64 // flows ended early because the table was full
	PortReuse    uint64 // closed TCP flows ended by a new SYN on the same 5-tuple
	ActiveFlows  int    // flows live now
	PeakFlows    int    // most flows live at once
}

// key identifies a flow regardless of direction: lo is the smaller
// (address, port) endpoint.
type key struct {
	lo, hi         [16]byte
	loPort, hiPort uint16
	vlan, ivlan    uint16
	proto          uint8
}

const (
	listTCP = iota
	listTCPClosed
	listUDP
	listDNS
	listICMP
	listOther
	numLists
)

// flow is one live flow. Index 0 of the per-direction arrays is the source
// (initiator), 1 the destination.
type flow struct {
	k       key
	srcIsLo bool
	v6      bool
	list    uint8

	first, last int64 // whole flow
	recStart    int64 // first packet of the current record interval
	recLast     int64
	pkts        [2]uint64
	bytes       [2]uint64
	payload     [2]uint64
	flags       [2]uint8
	synSeen     bool
	seen        [2]bool // a packet came from this side (kept across interim records)
	fin         [2]bool
	rst         bool
	closeAt     int64 // when the TCP close completed
	interims    uint32
	fragments   uint32

	hist     [16]byte // 6 letters per side and a few flips fit
	histLen  uint8
	histSeen [2]uint16

	patN    uint8
	patDirs uint16
	patSize [MaxPattern]uint16
	patIAT  [MaxPattern]uint32

	mac         [2][6]byte
	hasMAC      bool
	icmpType    uint8
	icmpCode    uint8
	communityID string // ICMP: computed from the first packet; others: at the first record

	encap *encap // tunnel and MPLS details; nil for the common plain flow

	dpi     any  // the inspector's state
	dpiDone bool // the inspector needs no more packets

	prev, next   *flow // idle list of its class, least recently active first
	aprev, anext *flow // active-timeout list, oldest record interval first
}

// encap holds what few flows have, kept out of the flow struct so that a
// plain flow stays small.
type encap struct {
	tunnels     [decode.MaxTunnels]uint8
	tunnelDepth uint8
	tunnelID    uint32
	hasTunnelID bool
	tunnelSrc   netip.Addr
	tunnelDst   netip.Addr
	mpls        [decode.MaxMPLS]uint32
	mplsDepth   uint8
}

type list struct{ head, tail *flow }

func (l *list) pushBack(f *flow) {
	f.prev, f.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = f
	} else {
		l.head = f
	}
	l.tail = f
}

func (l *list) remove(f *flow) {
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		l.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.prev, f.next = nil, nil
}

type alist struct{ head, tail *flow }

func (l *alist) pushBack(f *flow) {
	f.aprev, f.anext = l.tail, nil
	if l.tail != nil {
		l.tail.anext = f
	} else {
		l.head = f
	}
	l.tail = f
}

func (l *alist) remove(f *flow) {
	if f.aprev != nil {
		f.aprev.anext = f.anext
	} else {
		l.head = f.anext
	}
	if f.anext != nil {
		f.anext.aprev = f.aprev
	} else {
		l.tail = f.aprev
	}
	f.aprev, f.anext = nil, nil
}

// slot holds one record of the output batch and the arrays its slices
// point into, so building a record allocates only its strings.
type slot struct {
	sizes   [MaxPattern]int32
	iats    [MaxPattern]int32
	tunnels [decode.MaxTunnels]string
	mpls    [decode.MaxMPLS]uint32
}

const batchSize = 256

// Table is the flow table. It is not safe for concurrent use: shard
// packets by flow across tables to use several cores.
type Table struct {
	cfg     Config
	deps    Deps
	flows   map[key]*flow
	lists   [numLists]list
	active  alist
	idle    [numLists]int64
	free    []*flow
	now     int64
	checked int64
	stats   Stats

	batch []record.Record
	slots []slot
	ids   *record.IDGenerator
	cid   *communityid.Hasher
	insp  Inspector
	conn  Conn // handed to the inspector
}

// New returns a flow table. cfg must be valid.
func New(cfg Config, deps Deps) *Table {
	t := &Table{
		cfg:   cfg,
		deps:  deps,
		flows: make(map[key]*flow), // grows with the traffic: a fixed size would cost memory per worker
		batch: make([]record.Record, 0, batchSize),
		slots: make([]slot, batchSize),
		ids:   record.NewIDGenerator(),
		cid:   communityid.New(0),
	}
	if deps.NewInspector != nil {
		t.insp = deps.NewInspector()
	}
	t.idle = [numLists]int64{
		listTCP: int64(cfg.TCPIdle), listTCPClosed: int64(cfg.TCPClose), listUDP: int64(cfg.UDPIdle), listDNS: int64(cfg.DNSIdle),
		listICMP: int64(cfg.ICMPIdle), listOther: int64(cfg.OtherIdle),
	}
	return t
}

// Stats returns the counters.
func (t *Table) Stats() Stats {
	s := t.stats
	s.ActiveFlows = len(t.flows)
	return s
}

// Add tracks one decoded packet (and, for a UDP-based tunnel, its outer
// UDP flow).
func (t *Table) Add(p *decode.Packet) {
	t.Tick(p.Timestamp)
	for i := range int(p.NumCarriers) {
		t.addCarrier(p, &p.Carriers[i])
	}
	t.track(p)
}

func (t *Table) addCarrier(p *decode.Packet, c *decode.Carrier) {
	var q decode.Packet
	q.Timestamp, q.CapLen, q.WireLen = p.Timestamp, p.CapLen, p.WireLen
	q.SrcMAC, q.DstMAC, q.HasMAC = p.SrcMAC, p.DstMAC, p.HasMAC
	q.VLAN, q.InnerVLAN = c.VLAN, c.InnerVLAN
	q.MPLS, q.MPLSDepth = p.MPLS, p.MPLSDepth
	q.IPVersion = 4
	if c.Src.Is6() {
		q.IPVersion = 6
	}
	q.Src, q.Dst, q.Proto, q.IPLen = c.Src, c.Dst, 17, c.IPLen
	q.SrcPort, q.DstPort, q.HasPorts = c.SrcPort, c.DstPort, true
	q.PayloadLen = c.PayloadLen
	t.track(&q)
}

// likelyServerPort reports ports on which a server listens, used to pick
// the initiator when a flow's first packet is not a TCP SYN.
func likelyServerPort(p uint16) bool {
	if p < 1024 {
		return true
	}
	switch p {
	case 1194, 1433, 1521, 1701, 1723, 1812, 1813, 1883, 2049, 2083, 2087, 3128, 3268, 3306, 3389, 3478,
		4500, 5060, 5061, 5222, 5228, 5353, 5355, 5432, 5671, 5672, 5900, 5938, 6379, 6443, 6881, 8000, 8008,
		8080, 8081, 8443, 8883, 8888, 9000, 9092, 9200, 9418, 11211, 27017:
		return true
	}
	return false
}

func (t *Table) track(p *decode.Packet) {
	var k key
	var s, d [16]byte
	s, d = p.Src.As16(), p.Dst.As16()
	k.proto, k.vlan, k.ivlan = p.Proto, p.VLAN, p.InnerVLAN
	sp, dp := p.SrcPort, p.DstPort
	if p.Proto == 1 || p.Proto == 58 {
		// ICMP: request and reply types pair up as Community ID does.
		sp, dp, _ = communityid.ICMPPorts(p.Proto == 58, p.ICMPType, p.ICMPCode)
	}
	c := bytes.Compare(s[:], d[:])
	pktIsLo := c < 0 || (c == 0 && sp <= dp)
	if pktIsLo {
		k.lo, k.hi, k.loPort, k.hiPort = s, d, sp, dp
	} else {
		k.lo, k.hi, k.loPort, k.hiPort = d, s, dp, sp
	}
	if p.Proto == 1 || p.Proto == 58 {
		// ICMP: the "ports" are the type and its reply type (or the code
		// of a one-way message); they identify the exchange, not a side.
		k.loPort, k.hiPort = sp, dp
		if sp > dp {
			k.loPort, k.hiPort = dp, sp
		}
	}

	f := t.flows[k]
	syn := p.Proto == 6 && p.TCPFlags&(record.TCPFlagSYN|record.TCPFlagACK) == record.TCPFlagSYN
	if f != nil && f.list == listTCPClosed && syn {
		// A new connection reuses the 5-tuple of a closed one.
		t.stats.PortReuse++
		t.end(f, endReasonClosed(f))
		f = nil
	}
	if f == nil {
		f = t.create(k, p, pktIsLo)
	}
	dir := 0
	if pktIsLo != f.srcIsLo {
		dir = 1
	}
	if p.Proto == 6 && syn && dir == 1 && !f.synSeen {
		// The capture started mid-flow and the side we took for the
		// responder opens a connection: it is the initiator (Zeek's '^').
		f.flip()
		dir = 0
		if f.dpi != nil {
			t.endInspection(f, EndDiscard)
		}
	}
	t.count(f, p, dir)
	t.inspect(f, p, dir)
}

func endReasonClosed(f *flow) string {
	if f.rst {
		return EndRST
	}
	return EndFIN
}

func (t *Table) create(k key, p *decode.Packet, pktIsLo bool) *flow {
	if len(t.flows) >= t.cfg.MaxFlows {
		t.evict()
	}
	var f *flow
	if n := len(t.free); n > 0 {
		f = t.free[n-1]
		t.free = t.free[:n-1]
		*f = flow{}
	} else {
		f = &flow{}
	}
	f.k = k
	f.srcIsLo = pktIsLo
	f.v6 = p.IPVersion == 6
	f.first, f.recStart = p.Timestamp, p.Timestamp
	f.icmpType, f.icmpCode = p.ICMPType, p.ICMPCode
	if p.TunnelDepth > 0 || p.MPLSDepth > 0 {
		f.encap = &encap{
			tunnels: p.Tunnels, tunnelDepth: p.TunnelDepth,
			tunnelSrc: p.TunnelSrc, tunnelDst: p.TunnelDst,
			tunnelID: p.TunnelID, hasTunnelID: p.HasTunnelID,
			mpls: p.MPLS, mplsDepth: p.MPLSDepth,
		}
	}
	if p.HasMAC {
		f.mac[0], f.mac[1], f.hasMAC = p.SrcMAC, p.DstMAC, true
	}
	if p.Proto == 1 || p.Proto == 58 {
		// The Community ID of an ICMP flow depends on which type was
		// sent by whom, so hash the first packet as it was sent.
		f.communityID = t.cid.Sum(p.Src, p.Dst, p.Proto, uint16(p.ICMPType), uint16(p.ICMPCode))
	}
	flip := false
	switch {
	case p.Proto == 6 && p.TCPFlags&(record.TCPFlagSYN|record.TCPFlagACK) == record.TCPFlagSYN|record.TCPFlagACK:
		flip = true // a SYN-ACK comes from the responder
	case p.Proto == 6 && p.TCPFlags&record.TCPFlagSYN != 0:
	case p.HasPorts:
		flip = likelyServerPort(p.SrcPort) && !likelyServerPort(p.DstPort)
	case p.Proto == 1 || p.Proto == 58:
		// A reply type (echo reply, timestamp reply, …) comes from the responder.
		flip = isICMPReply(p.Proto == 58, p.ICMPType)
	}
	if flip {
		f.srcIsLo = !pktIsLo
		f.mac[0], f.mac[1] = f.mac[1], f.mac[0]
		f.addHistory('^')
	}
	switch p.Proto {
	case 6:
		f.list = listTCP
	case 17:
		f.list = listUDP
		if dnsPort(p.SrcPort) || dnsPort(p.DstPort) {
			f.list = listDNS
		}
	case 1, 58:
		f.list = listICMP
	default:
		f.list = listOther
	}
	t.flows[k] = f
	t.lists[f.list].pushBack(f)
	if t.cfg.ActiveTimeout > 0 {
		t.active.pushBack(f)
	}
	t.stats.Flows++
	if n := len(t.flows); n > t.stats.PeakFlows {
		t.stats.PeakFlows = n
	}
	return f
}

// dnsPort reports the UDP ports of Zeek's DNS analyzer (DNS, NetBIOS name
// service, mDNS, LLMNR), whose flows time out after DNSIdle.
func dnsPort(p uint16) bool { return p == 53 || p == 137 || p == 5353 || p == 5355 }

// isICMPReply reports reply types that only answer a request (echo,
// timestamp, information, address mask, node information). Advertisements
// and reports are often unsolicited, so their sender stays the source.
func isICMPReply(v6 bool, typ uint8) bool {
	if v6 {
		return typ == 129 || typ == 140
	}
	return typ == 0 || typ == 14 || typ == 16 || typ == 18
}

// flip swaps source and destination of a flow after its first packets.
func (f *flow) flip() {
	f.srcIsLo = !f.srcIsLo
	f.pkts[0], f.pkts[1] = f.pkts[1], f.pkts[0]
	f.bytes[0], f.bytes[1] = f.bytes[1], f.bytes[0]
	f.payload[0], f.payload[1] = f.payload[1], f.payload[0]
	f.flags[0], f.flags[1] = f.flags[1], f.flags[0]
	f.fin[0], f.fin[1] = f.fin[1], f.fin[0]
	f.seen[0], f.seen[1] = f.seen[1], f.seen[0]
	f.histSeen[0], f.histSeen[1] = f.histSeen[1], f.histSeen[0]
	f.mac[0], f.mac[1] = f.mac[1], f.mac[0]
	f.patDirs = ^f.patDirs & (1<<f.patN - 1)
	for i := 0; i < int(f.histLen); i++ {
		c := f.hist[i]
		switch {
		case c >= 'a' && c <= 'z':
			f.hist[i] = c - 32
		case c >= 'A' && c <= 'Z':
			f.hist[i] = c + 32
		}
	}
	f.addHistory('^')
}

func (f *flow) addHistory(c byte) {
	if int(f.histLen) < len(f.hist) {
		f.hist[f.histLen] = c
		f.histLen++
	}
}

// history letters, as Zeek writes them for the originator.
const histLetters = "SHADFR"

func (f *flow) mark(dir int, letter byte) {
	i := strings.IndexByte(histLetters, letter)
	bit := uint16(1) << i
	if f.histSeen[dir]&bit != 0 {
		return
	}
	f.histSeen[dir] |= bit
	if dir == 1 {
		letter += 32
	}
	f.addHistory(letter)
}

func (t *Table) count(f *flow, p *decode.Packet, dir int) {
	ts := p.Timestamp
	if f.pkts[0]+f.pkts[1] == 0 {
		f.recStart = ts // first packet of a record interval
	}
	if n := int(f.patN); n < t.cfg.PatternPackets {
		f.patSize[n] = uint16(min(p.IPLen, 65535)) //nolint:gosec // clamped
		if n > 0 && ts > f.last {
			f.patIAT[n] = uint32(min((ts-f.last)/1000, 1<<31-1)) //nolint:gosec // clamped
		}
		if dir == 1 {
			f.patDirs |= 1 << n
		}
		f.patN++
	}
	if ts > f.last {
		f.last = ts
	}
	f.recLast = max(f.recLast, ts)
	f.pkts[dir]++
	f.bytes[dir] += uint64(p.IPLen)        //nolint:gosec // lengths are non-negative
	f.payload[dir] += uint64(p.PayloadLen) //nolint:gosec // lengths are non-negative
	if p.Reassembled {
		f.fragments++
	}
	t.stats.Packets++
	t.stats.Bytes += uint64(p.IPLen) //nolint:gosec // lengths are non-negative

	switch p.Proto {
	case 6:
		fl := p.TCPFlags
		// The close is complete, as Zeek decides, on a RST, or on a FIN
		// when the peer has closed too or never sent anything.
		peer := 1 - dir
		closing := fl&record.TCPFlagRST != 0 ||
			(fl&record.TCPFlagFIN != 0 && !f.fin[dir] && (f.fin[peer] || !f.seen[peer]))
		f.seen[dir] = true
		f.flags[dir] |= fl
		switch {
		case fl&record.TCPFlagSYN != 0:
			f.synSeen = true
			if fl&record.TCPFlagACK != 0 {
				f.mark(dir, 'H')
			} else {
				f.mark(dir, 'S')
			}
		case fl&(record.TCPFlagFIN|record.TCPFlagRST) == 0 && fl&record.TCPFlagACK != 0 && p.PayloadLen == 0:
			f.mark(dir, 'A')
		}
		if p.PayloadLen > 0 {
			f.mark(dir, 'D')
		}
		if fl&record.TCPFlagFIN != 0 {
			f.mark(dir, 'F')
			f.fin[dir] = true
		}
		if fl&record.TCPFlagRST != 0 {
			f.mark(dir, 'R')
			f.rst = true
		}
		if f.list == listTCP && closing {
			// The flow ends TCPClose after the close, whatever comes
			// later (Zeek's tcp_close_delay), so the closed list stays
			// in order of closing.
			t.lists[f.list].remove(f)
			f.list = listTCPClosed
			f.closeAt = ts
			t.lists[f.list].pushBack(f)
			return
		}
		if f.list == listTCPClosed {
			return
		}
	case 17:
		f.seen[dir] = true
		if p.PayloadLen > 0 {
			f.mark(dir, 'D')
		}
	default:
		f.seen[dir] = true
	}
	// Most recently active goes to the back of its idle list.
	l := &t.lists[f.list]
	if l.tail != f {
		l.remove(f)
		l.pushBack(f)
	}
}

// expire ends idle flows and emits interim records of long ones.
func (t *Table) expire() {
	for i := range t.lists {
		l := &t.lists[i]
		for f := l.head; f != nil && f.idleSince(i)+t.idle[i] <= t.now; f = l.head {
			reason := EndIdle
			if i == listTCPClosed {
				reason = endReasonClosed(f)
			}
			t.end(f, reason)
		}
	}
	if at := int64(t.cfg.ActiveTimeout); at > 0 {
		for f := t.active.head; f != nil && f.recStart+at <= t.now; f = t.active.head {
			t.interim(f)
		}
	}
}

// idleSince returns the time from which a flow on list i times out: its
// last packet, or for a closed TCP flow the close.
func (f *flow) idleSince(i int) int64 {
	if i == listTCPClosed {
		return f.closeAt
	}
	return f.last
}

// evict ends the least recently active flow to make room.
func (t *Table) evict() {
	var oldest *flow
	for i := range t.lists {
		if f := t.lists[i].head; f != nil && (oldest == nil || f.last < oldest.last) {
			oldest = f
		}
	}
	if oldest != nil {
		t.stats.Evicted++
		t.end(oldest, EndEvict)
	}
}

func (t *Table) interim(f *flow) {
	t.active.remove(f)
	if f.pkts[0]+f.pkts[1] > 0 {
		t.emit(f, EndActive, EndInterim)
		f.interims++
		f.pkts, f.bytes, f.payload, f.flags = [2]uint64{}, [2]uint64{}, [2]uint64{}, [2]uint8{}
	}
	f.recStart = t.now
	t.active.pushBack(f)
}

func (t *Table) end(f *flow, reason string) {
	if f.pkts[0]+f.pkts[1] > 0 || f.interims == 0 {
		t.emit(f, reason, EndFinal)
	} else if f.dpi != nil {
		t.endInspection(f, EndFinal) // pending transactions still go out
	}
	t.lists[f.list].remove(f)
	if t.cfg.ActiveTimeout > 0 {
		t.active.remove(f)
	}
	delete(t.flows, f.k)
	f.encap = nil
	t.free = append(t.free, f)
}

// Flush ends every live flow (end of input) and hands the last batch to
// the sink.
func (t *Table) Flush() {
	for i := range t.lists {
		for f := t.lists[i].head; f != nil; f = t.lists[i].head {
			reason := EndInput
			if i == listTCPClosed {
				reason = endReasonClosed(f)
			}
			t.end(f, reason)
		}
	}
	t.flushBatch()
}

func (t *Table) flushBatch() {
	if len(t.batch) > 0 && t.deps.Sink != nil {
		t.deps.Sink.Consume(t.batch)
	}
	t.batch = t.batch[:0]
}

func addrFrom16(b [16]byte, v6 bool) netip.Addr {
	a := netip.AddrFrom16(b)
	if !v6 {
		return a.Unmap()
	}
	return a
}

func (t *Table) emit(f *flow, reason string, how EndKind) {
	interim := how == EndInterim
	// Transactions the inspector still holds go out before the flow
	// record, which then carries the flow's labels.
	var labels Labels
	if t.insp != nil {
		labels = t.endInspection(f, how)
	}
	r, sl := t.next()
	t.common(r, f, f.recStart)
	r.Event.Dataset = record.DatasetFlow
	r.Event.Start = r.Timestamp
	r.Event.End = time.Unix(0, f.recLast).UTC()
	if f.hasMAC {
		// An all-zero address is no station's (loopback and some
		// capture tools write it): it is left out.
		r.Source.MAC, r.Destination.MAC = f.mac[0], f.mac[1]
		r.Source.HasMAC, r.Destination.HasMAC = f.mac[0] != [6]byte{}, f.mac[1] != [6]byte{}
	}
	r.Source.Packets, r.Source.Bytes = f.pkts[0], f.bytes[0]
	r.Destination.Packets, r.Destination.Bytes = f.pkts[1], f.bytes[1]
	if f.k.proto == 1 || f.k.proto == 58 {
		r.ICMP = record.ICMP{Type: f.icmpType, Code: f.icmpCode, Has: true}
	}
	r.Network.Protocol, r.Network.Application, r.Network.AppCategory = labels.Protocol, labels.Application, labels.Category
	r.Flow.ParentID = labels.ParentID

	fl := &r.Flow
	fl.Interim = interim
	fl.EndReason = reason
	fl.History = string(f.hist[:f.histLen])
	fl.SourcePayloadBytes, fl.DestinationPayloadBytes = f.payload[0], f.payload[1]
	if f.k.proto == 6 {
		fl.SourceTCPFlags, fl.DestinationTCPFlags, fl.HasTCP = f.flags[0], f.flags[1], true
	}
	if f.interims == 0 && f.patN > 0 {
		var dirs [MaxPattern]byte
		for i := 0; i < int(f.patN); i++ {
			sl.sizes[i] = int32(f.patSize[i])
			sl.iats[i] = int32(f.patIAT[i]) //nolint:gosec // clamped below 2^31
			dirs[i] = 's'
			if f.patDirs&(1<<i) != 0 {
				dirs[i] = 'd'
			}
		}
		fl.PatternSizes = sl.sizes[:f.patN]
		fl.PatternIATMicros = sl.iats[:f.patN]
		fl.PatternDirections = string(dirs[:f.patN])
	}
	fl.Fragment = f.fragments
	if e := f.encap; e != nil {
		if e.tunnelDepth > 0 {
			for i := 0; i < int(e.tunnelDepth); i++ {
				sl.tunnels[i] = decode.TunnelNames[e.tunnels[i]]
			}
			fl.Tunnel = record.Tunnel{Types: sl.tunnels[:e.tunnelDepth], Source: e.tunnelSrc.Unmap(), Destination: e.tunnelDst.Unmap(),
				ID: e.tunnelID, HasID: e.hasTunnelID}
		}
		if e.mplsDepth > 0 {
			copy(sl.mpls[:], e.mpls[:e.mplsDepth])
			fl.MPLS = sl.mpls[:e.mplsDepth]
		}
	}

	if interim {
		t.stats.Interim++
	}
}

// flowID derives a stable id from the flow key and its first packet time,
// so a replay of the same capture gives the same ids.
func flowID(f *flow) string {
	var b [8 + 8]byte
	h := uint64(14695981039346656037)
	mix := func(p []byte) {
		for _, c := range p {
			h ^= uint64(c)
			h *= 1099511628211
		}
	}
	mix(f.k.lo[:])
	mix(f.k.hi[:])
	binary.BigEndian.PutUint64(b[:8], uint64(f.k.loPort)<<48|uint64(f.k.hiPort)<<32|uint64(f.k.vlan)<<16|uint64(f.k.proto))
	binary.BigEndian.PutUint64(b[8:], uint64(f.first)) //nolint:gosec // nanoseconds since 1970
	mix(b[:])
	const hexd = "0123456789abcdef"
	var out [16]byte
	for i := 15; i >= 0; i-- {
		out[i] = hexd[h&15]
		h >>= 4
	}
	return string(out[:])
}

// Tick moves the table's clock to ts when ts is newer. Timers run when
// the clock enters a new second: aligning them to whole seconds lets
// tables that each see a share of the traffic (and the time of every
// frame) end flows exactly as one table that sees it all. Callers tick
// with every frame's time, including frames that carry no flow.
func (t *Table) Tick(ts int64) {
	if ts > t.now {
		t.now = ts
	}
	if t.now/int64(time.Second) != t.checked/int64(time.Second) {
		t.expire()
		t.checked = t.now
	}
}

// Advance moves the table's clock to ts (a live source's heartbeat when no
// packets arrive) and expires what timed out.
func (t *Table) Advance(ts int64) {
	if ts > t.now {
		t.now = ts
	}
	t.expire()
	t.checked = t.now
	t.flushBatch()
}
