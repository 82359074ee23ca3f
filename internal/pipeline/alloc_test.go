package pipeline

import (
	"testing"

	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

// TestSteadyStateAllocs checks that decode + flow tracking allocate
// nothing per packet once a packet's flow exists: two passes over a real
// capture create every flow (and grow every buffer), then a third pass
// over the same packets must not allocate. Pure SYNs are left out of the
// third pass: on a closed TCP flow they start a new connection on the same
// 5-tuple, which ends the old flow and emits its record (strings are
// allocated per record, not per packet).
func TestSteadyStateAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a capture from the shared corpus")
	}
	frames := loadFrames(t)
	cfg := DefaultConfig()
	d := decode.New(cfg.Decode)
	tab := flow.New(cfg.Flow, flow.Deps{Sink: &discardSink{}, Observer: "test", Tenant: "default"})
	var p decode.Packet
	var steady []int
	for pass := range 2 {
		for i := range frames {
			f := &frames[i]
			if d.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &p) != decode.OK {
				continue
			}
			tab.Add(&p)
			syn := p.Proto == 6 && p.TCPFlags&(record.TCPFlagSYN|record.TCPFlagACK) == record.TCPFlagSYN
			if pass == 0 && !syn && !p.Reassembled {
				steady = append(steady, i)
			}
		}
	}
	if len(steady) == 0 {
		t.Skip("no packets of existing flows in the capture")
	}
	allocs := testing.AllocsPerRun(5, func() {
		for _, i := range steady {
			f := &frames[i]
			if d.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &p) == decode.OK {
				tab.Add(&p)
			}
		}
	})
	if perPacket := allocs / float64(len(steady)); allocs != 0 {
		t.Errorf("decode+flow.Add: %.0f allocations per pass over %d packets of existing flows (%.4f per packet), want 0",
			allocs, len(steady), perPacket)
	}
}
