package http

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// parseHeader parses one header block and prepares the body state.
func (c *Conn) parseHeader(d *dir, block []byte) error {
	first, rest := cutLine(block)
	if d.isClient {
		return c.request(d, first, rest, len(block))
	}
	return c.response(d, first, rest, len(block))
}

func cutLine(b []byte) ([]byte, []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimRight(b, "\r"), nil
	}
	return bytes.TrimRight(b[:i], "\r"), b[i+1:]
}

// headerFn is called for each header field.
func eachHeader(b []byte, fn func(name, value []byte)) {
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue // end, or an obsolete folded continuation
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 {
			continue
		}
		fn(bytes.TrimSpace(line[:i]), bytes.TrimSpace(line[i+1:]))
	}
}

func isToken(b []byte) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`()<>@,;:\"/[]?={}`), c) >= 0 {
			return false
		}
	}
	return true
}

// body describes the framing of a message body.
type body struct {
	chunked bool
	length  int64 // -1: none given
	upgrade bool
}

func (b *body) field(name, value []byte) {
	switch {
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		if bytes.Contains(bytes.ToLower(value), []byte("chunked")) {
			b.chunked = true
		}
	case bytes.EqualFold(name, []byte("Content-Length")):
		if n, err := strconv.ParseInt(string(value), 10, 64); err == nil && n >= 0 {
			b.length = n
		}
	case bytes.EqualFold(name, []byte("Upgrade")):
		b.upgrade = true
	}
}

func (c *Conn) request(d *dir, first, rest []byte, size int) error {
	method, after, _ := bytes.Cut(first, []byte(" "))
	if !isToken(method) {
		return fmt.Errorf("%w: request line %q", ErrMalformed, truncate(first))
	}
	if len(c.pending) >= c.cfg.MaxPending {
		return ErrTooManyPending
	}
	after = bytes.TrimLeft(after, " ")
	uri, version := after, []byte(nil)
	if i := bytes.LastIndexByte(after, ' '); i >= 0 && bytes.HasPrefix(after[i+1:], []byte("HTTP/")) {
		uri, version = bytes.TrimRight(after[:i], " "), after[i+len(" HTTP/"):]
	}
	r := &Request{Method: string(method), URI: string(uri), HeaderBytes: size}
	if version != nil {
		r.Version = string(version)
	} else {
		r.Version = "0.9"
	}
	b := body{length: -1}
	eachHeader(rest, func(name, value []byte) {
		b.field(name, value)
		switch {
		case bytes.EqualFold(name, []byte("Host")):
			r.Host = string(value)
		case bytes.EqualFold(name, []byte("User-Agent")):
			r.UserAgent = string(value)
		case bytes.EqualFold(name, []byte("Referer")):
			r.Referrer = string(value)
		case bytes.EqualFold(name, []byte("Content-Type")):
			r.ContentType = string(value)
		case bytes.EqualFold(name, []byte("X-Forwarded-For")):
			r.XForwardedFor = string(value)
		case bytes.EqualFold(name, []byte("X-Real-IP")):
			r.XRealIP = string(value)
		case bytes.EqualFold(name, []byte("Forwarded")):
			r.Forwarded = string(value)
		case bytes.EqualFold(name, []byte("Client-IP")), bytes.EqualFold(name, []byte("True-Client-IP")):
			r.ClientIP = string(value)
		}
	})
	t := &Transaction{Request: r}
	c.pending = append(c.pending, t)
	c.stats.Requests++
	d.req = t
	switch {
	case r.Method == "CONNECT" || b.upgrade:
		// What follows may be another protocol: stop here; the response
		// says whether the switch happened (then Tunnel is set).
		d.state, d.req = stDead, nil
	case b.chunked:
		d.state = stChunkSize
	case b.length > 0:
		d.state, d.remaining = stBody, b.length
	default:
		c.endMessage(d)
	}
	return nil
}

func (c *Conn) response(d *dir, first, rest []byte, size int) error {
	if !bytes.HasPrefix(first, []byte("HTTP/")) {
		return fmt.Errorf("%w: status line %q", ErrMalformed, truncate(first))
	}
	version, after, _ := bytes.Cut(first[len("HTTP/"):], []byte(" "))
	codeB, msg, _ := bytes.Cut(bytes.TrimLeft(after, " "), []byte(" "))
	code, err := strconv.Atoi(string(codeB))
	if err != nil || code < 100 || code > 999 {
		return fmt.Errorf("%w: status code %q", ErrMalformed, truncate(codeB))
	}
	if d.resp == nil {
		d.resp = &Response{}
	}
	resp := d.resp
	resp.HeaderBytes += size
	if code >= 100 && code < 200 && code != 101 {
		resp.InfoCode = code // interim: the final response follows
		return nil
	}
	resp.Version, resp.StatusCode, resp.StatusMsg = string(version), code, string(msg)
	b := body{length: -1}
	eachHeader(rest, func(name, value []byte) {
		b.field(name, value)
		if bytes.EqualFold(name, []byte("Content-Type")) {
			resp.ContentType = string(value)
		}
	})
	var req *Request
	if len(c.pending) > 0 {
		req = c.pending[0].Request
	}
	switch {
	case code == 101 || (req != nil && req.Method == "CONNECT" && code/100 == 2):
		c.finishResponse()
		c.tunnel = true
	case code == 204 || code == 304 || (req != nil && req.Method == "HEAD"):
		c.finishResponse()
	case b.chunked:
		d.state = stChunkSize
	case b.length >= 0:
		if b.length == 0 {
			c.finishResponse()
		} else {
			d.state, d.remaining = stBody, b.length
		}
	default:
		d.state, d.remaining = stBody, -1 // until the connection closes
	}
	return nil
}

// endMessage is called when a message's body is complete.
func (c *Conn) endMessage(d *dir) {
	if d.isClient {
		d.req, d.state = nil, stHeader
		return
	}
	c.finishResponse()
}

// finishResponse pairs the server's current response with the oldest
// waiting request.
func (c *Conn) finishResponse() {
	d := &c.server
	d.state = stHeader
	if d.resp == nil {
		return
	}
	c.stats.Responses++
	var t *Transaction
	if len(c.pending) > 0 {
		t = c.pending[0]
		c.pending[0] = nil
		c.pending = c.pending[1:]
	} else {
		t = &Transaction{}
	}
	t.Response = d.resp
	d.resp = nil
	if len(c.done) >= c.cfg.MaxPending {
		// Nobody takes them: keep memory bounded, drop the oldest.
		c.done = c.done[1:]
		c.stats.TooManyPending++
	}
	c.done = append(c.done, *t)
}

// UnescapedURI returns the URI with %XX sequences decoded, as Zeek writes
// it in http.log's uri field (invalid sequences are kept as they are).
func (r *Request) UnescapedURI() string {
	if !strings.Contains(r.URI, "%") {
		return r.URI
	}
	var sb strings.Builder
	for i := 0; i < len(r.URI); i++ {
		c := r.URI[i]
		if c == '%' && i+2 < len(r.URI)+0 && isHex(r.URI[i+1]) && isHex(r.URI[i+2]) {
			v, _ := strconv.ParseUint(r.URI[i+1:i+3], 16, 8)
			sb.WriteByte(byte(v))
			i += 2
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
