package dissect

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

// The test dissectors: "echo" records what it was given; "greet" is a
// server-first protocol; "boom" panics.

type seen struct {
	dir  byte // c or s
	data string
}

var echoLog []seen

type echo struct{ buf []seen }

func (e *echo) Data(c *Context, data []byte, fromClient bool) (Status, error) {
	d := byte('s')
	if fromClient {
		d = 'c'
	}
	e.buf = append(e.buf, seen{d, string(data)})
	if bytes.Contains(data, []byte("STOP")) {
		return Done, nil
	}
	return Continue, nil
}

func (e *echo) Gap(_ *Context, n int, _ bool) {
	e.buf = append(e.buf, seen{'g', strings.Repeat("?", n)})
}

func (e *echo) End(c *Context, final bool) {
	if final {
		echoLog = append(echoLog, e.buf...)
		c.Name("www.youtube.com")
		c.Emit(record.DatasetHTTP).HTTP = &record.HTTP{Method: "ECHO"}
		if strings.Contains(c.Protocol(), "echo") && len(e.buf) > 0 && e.buf[0].data == "EXPECT" {
			c.Expect(c.Source().Addr(), netip.MustParseAddrPort("192.0.2.2:2000"), "echo-data")
		}
	}
}

type boom struct{}

func (boom) Data(*Context, []byte, bool) (Status, error) { panic("boom") }
func (boom) Gap(*Context, int, bool)                     {}
func (boom) End(*Context, bool)                          {}

func init() {
	Register(Registration{Name: "echo", Doc: "test", TCP: true, UDP: true, Ports: []uint16{7},
		Probe: func(b []byte, h Hint) Verdict {
			switch {
			case bytes.HasPrefix(b, []byte("HELLO")), bytes.HasPrefix(b, []byte("EXPECT")):
				return Yes
			case bytes.HasPrefix([]byte("HELLO"), b):
				return Maybe
			case h.OnPort && bytes.HasPrefix(b, []byte("ANY")):
				return Yes
			}
			return No
		},
		New: func() Dissector { return &echo{} }})
	Register(Registration{Name: "greet", Doc: "test", TCP: true,
		Probe: func(b []byte, h Hint) Verdict {
			if !h.FromClient && bytes.HasPrefix(b, []byte("220 ")) {
				return Maybe
			}
			if h.FromClient && bytes.HasPrefix(b, []byte("GREET")) {
				return Yes
			}
			return No
		},
		New: func() Dissector { return &echo{} }})
	Register(Registration{Name: "boom", Doc: "test", UDP: true,
		Probe: func(b []byte, _ Hint) Verdict {
			if bytes.HasPrefix(b, []byte("BOOM")) {
				return Yes
			}
			return No
		},
		New: func() Dissector { return boom{} }})
}

type collect struct{ recs []record.Record }

func (c *collect) Consume(b []record.Record) { c.recs = append(c.recs, b...) }

type harness struct {
	t      *testing.T
	table  *flow.Table
	engine *Engine
	out    *collect
	ts     int64
	panics []string
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, out: &collect{}, ts: 1_700_000_000_000_000_000}
	h.table = flow.New(flow.DefaultConfig(), flow.Deps{Sink: h.out, NewInspector: func() flow.Inspector {
		e, err := New(DefaultConfig(), Deps{OnPanic: func(name string, _ []byte) { h.panics = append(h.panics, name) }})
		if err != nil {
			t.Fatal(err)
		}
		h.engine = e
		return e
	}})
	echoLog = nil
	return h
}

var (
	cli = netip.MustParseAddr("192.0.2.1")
	srv = netip.MustParseAddr("192.0.2.2")
)

// tcp sends one segment; fromClient picks the direction.
func (h *harness) tcp(fromClient bool, sport, dport uint16, flags uint8, seq uint32, payload string) {
	h.ts += 1_000_000
	p := decode.Packet{Timestamp: h.ts, IPVersion: 4, Proto: 6, HasPorts: true, TCPFlags: flags, Seq: seq,
		Payload: []byte(payload), PayloadLen: len(payload), IPLen: 40 + len(payload)}
	if fromClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = cli, srv, sport, dport
	} else {
		p.Src, p.Dst, p.SrcPort, p.DstPort = srv, cli, dport, sport
	}
	h.table.Add(&p)
}

func (h *harness) udp(fromClient bool, sport, dport uint16, payload string) {
	h.ts += 1_000_000
	p := decode.Packet{Timestamp: h.ts, IPVersion: 4, Proto: 17, HasPorts: true,
		Payload: []byte(payload), PayloadLen: len(payload), IPLen: 28 + len(payload)}
	if fromClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = cli, srv, sport, dport
	} else {
		p.Src, p.Dst, p.SrcPort, p.DstPort = srv, cli, dport, sport
	}
	h.table.Add(&p)
}

