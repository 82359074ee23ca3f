package http

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Errors that end the parsing of one direction. Each is counted in Stats.
var (
	// ErrTooLarge means a message's header (request or status line plus
	// header fields) exceeded Config.MaxHeader, or a chunk-size line was
	// longer than maxLine; the direction stops being parsed.
	ErrTooLarge = errors.New("http: header too large")
	// ErrMalformed means bytes that cannot be HTTP/1.x where a message
	// or a chunk size was expected.
	ErrMalformed = errors.New("http: malformed message")
	// ErrTooManyPending means more than Config.MaxPending requests are
	// waiting for their responses.
	ErrTooManyPending = errors.New("http: too many pipelined requests")
)

// Config bounds the memory of one connection.
type Config struct {
	MaxHeader  int // bytes of one message's header block (default 64 KiB)
	MaxPending int // requests awaiting a response, and completed transactions not yet taken
}

// DefaultConfig returns the sensor's limits.
func DefaultConfig() Config { return Config{MaxHeader: 64 << 10, MaxPending: 64} }

// Validate checks the limits.
func (c Config) Validate() error {
	if c.MaxHeader < 256 || c.MaxHeader > 16<<20 {
		return fmt.Errorf("http: max header %d out of range [256, 16 MiB]", c.MaxHeader)
	}
	if c.MaxPending < 1 || c.MaxPending > 1<<16 {
		return fmt.Errorf("http: max pending %d out of range [1, 65536]", c.MaxPending)
	}
	return nil
}

// maxLine bounds a chunk-size line.
const maxLine = 1024

// Request is what a request carries, Zeek http.log style.
type Request struct {
	Method, URI, Version                   string
	Host, UserAgent, Referrer, ContentType string
	// Origin headers set by proxies and load balancers.
	XForwardedFor, XRealIP, Forwarded, ClientIP string
	BodyLen                                     int64 // decoded body bytes (chunk framing excluded)
	HeaderBytes                                 int
}

// Response is what a response carries.
type Response struct {
	Version     string
	StatusCode  int
	StatusMsg   string
	InfoCode    int // last 1xx interim status before the final one, 0 if none
	ContentType string
	BodyLen     int64
	HeaderBytes int
}

// Transaction is a request and its response: the Nth response of a
// connection answers its Nth request. Either may be nil (a request
// without response, a response without a request seen).
type Transaction struct {
	Request  *Request
	Response *Response
}

// Stats counts outcomes for one connection.
type Stats struct {
	Requests, Responses uint64
	TooLarge, Malformed uint64
	TooManyPending      uint64
}

// Conn parses both directions of one HTTP/1.x connection: feed client
// bytes to Client and server bytes to Server, each in stream order, in
// pieces of any size. Memory is bounded by Config: a header block is
// buffered up to MaxHeader, bodies are skipped and counted, never kept.
// After a CONNECT or an Upgrade (101) the connection is a tunnel and
// further bytes are ignored. Not safe for concurrent use.
type Conn struct {
	cfg     Config
	client  dir
	server  dir
	pending []*Transaction // requests awaiting a response, oldest first
	done    []Transaction  // completed, not yet taken
	tunnel  bool
	stats   Stats
}

// New returns a parser for one connection.
func New(cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Conn{cfg: cfg}
	c.client.isClient = true
	return c, nil
}

// Stats returns the connection's counters.
func (c *Conn) Stats() Stats { return c.stats }

// Tunnel reports whether the connection switched to a tunnel or another
// protocol (CONNECT, Upgrade), after which nothing more is parsed.
func (c *Conn) Tunnel() bool { return c.tunnel }

// Client consumes bytes sent by the client. An error means the client
// direction stopped being parsed (counted); later calls return it again.
func (c *Conn) Client(data []byte) error { return c.write(&c.client, data) }

// Server consumes bytes sent by the server.
func (c *Conn) Server(data []byte) error { return c.write(&c.server, data) }

// Take returns the completed transactions and forgets them. The caller
// owns the result.
func (c *Conn) Take() []Transaction {
	out := c.done
	c.done = nil
	return out
}

// Close ends the connection: a body delimited by the close is complete,
// and requests still waiting become transactions without a response.
// It returns every transaction not yet taken.
func (c *Conn) Close() []Transaction {
	if c.server.state == stBody && c.server.remaining < 0 && c.server.resp != nil {
		c.finishResponse()
	}
	for _, t := range c.pending {
		c.done = append(c.done, *t)
	}
	c.pending = nil
	return c.Take()
}

const (
	stHeader    = iota
	stBody      // remaining bytes (or -1: until close)
	stChunkSize // reading a chunk-size line
	stChunkData // remaining bytes of a chunk
	stChunkCRLF // the CRLF after chunk data
	stTrailer   // trailer lines up to the empty line
	stDead
)

type dir struct {
	isClient  bool
	state     int
	buf       []byte // header block or chunk-size/trailer line being collected
	remaining int64
	req       *Transaction
	resp      *Response
	err       error
}

