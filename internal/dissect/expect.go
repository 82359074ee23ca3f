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
	if len(e.expects) >= e.cfg.MaxExpectations {
		// Drop the expired ones; if none expired, the oldest goes.
		var oldest netip.AddrPort
		var oldestAt int64 = -1
		for k, x := range e.expects {
			if now-x.at > int64(e.cfg.ExpectTimeout) {
				delete(e.expects, k)
				continue
			}
			if oldestAt < 0 || x.at < oldestAt {
				oldest, oldestAt = k, x.at
			}
		}
		if len(e.expects) >= e.cfg.MaxExpectations {
			delete(e.expects, oldest)
		}
	}
	e.expects[dst] = expectation{src: src.Unmap(), protocol: protocol, parent: parent, at: now}
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
