package dissect

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/flowsift/flowsift/internal/record"
)

// Dissector parses the payload of one flow for one protocol. The engine
// calls it from one goroutine and recovers its panics; it keeps nothing of
// data after a call returns.
type Dissector interface {
	// Data hands over bytes the client (fromClient) or the server sent:
	// for TCP the next in-order stretch of that direction's stream, for
	// UDP one datagram. Done stops inspection of the flow. An error is
	// counted by its sentinel and inspection goes on unless Done.
	Data(c *Context, data []byte, fromClient bool) (Status, error)
	// Gap says n bytes of a TCP direction were never seen.
	Gap(c *Context, n int, fromClient bool)
	// End is called when the flow ends (final) or an interim record of it
	// is written: the dissector emits the transactions it still holds
	// (all of them when final).
	End(c *Context, final bool)
}

// Status tells the engine whether a dissector wants more of a flow.
type Status uint8

// Statuses returned by Dissector.Data.
const (
	Continue Status = iota // more packets are useful
	Done                   // the flow's metadata is complete: skip the rest
	// Finished is Done, and End would write nothing more: the engine
	// drops the dissector at once, so a flow that lives on after its
	// handshake costs no dissector memory.
	Finished
)

// Verdict is a probe's answer about the first bytes of a flow.
type Verdict uint8

// Verdicts of a Probe.
const (
	No    Verdict = iota // not this protocol
	Maybe                // could be: show me more bytes
	Yes                  // this protocol
)

// Hint tells a probe where its bytes come from.
type Hint struct {
	FromClient bool // sent by the flow's initiator
	OnPort     bool // the flow uses one of the registration's ports
	TCP        bool // a TCP stream (else one UDP datagram)
}

// Registration describes one dissector to the engine.
type Registration struct {
	// Name is the value of network.protocol (lowercase) and the
	// dissector's name in config and metrics.
	Name string
	// Doc is one sentence for --help and docs.
	Doc string
	// TCP and UDP say which transports the dissector handles.
	TCP, UDP bool
	// Ports are the well-known ports. Detection is by payload whatever
	// the port; a flow on one of these ports is probed by this dissector
	// first, and onPort tells the probe so (some protocols, NTP and DHCP,
	// cannot be told from noise without it).
	Ports []uint16
	// Probe looks at the first bytes one side sent (for TCP, the start of
	// that direction's stream as far as seen; for UDP, one datagram).
	Probe func(data []byte, h Hint) Verdict
	// New returns the dissector for one flow.
	New func() Dissector
}

var (
	regMu sync.Mutex
	regs  = map[string]*Registration{}
)

// Register adds a dissector. It is called from the init function of the
// dissector's package and panics on an empty or duplicate name or a
// registration without Probe or New: those are programming errors.
func Register(r Registration) {
	regMu.Lock()
	defer regMu.Unlock()
	switch {
	case r.Name == "" || strings.ToLower(r.Name) != r.Name:
		panic(fmt.Sprintf("dissect: register %q: name must be non-empty lowercase", r.Name))
	case regs[r.Name] != nil:
		panic("dissect: register " + r.Name + ": duplicate name")
	case r.Probe == nil || r.New == nil:
		panic("dissect: register " + r.Name + ": Probe and New are required")
	case !r.TCP && !r.UDP:
		panic("dissect: register " + r.Name + ": no transport")
	}
	regs[r.Name] = &r
}

// Registered returns the registered dissectors sorted by name.
func Registered() []*Registration {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]*Registration, 0, len(regs))
	for _, r := range regs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the registration with the given name, or an error that
// lists the known names.
func Lookup(name string) (*Registration, error) {
	regMu.Lock()
	r := regs[name]
	regMu.Unlock()
	if r != nil {
		return r, nil
	}
	var names []string
	for _, r := range Registered() {
		names = append(names, r.Name)
	}
	return nil, fmt.Errorf("dissect: unknown dissector %q (known: %s)", name, strings.Join(names, ", "))
}

func (r *Registration) onPort(a, b uint16) bool {
	return slices.Contains(r.Ports, a) || slices.Contains(r.Ports, b)
}

// Errors a dissector's errors are counted by: the engine looks for these
// sentinels (with errors.Is) in what Data returns; a dissector wraps its
// own sentinels with them or returns errors that match by text.
var (
	ErrTruncated = errors.New("truncated")
	ErrMalformed = errors.New("malformed")
	ErrTooLarge  = errors.New("too large")
)

// errorKind classifies a dissector error for the counters.
func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrTooLarge), strings.Contains(err.Error(), "too large"), strings.Contains(err.Error(), "too many"):
		return "too_large"
	case errors.Is(err, ErrTruncated), strings.Contains(err.Error(), "truncated"), strings.Contains(err.Error(), "too short"):
		return "truncated"
	default:
		return "malformed"
	}
}

// Context is what a dissector gets with each call: the flow it works on,
// the time of the packet, and the engine's services. It is valid only
// during the call.
type Context struct {
	e    *Engine
	st   *state
	time int64
}

// Time returns the time of the packet being inspected (nanoseconds since
// the epoch), or the flow table's clock at the end of a flow.
func (c *Context) Time() int64 { return c.time }

// Source returns the flow initiator's address and port.
func (c *Context) Source() netip.AddrPort { return c.e.conn.Source() }

// Destination returns the responder's address and port.
func (c *Context) Destination() netip.AddrPort { return c.e.conn.Destination() }

// ID returns the flow.id of the flow.
func (c *Context) ID() string { return c.e.conn.ID() }

// SetProtocol replaces the flow's network.protocol, for a dissector that
// tells variants apart (mdns and llmnr are parsed by the DNS dissector).
func (c *Context) SetProtocol(name string) { c.st.labels.Protocol = name }

// Protocol returns the flow's network.protocol.
func (c *Context) Protocol() string { return c.st.labels.Protocol }

// Name offers a host name seen in the flow (SNI, Host, query, certificate
// name) for application identification: the first name the catalog knows
// names the flow's application.
func (c *Context) Name(host string) {
	if c.st.labels.Application != "" || host == "" || c.e.apps == nil {
		return
	}
	if app, ok := c.e.apps.Match(host); ok {
		c.st.labels.Application, c.st.labels.Category = app.Name, app.Category
	}
}

// Emit appends a transaction record of the flow, timed at the current
// packet, with the shared fields and the flow's labels set. The caller
// fills its group; the record must not be kept after the call returns.
func (c *Context) Emit(ds record.Dataset) *record.Record { return c.EmitAt(ds, c.time) }

// EmitAt is Emit with the transaction's own time (its first message).
func (c *Context) EmitAt(ds record.Dataset, ts int64) *record.Record {
	if ts == 0 {
		ts = c.time
	}
	r := c.e.conn.Emit(ds, ts)
	l := &c.st.labels
	r.Network.Protocol, r.Network.Application, r.Network.AppCategory = l.Protocol, l.Application, l.Category
	r.Flow.ParentID = l.ParentID
	c.e.stats.Transactions++
	return r
}

// Expect announces a connection the flow opened (an FTP data channel):
// the next flow to dst (from any port of src's address, or any address
// when src is invalid) within the expectation timeout is labelled with
// protocol and gets this flow's id as flow.parent_id.
func (c *Context) Expect(src netip.Addr, dst netip.AddrPort, protocol string) {
	c.e.expect(src, dst, protocol, c.e.conn.ID(), c.time)
}

// TCP reports whether the flow is a TCP connection (else UDP).
func (c *Context) TCP() bool { return c.st.tcp }