func (c *Conn) write(d *dir, data []byte) error {
	if d.err != nil {
		return d.err
	}
	for len(data) > 0 && !c.tunnel {
		var err error
		switch d.state {
		case stHeader:
			data, err = c.header(d, data)
		case stBody:
			n := int64(len(data))
			if d.remaining >= 0 && n > d.remaining {
				n = d.remaining
			}
			c.addBody(d, n)
			data = data[n:]
			if d.remaining >= 0 {
				d.remaining -= n
				if d.remaining == 0 {
					c.endMessage(d)
				}
			}
		case stChunkSize, stChunkCRLF, stTrailer:
			data, err = c.line(d, data)
		case stChunkData:
			n := min(int64(len(data)), d.remaining)
			c.addBody(d, n)
			data = data[n:]
			d.remaining -= n
			if d.remaining == 0 {
				d.state = stChunkCRLF
			}
		case stDead:
			return d.err
		}
		if err != nil {
			d.err, d.state, d.buf = err, stDead, nil
			switch {
			case errors.Is(err, ErrTooLarge):
				c.stats.TooLarge++
			case errors.Is(err, ErrTooManyPending):
				c.stats.TooManyPending++
			default:
				c.stats.Malformed++
			}
			return err
		}
	}
	return nil
}

func (c *Conn) addBody(d *dir, n int64) {
	if d.isClient {
		if d.req != nil {
			d.req.Request.BodyLen += n
		}
	} else if d.resp != nil {
		d.resp.BodyLen += n
	}
}

// header collects a header block; on its end it parses it and sets up the body.
func (c *Conn) header(d *dir, data []byte) ([]byte, error) {
	if len(d.buf) == 0 {
		// Stray CRLFs between messages (RFC 9112 §2.2).
		for len(data) > 0 && (data[0] == '\r' || data[0] == '\n') {
			data = data[1:]
		}
		if len(data) == 0 {
			return nil, nil
		}
	}
	if len(d.buf) == 0 {
		// Fast path: a whole header block at the start of data is parsed
		// in place (parseHeader copies what it keeps, as d.buf is reused).
		if end, termLen := findEnd(data[:min(len(data), c.cfg.MaxHeader)]); end >= 0 {
			end += termLen
			return data[end:], c.parseHeader(d, data[:end])
		}
	}
	from := max(0, len(d.buf)-3)
	room := c.cfg.MaxHeader - len(d.buf)
	take := min(len(data), room+1)
	d.buf = append(d.buf, data[:take]...)
	end, termLen := findEnd(d.buf[from:])
	if end < 0 {
		if len(d.buf) > c.cfg.MaxHeader {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.cfg.MaxHeader)
		}
		// HTTP/0.9 request: a request line without version, no headers.
		if d.isClient && !bytes.Contains(d.buf, []byte(" HTTP/")) {
			if i := bytes.IndexByte(d.buf, '\n'); i >= 0 {
				used := i + 1 - (len(d.buf) - take)
				err := c.parseHeader(d, d.buf[:i+1])
				d.buf = d.buf[:0]
				return data[used:], err
			}
		}
		return data[take:], nil
	}
	end += from + termLen
	used := end - (len(d.buf) - take)
	block := d.buf[:end]
	err := c.parseHeader(d, block)
	d.buf = d.buf[:0]
	return data[used:], err
}

// findEnd returns the index of the blank line ending a header block and
// the terminator's length, or -1.
func findEnd(b []byte) (int, int) {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i, 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i, 3
		}
	}
	return -1, 0
}

// line handles the chunked framing lines.
func (c *Conn) line(d *dir, data []byte) ([]byte, error) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		if len(d.buf)+len(data) > maxLine {
			return nil, fmt.Errorf("%w: chunk line", ErrTooLarge)
		}
		d.buf = append(d.buf, data...)
		return nil, nil
	}
	if len(d.buf)+i > maxLine {
		return nil, fmt.Errorf("%w: chunk line", ErrTooLarge)
	}
	d.buf = append(d.buf, data[:i]...)
	line := bytes.TrimSpace(d.buf)
	d.buf = d.buf[:0]
	data = data[i+1:]
	switch d.state {
	case stChunkCRLF:
		if len(line) != 0 {
			return nil, fmt.Errorf("%w: no CRLF after chunk", ErrMalformed)
		}
		d.state = stChunkSize
	case stChunkSize:
		if j := bytes.IndexByte(line, ';'); j >= 0 {
			line = bytes.TrimSpace(line[:j])
		}
		n, err := strconv.ParseUint(string(line), 16, 63)
		if err != nil || len(line) == 0 || len(line) > 16 {
			return nil, fmt.Errorf("%w: chunk size %q", ErrMalformed, truncate(line))
		}
		if n == 0 {
			d.state = stTrailer
		} else {
			d.state, d.remaining = stChunkData, int64(n)
		}
	case stTrailer:
		if len(line) == 0 {
			c.endMessage(d)
		}
	}
	return data, nil
}

func truncate(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}
