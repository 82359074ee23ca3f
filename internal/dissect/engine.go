package dissect

import (
	"fmt"
	"net/netip"
	"runtime/debug"

	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/dissect/appid"
	"github.com/flowsift/flowsift/internal/dissect/reassembly"
	"github.com/flowsift/flowsift/internal/flow"
)

// Engine is the payload inspector of one flow table: it finds each flow's
// protocol by probing its first bytes with the registered dissectors,
// reassembles TCP streams, hands the bytes to the flow's dissector, names
// the application from the host names the dissector offers, and stops
// inspecting a flow once its dissector is done. It implements
// flow.Inspector and is not safe for concurrent use.
type Engine struct {
	cfg   Config
	tcp   []*Registration
	udp   []*Registration
	pool  *reassembly.Pool
	apps  *appid.Catalog
	stats Stats
	free  []*state
	bufs  [][]byte // free probe buffers

	conn    *flow.Conn // the flow being inspected, during a call
	ctx     Context
	onPanic func(name string, stack []byte)

	expects map[netip.AddrPort]expectation
	expectQ []queued // expects' keys, oldest first (see expect)
}

var _ flow.Inspector = (*Engine)(nil)

// Deps are the engine's collaborators.
type Deps struct {
	// Apps names applications; nil uses the embedded catalog.
	Apps *appid.Catalog
	// OnPanic, when set, is told of a dissector panic (the engine counts
	// it and stops inspecting the flow).
	OnPanic func(dissector string, stack []byte)
}

// New returns an engine running the registered dissectors that cfg
// enables. cfg must be valid.
func New(cfg Config, deps Deps) (*Engine, error) {
	pool, err := reassembly.NewPool(cfg.Reassembly)
	if err != nil {
		return nil, fmt.Errorf("dissect: %w", err)
	}
	e := &Engine{cfg: cfg, pool: pool, apps: deps.Apps, onPanic: deps.OnPanic, expects: map[netip.AddrPort]expectation{}}
	if e.apps == nil {
		e.apps = appid.Default()
	}
	disabled := map[string]bool{}
	for _, n := range cfg.Disable {
		disabled[n] = true
	}
	for _, r := range Registered() {
		if disabled[r.Name] {
			continue
		}
		if r.TCP {
			e.tcp = append(e.tcp, r)
		}
		if r.UDP {
			e.udp = append(e.udp, r)
		}
	}
	e.stats.Protocols = map[string]*ProtocolStats{}
	for _, r := range Registered() {
		e.stats.Protocols[r.Name] = &ProtocolStats{}
	}
	e.ctx.e = e
	return e, nil
}

// state is the engine's state for one flow.
type state struct {
	reg    *Registration
	ps     *ProtocolStats // the counters of reg, looked up once
	d      Dissector
	labels flow.Labels

	e       *Engine
	streams [2]reassembly.Stream // TCP, by direction (0 client)

	// While the protocol is unknown: the bytes each side sent, and the
	// order in which they came, to replay them to the dissector found.
	probeBuf [2][]byte
	chunks   []chunk
	probes   uint8 // deliveries probed
	gaveUp   bool
	done     bool
	tcp      bool
}

type chunk struct {
	dir int8
	n   int32
}

// clientSide and serverSide receive one direction's reassembled bytes:
// a *state converted, so the handlers cost the state no memory.
type (
	clientSide state
	serverSide state
)

func (h *clientSide) Data(b []byte) { st := (*state)(h); st.e.deliver(st, 0, b) }
func (h *clientSide) Gap(n int)     { st := (*state)(h); st.e.gap(st, 0, n) }
func (h *serverSide) Data(b []byte) { st := (*state)(h); st.e.deliver(st, 1, b) }
func (h *serverSide) Gap(n int)     { st := (*state)(h); st.e.gap(st, 1, n) }

// handler returns the receiver of direction dir's bytes.
func (st *state) handler(dir int) reassembly.Handler {
	if dir == 0 {
		return (*clientSide)(st)
	}
	return (*serverSide)(st)
}

