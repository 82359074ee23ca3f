// Package sflow turns sFlow v5 datagrams into netflow records: each flow
// sample's raw packet header goes through the sensor's packet decoder
// (Ethernet, VLAN, MPLS, tunnels, IPv4/IPv6, TCP/UDP/ICMP), and becomes
// one record of one sampled packet, scaled by the sampling rate. Counter
// samples are counted. Datagrams are taken apart by goflow2's sflow
// decoder.
package sflow

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"time"

	gfsflow "github.com/netsampler/goflow2/v2/decoders/sflow"
	"github.com/netsampler/goflow2/v2/decoders/utils"

	"github.com/flowsift/flowsift/internal/communityid"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/record"
)

// Stats counts what a Decoder saw.
type Stats struct {
	Datagrams      uint64
	FlowSamples    uint64
	CounterSamples uint64
	Records        uint64
	DecodeErrors   uint64 // datagrams goflow2 could not decode
	Undecodable    uint64 // sampled headers the packet decoder could not read to an IP header
	SequenceGaps   uint64
	Lost           uint64 // datagrams the agents' sequence numbers say were lost
}

// Deps are what records are stamped with.
type Deps struct {
	Observer string
	Tenant   string
}

type agentKey struct {
	agent netip.Addr
	sub   uint32
}

// Decoder decodes sFlow datagrams. Not safe for concurrent use.
type Decoder struct {
	deps  Deps
	pkt   decode.Packet
	dec   *decode.Decoder
	ids   *record.IDGenerator
	cid   *communityid.Hasher
	seq   map[agentKey]uint32
	stats Stats
}

// New returns a Decoder.
func New(deps Deps) *Decoder {
	cfg := decode.DefaultConfig()
	cfg.Defrag.MaxDatagrams = 1 // one sampled packet: next to nothing to reassemble
	return &Decoder{deps: deps, dec: decode.New(cfg), ids: record.NewIDGenerator(), cid: communityid.New(0),
		seq: map[agentKey]uint32{}}
}

// Stats returns the counters so far.
func (d *Decoder) Stats() Stats { return d.stats }

// ErrNotSFlow marks a datagram that is not sFlow v5.
var ErrNotSFlow = errors.New("not an sFlow v5 datagram")

// Decode appends the records of one datagram, received at recv from
// exporter (the agent address in the datagram is preferred), to out.
func (d *Decoder) Decode(exporter netip.Addr, payload []byte, recv time.Time, out []record.Record) ([]record.Record, error) {
	d.stats.Datagrams++
	if len(payload) < 4 || payload[0] != 0 || payload[1] != 0 || payload[2] != 0 || payload[3] != 5 {
		d.stats.DecodeErrors++
		return out, ErrNotSFlow
	}
	var p gfsflow.Packet
	err := gfsflow.DecodeMessageVersion(bytes.NewBuffer(payload), &p)
	if err != nil && len(p.Samples) == 0 {
		d.stats.DecodeErrors++
		return out, fmt.Errorf("sflow: %w", err)
	}
	agent := ipOf(p.AgentIP)
	if !agent.IsValid() {
		agent = exporter.Unmap()
	}
	k := agentKey{agent, p.SubAgentId}
	if last, ok := d.seq[k]; ok && p.SequenceNumber != last+1 {
		if gap := p.SequenceNumber - last - 1; gap < 1<<31 {
			d.stats.SequenceGaps++
			d.stats.Lost += uint64(gap)
		}
	}
	if _, ok := d.seq[k]; ok || len(d.seq) < 65536 {
		d.seq[k] = p.SequenceNumber
	}
	for _, s := range p.Samples {
		switch s := s.(type) {
		case gfsflow.FlowSample:
			d.stats.FlowSamples++
			out = d.sample(out, agent, p.SubAgentId, recv, uint64(s.SamplingRate), s.Input, s.Output, s.Records)
		case gfsflow.ExpandedFlowSample:
			d.stats.FlowSamples++
			out = d.sample(out, agent, p.SubAgentId, recv, uint64(s.SamplingRate), s.InputIfValue, s.OutputIfValue, s.Records)
		case gfsflow.CounterSample, gfsflow.DropSample:
			d.stats.CounterSamples++
		}
	}
	if err != nil {
		d.stats.DecodeErrors++
		return out, fmt.Errorf("sflow: %w", err)
	}
	return out, nil
}

func ipOf(a utils.IPAddress) netip.Addr {
	ip, _ := netip.AddrFromSlice(a)
	return ip.Unmap()
}

