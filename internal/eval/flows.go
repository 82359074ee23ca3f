package eval

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
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
	Tunnelled        bool
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
}

func newCollector() *collector { return &collector{index: make(map[string]int)} }

// Consume implements flow.Sink. It copies what it keeps.
func (c *collector) Consume(batch []record.Record) {
	for i := range batch {
		r := &batch[i]
		if r.Event.Dataset != record.DatasetFlow {
			continue
		}
		c.add(r)
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
	if _, err := pipeline.New(cfg, flow.Deps{Sink: c, Observer: "eval", Tenant: "eval"}).Run(ctx, src); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	slices.SortStableFunc(c.flows, func(a, b Flow) int { return cmp.Compare(a.Start, b.Start) })
	return c.flows, nil
}