// Packet implements flow.Inspector.
func (e *Engine) Packet(c *flow.Conn, p *decode.Packet, fromSource bool) {
	st, _ := c.State().(*state)
	if st == nil {
		if p.Proto != 6 && p.Proto != 17 {
			c.Done()
			return
		}
		st = e.newState(p.Proto == 6)
		c.SetState(st)
		e.conn = c
		e.ctx.st, e.ctx.time = st, p.Timestamp
		e.matchExpectation(st, c)
		if st.done {
			c.Done()
			e.conn = nil
			return
		}
	}
	e.conn = c
	e.ctx.st, e.ctx.time = st, p.Timestamp
	dir := 1
	if fromSource {
		dir = 0
	}
	if st.tcp {
		payload := p.Payload
		syn := p.TCPFlags&0x02 != 0
		fin := p.TCPFlags&0x01 != 0
		if p.TCPFlags&0x10 != 0 {
			// What this side acknowledged, the other side sent: a hole
			// before it will not be filled by a retransmission.
			st.streams[1-dir].Ack(e.pool, p.Ack, st.handler(1-dir))
		}
		switch missing := p.PayloadLen - len(payload); {
		case missing > 0:
			// The capture cut the segment (snap length): the rest is a gap.
			e.stats.Truncated++
			st.streams[dir].AddTruncated(e.pool, p.Seq, syn, fin, payload, missing, st.handler(dir))
		case len(payload) > 0 || syn || fin:
			st.streams[dir].Add(e.pool, p.Seq, syn, fin, payload, st.handler(dir))
		}
	} else if len(p.Payload) > 0 {
		e.deliver(st, dir, p.Payload)
	}
	if st.done {
		c.Done()
		if st.tcp {
			st.streams[0].Release(e.pool)
			st.streams[1].Release(e.pool)
		}
	}
	e.conn = nil
}

// End implements flow.Inspector.
func (e *Engine) End(c *flow.Conn, how flow.EndKind) flow.Labels {
	st, _ := c.State().(*state)
	if st == nil {
		return flow.Labels{}
	}
	e.conn = c
	e.ctx.st, e.ctx.time = st, c.Now()
	defer func() { e.conn = nil }()
	switch how {
	case flow.EndDiscard:
		e.release(st)
		c.SetState(nil)
		return flow.Labels{}
	case flow.EndInterim:
		e.end(st, false)
		return st.labels
	}
	if st.tcp && !st.done {
		st.streams[0].Flush(e.pool, st.handler(0))
		st.streams[1].Flush(e.pool, st.handler(1))
	}
	e.end(st, true)
	if st.reg == nil && !st.gaveUp && st.probes > 0 {
		e.stats.Unknown++ // payload seen, never recognised
	}
	labels := st.labels
	e.release(st)
	c.SetState(nil)
	return labels
}

func (e *Engine) newState(tcp bool) *state {
	var st *state
	if n := len(e.free); n > 0 {
		st = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		st = &state{}
	}
	st.tcp, st.e = tcp, e
	return st
}

func (e *Engine) release(st *state) {
	st.streams[0].Release(e.pool)
	st.streams[1].Release(e.pool)
	e.dropProbe(st)
	*st = state{}
	if len(e.free) < maxFreeStates {
		e.free = append(e.free, st)
	}
}

// dropProbe hands a flow's probe buffers back to the engine: a flow whose
// protocol is known or given up on does not keep them.
func (e *Engine) dropProbe(st *state) {
	for i, b := range st.probeBuf {
		if cap(b) > 0 && cap(b) <= maxProbeBytes && len(e.bufs) < maxFreeStates {
			e.bufs = append(e.bufs, b[:0])
		}
		st.probeBuf[i] = nil
	}
	st.chunks = nil
}

// probeBuf returns direction dir's probe buffer, taking a free one.
func (e *Engine) probeBuf(st *state, dir int) []byte {
	if st.probeBuf[dir] == nil {
		if n := len(e.bufs); n > 0 {
			st.probeBuf[dir] = e.bufs[n-1]
			e.bufs = e.bufs[:n-1]
		}
	}
	return st.probeBuf[dir]
}

const (
	maxFreeStates = 4096
	maxProbeBytes = 4096 // bytes per direction kept while the protocol is unknown
	maxProbes     = 8    // deliveries probed before giving up
)