// sample makes the record of one flow sample.
func (d *Decoder) sample(out []record.Record, agent netip.Addr, sub uint32, recv time.Time, rate uint64, in, outIf uint32, recs []gfsflow.FlowRecord) []record.Record {
	var r record.Record
	nf := &record.NetFlow{Protocol: "sflow5", Exporter: agent, DomainID: sub, SamplingRate: rate, RawPackets: 1}
	// ifIndex values with the top bits set are formats (discarded,
	// multiple interfaces), not interfaces.
	if in>>30 == 0 && in != 0 {
		nf.InInterface, nf.HasIn = in, true
	}
	if outIf>>30 == 0 && outIf != 0 {
		nf.OutInterface, nf.HasOut = outIf, true
	}
	have := false
	var frame uint32
	for _, fr := range recs {
		switch x := fr.Data.(type) {
		case gfsflow.SampledHeader:
			if x.Protocol != 1 && x.Protocol != 11 && x.Protocol != 12 { // Ethernet, IPv4, IPv6
				continue
			}
			link := decode.LinkEthernet
			if x.Protocol != 1 {
				link = decode.LinkRaw
			}
			d.pkt = decode.Packet{}
			frame, have = x.FrameLength, true
			// A sampled header is usually cut short (128 bytes) and a
			// fragment cannot be reassembled from one sample: what the
			// decoder read up to there (addresses, protocol) is kept.
			if reason := d.dec.Decode(x.HeaderData, link, recv.UnixNano(), int(x.FrameLength), &d.pkt); reason != decode.OK && !d.pkt.Src.IsValid() {
				// Still a sampled frame: counted in bytes, without
				// addresses.
				d.stats.Undecodable++
				if d.pkt.HasMAC {
					r.Source.MAC, r.Destination.MAC = d.pkt.SrcMAC, d.pkt.DstMAC
					r.Source.HasMAC, r.Destination.HasMAC = true, true
				}
				continue
			}
			fromPacket(&r, &d.pkt)
		case gfsflow.SampledIPv4:
			if !have {
				fromSampledIP(&r, x.SampledIPBase, "ipv4")
				have = true
			}
		case gfsflow.SampledIPv6:
			if !have {
				fromSampledIP(&r, x.SampledIPBase, "ipv6")
				have = true
			}
		case gfsflow.ExtendedRouter:
			if a := ipOf(x.NextHop); a.IsValid() && !a.IsUnspecified() {
				nf.NextHop = a
			}
		case gfsflow.ExtendedGateway:
			r.Source.AS, r.Destination.AS = x.SrcAS, x.AS
		case gfsflow.ExtendedSwitch:
			if r.Network.VLAN == 0 && x.SrcVlan != 0 && x.SrcVlan < 4096 {
				r.Network.VLAN = uint16(x.SrcVlan)
			}
		}
	}
	if !have {
		return out
	}
	if r.Source.Bytes == 0 { // no IP length in the header: the frame's
		r.Source.Bytes = uint64(frame)
	}
	nf.RawBytes = r.Source.Bytes
	scale := max(rate, 1)
	r.Source.Packets, r.Source.Bytes = scale, r.Source.Bytes*scale
	r.NetFlow = nf
	r.Event.Dataset = record.DatasetNetFlow
	r.Observer, r.Tenant = d.deps.Observer, d.deps.Tenant
	r.Timestamp = recv.UTC()
	r.Event.Start, r.Event.End = r.Timestamp, r.Timestamp
	r.Event.ID = d.ids.Next(r.Timestamp)
	if r.Source.IP.IsValid() && r.Destination.IP.IsValid() && r.Network.HasIANA {
		sp, dp := r.Source.Port, r.Destination.Port
		if r.ICMP.Has {
			sp, dp = uint16(r.ICMP.Type), uint16(r.ICMP.Code)
		}
		r.Network.CommunityID = d.cid.Sum(r.Source.IP, r.Destination.IP, r.Network.IANANumber, sp, dp)
	}
	d.stats.Records++
	return append(out, r)
}

func fromPacket(r *record.Record, p *decode.Packet) {
	r.Source.IP, r.Destination.IP = p.Src, p.Dst
	r.Network.IANANumber, r.Network.HasIANA = p.Proto, true
	r.Network.Transport = record.TransportName(p.Proto)
	r.Network.Type = "ipv4"
	if p.IPVersion == 6 {
		r.Network.Type = "ipv6"
	}
	if p.HasPorts {
		r.Source.Port, r.Destination.Port = p.SrcPort, p.DstPort
		r.Source.HasPort, r.Destination.HasPort = true, true
	}
	if p.Proto == 1 || p.Proto == 58 {
		r.ICMP.Type, r.ICMP.Code, r.ICMP.Has = p.ICMPType, p.ICMPCode, true
	}
	if p.Proto == 6 {
		r.Flow.SourceTCPFlags, r.Flow.HasTCP = p.TCPFlags, true
	}
	if p.HasMAC {
		r.Source.MAC, r.Destination.MAC = p.SrcMAC, p.DstMAC
		r.Source.HasMAC, r.Destination.HasMAC = true, true
	}
	r.Network.VLAN, r.Network.InnerVLAN = p.VLAN, p.InnerVLAN
	for i := range p.MPLSDepth {
		r.Flow.MPLS = append(r.Flow.MPLS, p.MPLS[i])
	}
	for i := range p.TunnelDepth {
		r.Flow.Tunnel.Types = append(r.Flow.Tunnel.Types, decode.TunnelNames[p.Tunnels[i]])
	}
	if p.TunnelDepth > 0 {
		r.Flow.Tunnel.Source, r.Flow.Tunnel.Destination = p.TunnelSrc, p.TunnelDst
		r.Flow.Tunnel.ID, r.Flow.Tunnel.HasID = p.TunnelID, p.HasTunnelID
	}
	r.Source.Bytes = uint64(max(p.IPLen, 0))
}

func fromSampledIP(r *record.Record, x gfsflow.SampledIPBase, typ string) {
	r.Source.IP, r.Destination.IP = ipOf(x.SrcIP), ipOf(x.DstIP)
	r.Network.IANANumber, r.Network.HasIANA = uint8(x.Protocol), true //nolint:gosec // one byte on the wire
	r.Network.Transport = record.TransportName(uint8(x.Protocol))     //nolint:gosec // one byte on the wire
	r.Network.Type = typ
	if x.Protocol == 6 || x.Protocol == 17 || x.Protocol == 132 {
		r.Source.Port, r.Destination.Port = uint16(x.SrcPort), uint16(x.DstPort) //nolint:gosec // 16-bit ports
		r.Source.HasPort, r.Destination.HasPort = true, true
	}
	r.Source.Bytes = uint64(x.Length)
}
