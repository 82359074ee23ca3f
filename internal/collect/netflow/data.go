package netflow

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/flowsift/flowsift/internal/record"
)

// Address slots: IPv4 ones first, IPv6 ones numIPs/2 later.
const (
	ipSrc = iota
	ipDst
	ipNextHop
	ipNATSrc
	ipNATDst
	numIPs = 2 * iota
)

// vals holds one data record's values by kind.
type vals struct {
	num [kSysInitMilli + 1]uint64
	set [kSysInitMilli + 1]bool
	ip  [numIPs]netip.Addr
	mac [2][6]byte
}

func (v *vals) put(k kind, x uint64) { v.num[k], v.set[k] = x, true }

func (v *vals) get(k kind) (uint64, bool) { return v.num[k], v.set[k] }

// addr returns the address in slot i: the one of the flow's IP version
// when the exporter sends both an IPv4 and an IPv6 field (an SRv6 or
// 6PE exporter can fill both), else the one that is filled in.
func (v *vals) addr(i int) netip.Addr {
	a4, a6 := v.ip[i], v.ip[i+numIPs/2]
	if ver, ok := v.get(kIPVersion); ok {
		if ver == 6 && a6.IsValid() {
			return a6
		}
		if ver == 4 && a4.IsValid() {
			return a4
		}
	}
	switch {
	case a4.IsValid() && !a4.IsUnspecified():
		return a4
	case a6.IsValid() && !a6.IsUnspecified():
		return a6
	case a4.IsValid():
		return a4
	}
	return a6
}

// uintBE reads an unsigned integer of 1 to 8 bytes (RFC 7011 reduced-size
// encoding); longer fields give their last 8 bytes.
func uintBE(b []byte) uint64 {
	if len(b) > 8 {
		b = b[len(b)-8:]
	}
	var x uint64
	for _, c := range b {
		x = x<<8 | uint64(c)
	}
	return x
}

// dataSet decodes the records of one data set with template t.
func (d *Decoder) dataSet(t *template, h *header, set []byte, out []record.Record) []record.Record {
	if t.minSize == 0 {
		return out
	}
	for len(set) >= t.minSize {
		var v vals
		ok := true
		for _, s := range t.steps {
			n := int(s.length)
			if s.length == 0xffff {
				if len(set) < 1 {
					ok = false
					break
				}
				n, set = int(set[0]), set[1:]
				if n == 255 {
					if len(set) < 2 {
						ok = false
						break
					}
					n, set = int(binary.BigEndian.Uint16(set)), set[2:]
				}
			}
			if n > len(set) {
				ok = false
				break
			}
			field := set[:n]
			set = set[n:]
			if s.kind != kSkip && n > 0 {
				v.read(s.kind, field)
			}
		}
		if !ok {
			break // a truncated record: padding or a fault, nothing more to read
		}
		if t.options {
			d.option(h, &v)
			continue
		}
		out = append(out, record.Record{})
		d.finish(&out[len(out)-1], h, &v)
	}
	return out
}

func (v *vals) read(k kind, b []byte) {
	switch k {
	case kSrcIP, kDstIP, kNextHop, kNATSrcIP, kNATDstIP:
		switch len(b) {
		case 4:
			v.ip[ipSlot(k)] = netip.AddrFrom4([4]byte(b))
		case 16:
			v.ip[ipSlot(k)+numIPs/2] = netip.AddrFrom16([16]byte(b)).Unmap()
		default:
			return
		}
		v.set[k] = true
	case kSrcMAC, kDstMAC:
		if len(b) == 6 {
			v.mac[k-kSrcMAC] = [6]byte(b)
			v.set[k] = true
		}
	default:
		v.put(k, uintBE(b))
	}
}

func ipSlot(k kind) int {
	switch k {
	case kSrcIP:
		return ipSrc
	case kDstIP:
		return ipDst
	case kNextHop:
		return ipNextHop
	case kNATSrcIP:
		return ipNATSrc
	}
	return ipNATDst
}

