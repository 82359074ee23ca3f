package dissect

import (
	"net/netip"

	"github.com/flowsift/flowsift/internal/flow"
)

// expectation is a connection a flow announced (an FTP data channel).
type expectation struct {
	src      netip.Addr // the expected initiator's address; invalid: any
	protocol string
	parent   string // flow.id of the announcing flow
	at       int64
}

func (e *Engine) expect(src netip.Addr, dst netip.AddrPort, protocol, parent string, now int64) {
	// The queue holds the keys in the order they were announced; an entry
	// whose map value has since been replaced, matched or expired is stale
	// and skipped, so eviction costs O(1) amortized however many wait.
	for len(e.expects) >= e.cfg.MaxExpectations && len(e.expectQ) > 0 {
		q := e.expectQ[0]
		e.expectQ = e.expectQ[1:]
		if x, ok := e.expects[q.key]; ok && x.at == q.at {
			delete(e.expects, q.key)
		}
	}
	e.expects[dst] = expectation{src: src.Unmap(), protocol: protocol, parent: parent, at: now}
	if len(e.expectQ) == cap(e.expectQ) && len(e.expectQ) > 2*len(e.expects)+16 {
		// Mostly stale: keep the live entries only, still in order.
		live := e.expectQ[:0:0]
		for _, q := range e.expectQ {
			if x, ok := e.expects[q.key]; ok && x.at == q.at {
				live = append(live, q)
			}
		}
		e.expectQ = live
	}
	e.expectQ = append(e.expectQ, queued{dst, now})
	// Expired entries at the front go too, so an idle engine does not
	// keep thousands of them.
	for len(e.expectQ) > 0 && now-e.expectQ[0].at > int64(e.cfg.ExpectTimeout) {
		q := e.expectQ[0]
		e.expectQ = e.expectQ[1:]
		if x, ok := e.expects[q.key]; ok && x.at == q.at {
			delete(e.expects, q.key)
		}
	}
}

// queued is an announcement in the order of arrival.
type queued struct {
	key netip.AddrPort
	at  int64
}

// matchExpectation labels a new flow that an earlier flow announced.
func (e *Engine) matchExpectation(st *state, c *flow.Conn) {
	if len(e.expects) == 0 {
		return
	}
	dst := c.Destination()
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	x, ok := e.expects[dst]
	if !ok {
		return
	}
	if e.ctx.time-x.at > int64(e.cfg.ExpectTimeout) {
		delete(e.expects, dst)
		return
	}
	if x.src.IsValid() && x.src != c.Source().Addr().Unmap() {
		return
	}
	delete(e.expects, dst)
	st.labels.Protocol, st.labels.ParentID = x.protocol, x.parent
	st.done = true // the payload is a file: nothing to dissect at this stage
	e.stats.Expected++
}