// deliver hands bytes of one direction to the flow's dissector, or to the
// probes while the protocol is unknown.
func (e *Engine) deliver(st *state, dir int, b []byte) {
	if st.done || len(b) == 0 {
		return
	}
	if st.d != nil {
		e.data(st, dir, b)
		return
	}
	if st.gaveUp {
		return
	}
	e.stats.Probed++
	st.probes++
	src, dst := e.conn.Source(), e.conn.Destination()
	var view []byte
	if st.tcp && (len(st.probeBuf[dir]) > 0 || len(st.chunks) > 0) {
		if len(st.probeBuf[dir])+len(b) > maxProbeBytes {
			e.giveUp(st)
			return
		}
		st.probeBuf[dir] = append(e.probeBuf(st, dir), b...)
		st.chunks = append(st.chunks, chunk{dir: int8(dir), n: int32(len(b))}) //nolint:gosec // bounded by maxProbeBytes
		view = st.probeBuf[dir]
	} else {
		view = b
	}
	reg, maybe := e.probe(st, view, dir == 0, src.Port(), dst.Port())
	if reg != nil {
		e.start(st, reg)
		if len(st.chunks) > 0 {
			e.replay(st)
		} else {
			e.data(st, dir, b)
		}
		return
	}
	if !st.tcp {
		if st.probes >= maxProbes/2 {
			e.giveUp(st)
		}
		return
	}
	if !maybe && len(st.chunks) == 0 && st.probes >= maxProbes {
		e.giveUp(st)
		return
	}
	if st.probes >= maxProbes {
		e.giveUp(st)
		return
	}
	if len(st.chunks) == 0 {
		// Keep what was seen to show the probes more, and to replay it.
		st.probeBuf[dir] = append(e.probeBuf(st, dir)[:0], b...)
		st.chunks = append(st.chunks, chunk{dir: int8(dir), n: int32(len(b))}) //nolint:gosec // a segment is < 64 KiB
		if len(b) > maxProbeBytes {
			e.giveUp(st)
		}
	}
}

// probe asks the registered dissectors about a flow's first bytes: those
// whose ports the flow uses first. It returns the first Yes, and whether
// any said Maybe.
func (e *Engine) probe(st *state, data []byte, fromClient bool, sport, dport uint16) (*Registration, bool) {
	regs := e.udp
	if st.tcp {
		regs = e.tcp
	}
	maybe := false
	for pass := 0; pass < 2; pass++ {
		for _, r := range regs {
			on := r.onPort(sport, dport)
			if on != (pass == 0) {
				continue
			}
			switch r.Probe(data, Hint{FromClient: fromClient, OnPort: on, TCP: st.tcp}) {
			case Yes:
				return r, maybe
			case Maybe:
				maybe = true
			}
		}
	}
	return nil, maybe
}

func (e *Engine) start(st *state, reg *Registration) {
	st.reg = reg
	if st.labels.Protocol == "" {
		st.labels.Protocol = reg.Name
	}
	st.ps = e.stats.Protocols[reg.Name]
	st.ps.Flows++
	defer e.recoverPanic(st)
	st.d = reg.New()
}

func (e *Engine) end(st *state, final bool) {
	if st.d == nil {
		return
	}
	defer e.recoverPanic(st)
	st.d.End(&e.ctx, final)
}

// replay feeds what the probes saw to the dissector just found, in the
// order it came.
func (e *Engine) replay(st *state) {
	var off [2]int
	chunks := st.chunks
	for _, c := range chunks {
		d := int(c.dir)
		b := st.probeBuf[d][off[d] : off[d]+int(c.n)]
		off[d] += int(c.n)
		e.data(st, d, b)
		if st.done || st.d == nil {
			break
		}
	}
	e.dropProbe(st)
}

func (e *Engine) giveUp(st *state) {
	st.gaveUp, st.done = true, true
	e.stats.Unknown++
	e.dropProbe(st)
}

func (e *Engine) data(st *state, dir int, b []byte) {
	if st.d == nil {
		return
	}
	ps := st.ps
	ps.Bytes += uint64(len(b))
	defer e.recoverPanic(st)
	status, err := st.d.Data(&e.ctx, b, dir == 0)
	if err != nil {
		switch errorKind(err) {
		case "too_large":
			ps.TooLarge++
		case "truncated":
			ps.Truncated++
		default:
			ps.Malformed++
		}
	}
	switch status {
	case Done:
		st.done = true
	case Finished:
		st.done, st.d = true, nil
	}
}

func (e *Engine) gap(st *state, dir, n int) {
	e.stats.GapBytes += uint64(n) //nolint:gosec // n > 0
	if st.d != nil {
		defer e.recoverPanic(st)
		st.d.Gap(&e.ctx, n, dir == 0)
		return
	}
	// A hole before the protocol is known: what was kept of that side
	// no longer continues; probe afresh from the next bytes.
	if len(st.chunks) > 0 {
		e.giveUp(st)
	}
}

// recoverPanic, deferred around every dissector call, turns a panic into
// a counted stop of the flow's inspection.
func (e *Engine) recoverPanic(st *state) {
	v := recover()
	if v == nil {
		return
	}
	name := "engine"
	if st.reg != nil {
		name = st.reg.Name
		st.ps.Panics++
	}
	e.stats.Panics++
	st.d, st.done = nil, true
	if e.onPanic != nil {
		e.onPanic(name, append([]byte(fmt.Sprint(v, "\n")), debug.Stack()...))
	}
}

// Stats returns the engine's counters. The map is the engine's own: copy
// it before the engine runs on.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Reassembly = e.pool.Stats()
	s.Expectations = len(e.expects)
	return s
}