// flows returns the protocol of each flow record, by destination port.
func (h *harness) flows() map[uint16]record.Record {
	h.table.Flush()
	m := map[uint16]record.Record{}
	for _, r := range h.out.recs {
		if r.Event.Dataset == record.DatasetFlow {
			m[r.Destination.Port] = r
		}
	}
	return m
}

const (
	syn    = 0x02
	ack    = 0x10
	synack = syn | ack
)

func TestEngineReassemblesAndReplays(t *testing.T) {
	h := newHarness(t)
	// A server-first protocol: the greeting is kept while the probes say
	// Maybe, then replayed before the client's bytes, which arrive out
	// of order.
	h.tcp(true, 40000, 2525, syn, 100, "")
	h.tcp(false, 40000, 2525, synack, 500, "")
	h.tcp(false, 40000, 2525, ack, 501, "220 hi\r\n")
	h.tcp(true, 40000, 2525, ack, 107, "there\r\n") // ahead of a hole
	h.tcp(true, 40000, 2525, ack, 101, "GREET ")
	h.tcp(false, 40000, 2525, ack, 509, "250 ok STOP")
	h.tcp(true, 40000, 2525, ack, 114, "after done")
	recs := h.flows()
	r := recs[2525]
	if r.Network.Protocol != "greet" {
		t.Fatalf("protocol %q, want greet", r.Network.Protocol)
	}
	want := []seen{{'s', "220 hi\r\n"}, {'c', "GREET "}, {'c', "there\r\n"}, {'s', "250 ok STOP"}}
	if diff := cmp.Diff(want, echoLog, cmp.AllowUnexported(seen{})); diff != "" {
		t.Errorf("dissector saw (-want +got):\n%s", diff)
	}
	st := h.table.Stats()
	if st.NotInspected != 1 {
		t.Errorf("NotInspected = %d, want 1 (the segment after Done)", st.NotInspected)
	}
	// The transaction came before the flow record and shares its id and
	// labels; the application came from the name the dissector offered.
	var tx *record.Record
	for i := range h.out.recs {
		if h.out.recs[i].Event.Dataset == record.DatasetHTTP {
			tx = &h.out.recs[i]
		}
	}
	if tx == nil || tx.Flow.ID != r.Flow.ID || tx.Network.Protocol != "greet" || tx.Source.Port != 40000 {
		t.Fatalf("transaction %+v does not match flow %s", tx, r.Flow.ID)
	}
	if r.Network.Application != "youtube" || tx.Network.Application != "youtube" {
		t.Errorf("application flow %q transaction %q, want youtube", r.Network.Application, tx.Network.Application)
	}
}

func TestEnginePortIndependentAndPortHints(t *testing.T) {
	h := newHarness(t)
	h.tcp(true, 40001, 443, syn, 1, "")
	h.tcp(true, 40001, 443, ack, 2, "HEL")
	h.tcp(true, 40001, 443, ack, 5, "LO world")
	h.udp(true, 40002, 7, "ANYTHING")    // weak signature: only on the port
	h.udp(true, 40003, 9999, "ANYTHING") // not on the port: unknown
	recs := h.flows()
	for port, want := range map[uint16]string{443: "echo", 7: "echo", 9999: ""} {
		if got := recs[port].Network.Protocol; got != want {
			t.Errorf("port %d: protocol %q, want %q", port, got, want)
		}
	}
	if s := h.engine.Stats(); s.Unknown != 1 {
		t.Errorf("unknown flows %d, want 1", s.Unknown)
	}
}

func TestEngineRecoversDissectorPanics(t *testing.T) {
	h := newHarness(t)
	h.udp(true, 40004, 9000, "BOOM")
	h.udp(true, 40004, 9000, "BOOM again")
	h.udp(true, 40005, 9001, "HELLO") // other flows go on
	recs := h.flows()
	if len(h.panics) != 1 || h.panics[0] != "boom" {
		t.Errorf("panics %v, want one from boom", h.panics)
	}
	if s := h.engine.Stats(); s.Panics != 1 || s.Protocols["boom"].Panics != 1 {
		t.Errorf("panic counters %d / %d", s.Panics, s.Protocols["boom"].Panics)
	}
	if recs[9000].Network.Protocol != "boom" || recs[9001].Network.Protocol != "echo" {
		t.Errorf("protocols %q %q", recs[9000].Network.Protocol, recs[9001].Network.Protocol)
	}
}