// option records what an options data record says about sampling and
// the exporter's clock.
func (d *Decoder) option(h *header, v *vals) {
	d.stats.OptionRecords++
	dk := domainKey{h.exporter, h.version, h.domain}
	if ms, ok := v.get(kSysInitMilli); ok {
		if _, known := d.sysInit[dk]; known || len(d.sysInit) < d.cfg.MaxTemplates {
			d.sysInit[dk] = ms
		}
	}
	rate := uint64(0)
	if iv, ok := v.get(kSamplingInterval); ok && iv > 0 {
		rate = iv
	} else if iv, ok := v.get(kSamplerRandomInterval); ok && iv > 0 {
		rate = iv
	} else if iv, ok := v.get(kPacketInterval); ok && iv > 0 {
		space, _ := v.get(kPacketSpace)
		rate = (iv + space) / iv
	}
	if rate == 0 {
		return
	}
	id, ok := v.get(kSamplerID)
	if !ok {
		id, _ = v.get(kSelectorID)
	}
	k := samplerKey{dk, id}
	if _, known := d.sampling[k]; known || len(d.sampling) < d.cfg.MaxTemplates {
		d.sampling[k] = rate
	}
}

// rate returns the sampling rate that applies to a data record.
func (d *Decoder) rate(h *header, v *vals) uint64 {
	if iv, ok := v.get(kSamplingInterval); ok && iv > 0 {
		return iv
	}
	if iv, ok := v.get(kSamplerRandomInterval); ok && iv > 0 {
		return iv
	}
	if h.v5Rate > 0 {
		return h.v5Rate
	}
	if len(d.sampling) == 0 {
		return 0
	}
	dk := domainKey{h.exporter, h.version, h.domain}
	id, ok := v.get(kSamplerID)
	if !ok {
		id, ok = v.get(kSelectorID)
	}
	if ok {
		if r, found := d.sampling[samplerKey{dk, id}]; found {
			return r
		}
	}
	return d.sampling[samplerKey{dk, 0}]
}

var endReasons = [...]string{1: "idle-timeout", 2: "active-timeout", 3: "end-of-flow", 4: "forced-end", 5: "lack-of-resources"}

// times returns a data record's start and end, or zero times.
func (d *Decoder) times(h *header, v *vals) (start, end time.Time) {
	export := time.Unix(int64(h.exportS), int64(h.exportNs))
	pick := func(sec, milli, micro, nano, uptime, delta kind) time.Time {
		// Zero absolute times are an exporter's "not measured".
		if x, ok := v.get(milli); ok && x != 0 {
			return time.UnixMilli(int64(x)) //nolint:gosec // milliseconds since 1970 fit
		}
		if x, ok := v.get(sec); ok && x != 0 {
			return time.Unix(int64(x), 0) //nolint:gosec // seconds since 1970 fit
		}
		for _, k := range [...]kind{micro, nano} {
			if x, ok := v.get(k); ok && x != 0 { // NTP format: seconds since 1900 and a binary fraction
				s, frac := int64(x>>32)-2208988800, x&0xffffffff
				return time.Unix(s, int64(frac*1e9>>32)) //nolint:gosec // the fraction is below 1e9
			}
		}
		if x, ok := v.get(delta); ok {
			return export.Add(-time.Duration(x) * time.Microsecond) //nolint:gosec // a delta of 32 bits
		}
		if x, ok := v.get(uptime); ok {
			switch h.version {
			case 5, 9:
				// Milliseconds of the exporter's uptime; the header gives
				// the uptime at export. Wraps every 49.7 days.
				ago := int64(int32(h.uptimeMs - uint32(x))) //nolint:gosec // modular on purpose
				return export.Add(-time.Duration(ago) * time.Millisecond)
			default:
				if init, ok := d.sysInit[domainKey{h.exporter, h.version, h.domain}]; ok {
					return time.UnixMilli(int64(init + x)) //nolint:gosec // milliseconds since 1970 fit
				}
			}
		}
		return time.Time{}
	}
	start = plausible(pick(kStartSec, kStartMilli, kStartMicroNTP, kStartNanoNTP, kStartUptime, kStartDeltaMicro))
	end = plausible(pick(kEndSec, kEndMilli, kEndMicroNTP, kEndNanoNTP, kEndUptime, kEndDeltaMicro))
	return start, end
}

