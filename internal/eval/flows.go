package eval

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/dissect"
	_ "github.com/flowsift/flowsift/internal/dissect/all" // every dissector
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/record"
)

// Flow is one flowsift flow with its interim records summed.
type Flow struct {
	ID               string
	Transport        string // tcp, udp, icmp, …
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	VLAN             uint16 // outer VLAN id
	InnerVLAN        uint16 // inner VLAN id of QinQ
	SrcPkts, DstPkts uint64
	SrcBytes         uint64 // IP bytes
	DstBytes         uint64
	Start            int64 // first packet, nanoseconds
	End              int64 // latest DNS transaction (collector use)
	Tunnelled        bool

	// What payload inspection said (from the flow record and its
	// transactions).
	Protocol, Application string
	Host                  string // first SNI, HTTP host, DNS query, DHCP host name or SSH client banner
	JA3, JA4, HASSH       string
	ServerBanner          string // SSH
}

// Packets returns the packets of both directions.
func (f *Flow) Packets() uint64 { return f.SrcPkts + f.DstPkts }

func (f *Flow) String() string {
	return fmt.Sprintf("%s %s <-> %s vlan=%d", f.Transport, hostPort(f.Src, f.SrcPort), hostPort(f.Dst, f.DstPort), f.VLAN)
}

func hostPort(a netip.Addr, p uint16) string {
	return netip.AddrPortFrom(a, p).String()
}

// collector is a flow.Sink that sums records per flow.id.
type collector struct {
	index map[string]int
	flows []Flow
	meta  map[string]*Flow // what transactions said, by flow.id
}

func newCollector() *collector {
	return &collector{index: make(map[string]int), meta: make(map[string]*Flow)}
}

// Consume implements flow.Sink. It copies what it keeps.
func (c *collector) Consume(batch []record.Record) {
	for i := range batch {
		r := &batch[i]
		if r.Event.Dataset != record.DatasetFlow {
			c.transaction(r)
			continue
		}
		c.add(r)
	}
}

// transaction keeps the first host name and fingerprints of a flow.
func (c *collector) transaction(r *record.Record) {
	m := c.meta[r.Flow.ID]
	ts := r.Timestamp.UnixNano()
	if m == nil {
		m = &Flow{Start: ts}
		c.meta[r.Flow.ID] = m
	}
	// Transactions are written when complete; the host name of a flow is
	// that of its earliest one, as peers take it from the first packets,
	// except for DNS, where ndpiReader keeps the last query's name.
	earlier := ts < m.Start
	if r.DNS != nil {
		earlier = ts > m.End
		m.End = max(m.End, ts)
	}
	if ts < m.Start {
		m.Start = ts
	}
	first := func(dst *string, v string) {
		if v != "" && (*dst == "" || earlier) {
			*dst = v
		}
	}
	switch {
	case r.TLS != nil:
		first(&m.Host, r.TLS.ServerName)
		first(&m.JA3, r.TLS.JA3)
		first(&m.JA4, r.TLS.JA4)
	case r.HTTP != nil:
		first(&m.Host, r.HTTP.Host)
	case r.DNS != nil:
		first(&m.Host, r.DNS.QName)
	case r.SSH != nil:
		first(&m.Host, r.SSH.ClientBanner)
		first(&m.HASSH, r.SSH.HASSH)
		first(&m.ServerBanner, r.SSH.ServerBanner)
	case r.DHCP != nil:
		first(&m.Host, r.DHCP.HostName)
	}
}

// attach copies the transactions' findings onto the flows.
func (c *collector) attach() {
	for i := range c.flows {
		f := &c.flows[i]
		if m := c.meta[f.ID]; m != nil {
			f.Host, f.JA3, f.JA4, f.HASSH, f.ServerBanner = m.Host, m.JA3, m.JA4, m.HASSH, m.ServerBanner
		}
	}
}

func (c *collector) add(r *record.Record) {
	j, ok := c.index[r.Flow.ID]
	if !ok {
		j = len(c.flows)
		c.index[r.Flow.ID] = j
		c.flows = append(c.flows, Flow{
			ID: r.Flow.ID, Transport: r.Network.Transport,
			Src: r.Source.IP.Unmap(), Dst: r.Destination.IP.Unmap(),
			SrcPort: r.Source.Port, DstPort: r.Destination.Port,
			VLAN: r.Network.VLAN, InnerVLAN: r.Network.InnerVLAN, Start: r.Event.Start.UnixNano(),
			Tunnelled: len(r.Flow.Tunnel.Types) > 0,
		})
	}
	f := &c.flows[j]
	if f.Protocol == "" {
		f.Protocol, f.Application = r.Network.Protocol, r.Network.Application
	}
	f.SrcPkts += r.Source.Packets
	f.DstPkts += r.Destination.Packets
	f.SrcBytes += r.Source.Bytes
	f.DstBytes += r.Destination.Bytes
	f.Start = min(f.Start, r.Event.Start.UnixNano())
}

// NDPIFlowConfig returns the flow table configuration that mirrors how
// ndpiReader reads a capture file: it expires flows only when reading a
// live interface, so on a file a flow lasts from its first packet to the
// end of input, however long it is idle or after it closed.
func NDPIFlowConfig() flow.Config {
	const forever = 50 * 365 * 24 * time.Hour
	cfg := flow.DefaultConfig()
	cfg.TCPIdle, cfg.TCPClose, cfg.UDPIdle, cfg.DNSIdle, cfg.ICMPIdle, cfg.OtherIdle = forever, forever, forever, forever, forever, forever
	return cfg
}

// RunCapture reads one capture through the sensor path (one worker, the
// given flow configuration) and returns its flows in order of first packet.
func RunCapture(ctx context.Context, path string, fc flow.Config) ([]Flow, error) {
	src, err := pcapfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = src.Close() }()
	c := newCollector()
	cfg := pipeline.DefaultConfig()
	cfg.Workers = 1
	cfg.Flow = fc
	deps := flow.Deps{Sink: c, Observer: "eval", Tenant: "eval", NewInspector: func() flow.Inspector {
		e, err := dissect.New(dissect.DefaultConfig(), dissect.Deps{})
		if err != nil {
			panic(err) // the default configuration is valid
		}
		return e
	}}
	if _, err := pipeline.New(cfg, deps).Run(ctx, src); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.attach()
	slices.SortStableFunc(c.flows, func(a, b Flow) int { return cmp.Compare(a.Start, b.Start) })
	return c.flows, nil
}