func TestEngineGivesUpAndBoundsProbeMemory(t *testing.T) {
	h := newHarness(t)
	h.tcp(true, 40006, 80, syn, 1, "")
	seq := uint32(2)
	for range 3 * maxProbes {
		h.tcp(true, 40006, 80, ack, seq, "HE") // always Maybe
		seq += 2
	}
	big := strings.Repeat("H", 2*maxProbeBytes)
	h.tcp(true, 40007, 81, syn, 1, "")
	h.tcp(true, 40007, 81, ack, 2, big[:1]) // Maybe
	h.tcp(true, 40007, 81, ack, 3, big)     // past the probe buffer
	recs := h.flows()
	if recs[80].Network.Protocol != "" || recs[81].Network.Protocol != "" {
		t.Errorf("protocols %q %q, want none", recs[80].Network.Protocol, recs[81].Network.Protocol)
	}
	if s := h.engine.Stats(); s.Unknown != 2 {
		t.Errorf("unknown %d, want 2", s.Unknown)
	}
	if st := h.table.Stats(); st.NotInspected == 0 {
		t.Error("packets after giving up were still inspected")
	}
}

func TestEngineExpectations(t *testing.T) {
	h := newHarness(t)
	h.tcp(true, 40008, 21, syn, 1, "")
	h.tcp(true, 40008, 21, ack, 2, "EXPECT")
	h.tcp(true, 40008, 21, 0x01|ack, 8, "") // FIN
	h.tcp(false, 40008, 21, 0x01|ack, 1, "")
	h.ts += 10_000_000_000 // the control flow closes and is written
	h.tcp(true, 40009, 2000, syn, 1, "")
	recs := h.flows()
	ctl, data := recs[21], recs[2000]
	if data.Network.Protocol != "echo-data" || data.Flow.ParentID != ctl.Flow.ID || ctl.Flow.ID == "" {
		t.Errorf("data flow protocol %q parent %q, control %q", data.Network.Protocol, data.Flow.ParentID, ctl.Flow.ID)
	}
}

func TestEngineReleasesState(t *testing.T) {
	h := newHarness(t)
	for i := range 50 {
		port := uint16(41000 + i)
		h.tcp(true, port, 7, syn, 1, "")
		h.tcp(true, port, 7, ack, 10, "ahead of a hole") // buffered out of order
	}
	h.flows()
	if s := h.engine.Stats(); s.Reassembly.Buffered != 0 {
		t.Errorf("%d bytes still buffered after every flow ended", s.Reassembly.Buffered)
	}
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	c.Disable = []string{"nosuch"}
	c.ExpectTimeout = 0
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), `unknown dissector "nosuch" (known:`) || !strings.Contains(err.Error(), "dissect.expect_timeout") {
		t.Errorf("Validate() = %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

func TestRegisterRejects(t *testing.T) {
	for name, r := range map[string]Registration{
		"empty":     {Probe: func([]byte, Hint) Verdict { return No }, New: func() Dissector { return boom{} }, TCP: true},
		"duplicate": {Name: "echo", Probe: func([]byte, Hint) Verdict { return No }, New: func() Dissector { return boom{} }, TCP: true},
		"upper":     {Name: "Echo2", Probe: func([]byte, Hint) Verdict { return No }, New: func() Dissector { return boom{} }, TCP: true},
		"noprobe":   {Name: "x1", New: func() Dissector { return boom{} }, TCP: true},
		"transport": {Name: "x2", Probe: func([]byte, Hint) Verdict { return No }, New: func() Dissector { return boom{} }},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			Register(r)
		})
	}
}

func TestExpectationsBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxExpectations = 100
	e, err := New(cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("10.0.0.1")
	at := int64(0)
	for i := range 100_000 {
		dst := netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), uint16(1024+i%5000))
		e.expect(src, dst, "ftp-data", "p", at)
		at += 1000
	}
	if len(e.expects) != 100 || len(e.expectQ) > 3*100+16 {
		t.Fatalf("%d expectations, %d queued; want 100 and a bounded queue", len(e.expects), len(e.expectQ))
	}
	// The newest survive: the last 100 announced ports.
	for i := 100_000 - 100; i < 100_000; i++ {
		dst := netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), uint16(1024+i%5000))
		if _, ok := e.expects[dst]; !ok {
			t.Fatalf("newest expectation %v was evicted", dst)
		}
	}
	// Expired ones leave when the next is announced.
	e.expect(src, netip.MustParseAddrPort("10.0.0.3:9"), "ftp-data", "p", at+int64(cfg.ExpectTimeout)+1)
	if len(e.expects) != 1 {
		t.Errorf("%d expectations after the others expired, want 1", len(e.expects))
	}
}