// plausible drops a time an exporter (or an attacker) put outside the
// years a record can be written in.
func plausible(t time.Time) time.Time {
	if t.IsZero() || t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}
	}
	return t.UTC()
}

// finish fills r from one data record.
func (d *Decoder) finish(r *record.Record, h *header, v *vals) {
	r.Event.Dataset = record.DatasetNetFlow
	r.Observer, r.Tenant = d.deps.Observer, d.deps.Tenant
	nf := &record.NetFlow{Protocol: protoName(h.version), Exporter: h.exporter, DomainID: h.domain}
	r.NetFlow = nf

	r.Source.IP, r.Destination.IP = v.addr(ipSrc), v.addr(ipDst)
	proto, hasProto := v.get(kProto)
	if hasProto {
		r.Network.IANANumber, r.Network.HasIANA = uint8(proto), true //nolint:gosec // one byte on the wire
		r.Network.Transport = record.TransportName(uint8(proto))     //nolint:gosec // one byte on the wire
	}
	switch {
	case r.Source.IP.Is4():
		r.Network.Type = "ipv4"
	case r.Source.IP.Is6():
		r.Network.Type = "ipv6"
	}
	sport, _ := v.get(kSrcPort)
	dport, _ := v.get(kDstPort)
	switch proto {
	case 6, 17, 132:
		r.Source.Port, r.Source.HasPort = uint16(sport), true           //nolint:gosec // two bytes on the wire
		r.Destination.Port, r.Destination.HasPort = uint16(dport), true //nolint:gosec // two bytes on the wire
	case 1, 58:
		tc, ok := v.get(kICMPTypeCode)
		if !ok && v.set[kDstPort] {
			tc, ok = dport, true // many exporters put type<<8|code in the destination port
		}
		if ok {
			r.ICMP.Type, r.ICMP.Code, r.ICMP.Has = uint8(tc>>8), uint8(tc), true //nolint:gosec // two bytes
		}
		if t, ok := v.get(kICMPType); ok {
			r.ICMP.Type, r.ICMP.Has = uint8(t), true //nolint:gosec // one byte
		}
		if c, ok := v.get(kICMPCode); ok {
			r.ICMP.Code = uint8(c) //nolint:gosec // one byte
		}
	}

	// Counters: deltas, else totals, else the post (egress) or NSEL
	// initiator/responder counters.
	first := func(ks ...kind) uint64 {
		for _, k := range ks {
			if x, ok := v.get(k); ok {
				return x
			}
		}
		return 0
	}
	pkts := first(kPackets, kPacketsTotal, kPostPackets, kInitiatorPackets)
	octs := first(kOctets, kOctetsTotal, kPostOctets, kInitiatorOctets)
	rpkts := first(kRevPackets, kRevPacketsTotal, kResponderPackets)
	rocts := first(kRevOctets, kRevOctetsTotal, kResponderOctets)
	rate := d.rate(h, v)
	nf.SamplingRate = rate
	nf.RawPackets, nf.RawBytes = pkts+rpkts, octs+rocts
	scale := max(rate, 1)
	r.Source.Packets, r.Source.Bytes = pkts*scale, octs*scale
	r.Destination.Packets, r.Destination.Bytes = rpkts*scale, rocts*scale

	if f, ok := v.get(kTCPFlags); ok && proto == 6 {
		r.Flow.SourceTCPFlags, r.Flow.HasTCP = uint8(f), true //nolint:gosec // the low byte holds the flags
	}
	if f, ok := v.get(kRevTCPFlags); ok && proto == 6 {
		r.Flow.DestinationTCPFlags, r.Flow.HasTCP = uint8(f), true //nolint:gosec // the low byte holds the flags
	}
	// ifIndex 0 is "unknown" (SNMP numbers interfaces from 1).
	if x, ok := v.get(kInIf); ok && x != 0 {
		nf.InInterface, nf.HasIn = uint32(x), true //nolint:gosec // SNMP ifIndex is 32 bits
	}
	if x, ok := v.get(kOutIf); ok && x != 0 {
		nf.OutInterface, nf.HasOut = uint32(x), true //nolint:gosec // SNMP ifIndex is 32 bits
	}
	if x, ok := v.get(kToS); ok {
		nf.ToS, nf.HasToS = uint8(x), true //nolint:gosec // one byte
	}
	if a := v.addr(ipNextHop); a.IsValid() && !a.IsUnspecified() {
		nf.NextHop = a
	}
	if x, ok := v.get(kSrcAS); ok {
		r.Source.AS = uint32(x) //nolint:gosec // AS numbers are 32 bits
	}
	if x, ok := v.get(kDstAS); ok {
		r.Destination.AS = uint32(x) //nolint:gosec // AS numbers are 32 bits
	}
	if a := v.addr(ipNATSrc); a.IsValid() && !a.IsUnspecified() {
		r.Source.NATIP = a
	}
	if a := v.addr(ipNATDst); a.IsValid() && !a.IsUnspecified() {
		r.Destination.NATIP = a
	}
	if x, ok := v.get(kNATSrcPort); ok && x != 0 {
		r.Source.NATPort, r.Source.HasNATPort = uint16(x), true //nolint:gosec // two bytes
	}
	if x, ok := v.get(kNATDstPort); ok && x != 0 {
		r.Destination.NATPort, r.Destination.HasNATPort = uint16(x), true //nolint:gosec // two bytes
	}
	if v.set[kSrcMAC] && v.mac[0] != [6]byte{} {
		r.Source.MAC, r.Source.HasMAC = v.mac[0], true
	}
	if v.set[kDstMAC] && v.mac[1] != [6]byte{} {
		r.Destination.MAC, r.Destination.HasMAC = v.mac[1], true
	}
	if x, ok := v.get(kVLAN); ok && x != 0 {
		r.Network.VLAN = uint16(x) & 0xfff //nolint:gosec // 12 bits
	}
	if x, ok := v.get(kDirection); ok {
		switch x {
		case 0:
			r.Network.Direction = "ingress"
		case 1:
			r.Network.Direction = "egress"
		}
	}
	if x, ok := v.get(kEndReason); ok && x < uint64(len(endReasons)) {
		r.Flow.EndReason = endReasons[x]
	}
	if x, ok := v.get(kMPLSTop); ok && x>>4 != 0 {
		r.Flow.MPLS = []uint32{uint32(x >> 4)} //nolint:gosec // a 20-bit label
	}

	start, end := d.times(h, v)
	r.Event.Start, r.Event.End = start, end
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		r.Event.End = start
	}
	r.Timestamp = start
	if r.Timestamp.IsZero() {
		r.Timestamp = time.Unix(int64(h.exportS), int64(h.exportNs)).UTC()
	}
	r.Event.ID = d.ids.Next(r.Timestamp)
	if r.Source.IP.IsValid() && r.Destination.IP.IsValid() && hasProto {
		sp, dp := r.Source.Port, r.Destination.Port
		if proto == 1 || proto == 58 {
			sp, dp = uint16(r.ICMP.Type), uint16(r.ICMP.Code)
		}
		r.Network.CommunityID = d.cid.Sum(r.Source.IP, r.Destination.IP, uint8(proto), sp, dp) //nolint:gosec // one byte
	}
	d.stats.Records++
}
