package http

import (
	"bytes"
	"strings"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "http",
		Doc:   "HTTP/1.x on any TCP port: one record per request and its response (keep-alive and pipelining).",
		TCP:   true,
		Ports: []uint16{80, 8000, 8008, 8080, 8081, 8088, 8888, 3128},
		Probe: Probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

var defaultConfig = DefaultConfig()

// dissector turns a connection's transactions into records.
type dissector struct {
	conn     *Conn
	requests uint64  // requests seen so far
	started  []int64 // start time of each request not yet written
}

func newDissector() *dissector {
	c, _ := New(defaultConfig) // the default config is valid
	return &dissector{conn: c}
}

// Data implements dissect.Dissector.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	var err error
	if fromClient {
		err = d.conn.Client(data)
		if n := d.conn.Stats().Requests; n > d.requests {
			for ; d.requests < n; d.requests++ {
				if len(d.started) < 4*defaultConfig.MaxPending {
					d.started = append(d.started, c.Time())
				}
			}
		}
	} else {
		err = d.conn.Server(data)
	}
	d.emit(c, d.conn.Take())
	if d.conn.Tunnel() {
		// CONNECT or Upgrade: what follows is another protocol.
		return dissect.Done, err
	}
	return dissect.Continue, err
}

// Gap implements dissect.Dissector: HTTP cannot resynchronise inside a
// message, so the connection's pending requests are written and
// inspection stops.
func (d *dissector) Gap(c *dissect.Context, _ int, _ bool) {
	d.emit(c, d.conn.Close())
	d.conn, _ = New(defaultConfig)
	d.conn.tunnel = true
}

// End implements dissect.Dissector.
func (d *dissector) End(c *dissect.Context, final bool) {
	if final {
		d.emit(c, d.conn.Close())
	}
}

func (d *dissector) emit(c *dissect.Context, txs []Transaction) {
	for _, tx := range txs {
		ts := c.Time()
		if tx.Request != nil && len(d.started) > 0 {
			ts = d.started[0]
			d.started = d.started[1:]
		}
		g := &record.HTTP{}
		if q := tx.Request; q != nil {
			g.Method, g.URL = q.Method, q.URI
			g.Version = strings.TrimPrefix(q.Version, "HTTP/")
			g.Host = stripPort(q.Host)
			g.UserAgent, g.Referrer, g.RequestMIME = q.UserAgent, q.Referrer, q.ContentType
			g.RequestBody = q.BodyLen
			g.XForwardedFor, g.XRealIP, g.Forwarded, g.ClientIP = q.XForwardedFor, q.XRealIP, q.Forwarded, q.ClientIP
			c.Name(g.Host)
		}
		if s := tx.Response; s != nil {
			g.StatusCode, g.ResponseMIME, g.ResponseBody = s.StatusCode, s.ContentType, s.BodyLen
			if g.Version == "" {
				g.Version = strings.TrimPrefix(s.Version, "HTTP/")
			}
		}
		c.EmitAt(record.DatasetHTTP, ts).HTTP = g
	}
}

// stripPort removes a :port from a Host header value ([v6]:port too).
func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.IndexByte(h, ':') == i {
		return h[:i]
	}
	return h
}

// methods are the request methods the probe accepts (RFC 9110, WebDAV and
// a few common extensions).
var methods = []string{"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "MKCALENDAR",
	"CHECKOUT", "MERGE", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "BPROPFIND", "BMOVE", "POLL", "RPC_IN_DATA", "RPC_OUT_DATA"}

// Probe recognises the start of an HTTP/1.x connection: a request line
// (method, target, HTTP/1.x) from the client, or a status line from the
// server when the capture starts after the request.
func Probe(data []byte, h dissect.Hint) dissect.Verdict {
	if len(data) == 0 {
		return dissect.Maybe
	}
	line := data
	complete := false
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line, complete = data[:i], true
	}
	if len(line) > 8192 {
		return dissect.No
	}
	if !h.FromClient || bytes.HasPrefix(data, []byte("HTTP/")) {
		switch {
		case len(data) < 8:
			if bytes.HasPrefix([]byte("HTTP/1."), data) {
				return dissect.Maybe
			}
			return dissect.No
		case bytes.HasPrefix(data, []byte("HTTP/1.")) && len(data) >= 12 && data[8] == ' ' && isDigits(data[9:12]):
			return dissect.Yes
		}
		if !h.FromClient {
			return dissect.No
		}
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		if complete || len(line) > 16 {
			return dissect.No
		}
		for _, m := range methods {
			if strings.HasPrefix(m, string(line)) {
				return dissect.Maybe
			}
		}
		return dissect.No
	}
	known := false
	for _, m := range methods {
		if string(line[:sp]) == m {
			known = true
			break
		}
	}
	if !known {
		return dissect.No
	}
	line = bytes.TrimRight(line, "\r")
	if i := bytes.LastIndexByte(line, ' '); i > sp {
		if v := line[i+1:]; bytes.HasPrefix(v, []byte("HTTP/1.")) || bytes.Equal(v, []byte("HTTP/0.9")) {
			return dissect.Yes
		}
		if complete {
			return dissect.No
		}
	}
	if complete {
		return dissect.No
	}
	return dissect.Maybe
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var _ dissect.Dissector = (*dissector)(nil)
