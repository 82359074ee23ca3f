package ntp

import (
	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "ntp",
		Doc:   "NTP on UDP port 123 (either side): one record per flow with the version and mode of its first message, the server's stratum, reference id and poll, and the message count.",
		UDP:   true,
		Ports: []uint16{123},
		Probe: Probe,
		New:   func() dissect.Dissector { return &dissector{} },
	})
}

// dissector summarises a flow's NTP messages. It never returns Done: the
// message count is the one thing that keeps changing in a long flow (a
// symmetric association between two servers, a monlist or amplification
// flood), and once the record's header fields are settled each further
// datagram costs one byte's check.
type dissector struct {
	first    *Message
	answer   *Standard // the server's (or peer's, broadcaster's) header
	ts       int64     // time of the first message
	messages int
}

// Data implements dissect.Dissector: one datagram is one message.
func (d *dissector) Data(c *dissect.Context, data []byte, _ bool) (dissect.Status, error) {
	if d.first != nil && d.answer != nil {
		if len(data) > 0 && validHeader(data[0]) {
			d.messages++
		}
		return dissect.Continue, nil
	}
	m, err := Parse(data)
	if m == nil {
		return dissect.Continue, err
	}
	d.messages++
	if d.first == nil {
		d.first, d.ts = m, c.Time()
	}
	if d.answer == nil && m.Std != nil && answers(m.Mode) {
		d.answer = m.Std
	}
	return dissect.Continue, err
}

// answers reports the modes that carry the answering side's clock: the
// server's, the passive peer's and a broadcaster's.
func answers(mode uint8) bool {
	return mode == ModeServer || mode == ModeSymmetricPassive || mode == ModeBroadcast
}

// validHeader reports a first byte with an NTP version and mode.
func validHeader(b byte) bool {
	v, mode := b>>3&7, b&7
	return v >= 1 && v <= 4 && mode != 0
}

// Gap implements dissect.Dissector; NTP runs over UDP.
func (d *dissector) Gap(*dissect.Context, int, bool) {}

// End implements dissect.Dissector: the flow's one record is written when
// it ends.
func (d *dissector) End(c *dissect.Context, final bool) {
	if !final || d.first == nil {
		return
	}
	g := &record.NTP{Version: d.first.Version, Mode: ModeName(d.first.Mode), Messages: d.messages}
	s := d.answer
	if s == nil {
		s = d.first.Std
	}
	if s != nil {
		g.Stratum, g.HasStratum, g.RefID, g.Poll = s.Stratum, true, s.RefID, s.Poll
	}
	c.EmitAt(record.DatasetNTP, d.ts).NTP = g
}

var modeNames = [...]string{"reserved", "symmetric-active", "symmetric-passive", "client", "server", "broadcast", "control", "private"}

// ModeName returns the name of a mode (RFC 5905 §7.3): client, server,
// symmetric-active, symmetric-passive, broadcast, control or private.
func ModeName(mode uint8) string { return modeNames[mode&7] }

// Probe recognises NTP on its port only: a version from 1 to 4, a mode
// other than the reserved 0, and the 48-byte header of modes 1 to 5 with
// a stratum of at most 16 (or the 12-byte control header of mode 6, the
// 8-byte private header of mode 7). Off port 123 a datagram with these
// bits is too likely to be something else, so the answer is No.
func Probe(data []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || !h.OnPort || len(data) == 0 || !validHeader(data[0]) {
		return dissect.No
	}
	switch data[0] & 7 {
	case ModeControl:
		if len(data) >= 12 {
			return dissect.Yes
		}
	case ModePrivate:
		if len(data) >= 8 {
			return dissect.Yes
		}
	default:
		if len(data) >= 48 && data[1] <= 16 {
			return dissect.Yes
		}
	}
	return dissect.No
}

var _ dissect.Dissector = (*dissector)(nil)
