package dissect

import "github.com/flowsift/flowsift/internal/dissect/reassembly"

// Stats counts what an engine did.
type Stats struct {
	Probed       uint64 // deliveries shown to the probes
	Unknown      uint64 // flows whose protocol no probe recognised
	Transactions uint64 // transaction records emitted
	Panics       uint64 // dissector panics (bugs: counted, flow inspection stopped)
	GapBytes     uint64 // TCP bytes never seen, handed to dissectors as gaps
	Truncated    uint64 // TCP segments cut by the capture's snap length
	Expected     uint64 // flows labelled from an announced connection
	Expectations int    // announced connections waited for now
	Protocols    map[string]*ProtocolStats
	Reassembly   reassembly.Stats
}

// ProtocolStats counts one dissector's work.
type ProtocolStats struct {
	Flows     uint64 // flows identified
	Bytes     uint64 // payload bytes handed over
	Malformed uint64 // errors by kind
	Truncated uint64
	TooLarge  uint64
	Panics    uint64
}

// Add sums o into s.
func (s *Stats) Add(o Stats) {
	s.Probed += o.Probed
	s.Unknown += o.Unknown
	s.Transactions += o.Transactions
	s.Panics += o.Panics
	s.GapBytes += o.GapBytes
	s.Truncated += o.Truncated
	s.Expected += o.Expected
	s.Expectations += o.Expectations
	if s.Protocols == nil {
		s.Protocols = map[string]*ProtocolStats{}
	}
	for name, p := range o.Protocols {
		q := s.Protocols[name]
		if q == nil {
			q = &ProtocolStats{}
			s.Protocols[name] = q
		}
		q.Flows += p.Flows
		q.Bytes += p.Bytes
		q.Malformed += p.Malformed
		q.Truncated += p.Truncated
		q.TooLarge += p.TooLarge
		q.Panics += p.Panics
	}
}
