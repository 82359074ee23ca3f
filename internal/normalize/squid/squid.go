package squid

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Squid native access.log lines. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrShort marks a line with fewer than nine fields: the native format
// has ten, of which only the trailing mime type may be missing.
var ErrShort = errors.New("squid: fewer than 9 fields")

// ErrField marks a line whose fixed fields do not have their shape.
var ErrField = errors.New("squid: malformed field")

// Name returns "squid".
func (Parser) Name() string { return "squid" }

// Detect accepts a body that starts like a native access.log line:
// epoch seconds with milliseconds, the elapsed milliseconds, the client
// and a CODE/status pair ("1714979289.123    12 10.0.0.5 TCP_MISS/200").
func (Parser) Detect(m *normalize.Message) bool {
	s := m.Body
	if len(s) < 30 || s[0] < '1' || s[0] > '9' {
		return false
	}
	i := digits(s, 0)
	if i < 9 || i > 11 || i+4 > len(s) || s[i] != '.' {
		return false
	}
	j := digits(s, i+1)
	if j-i-1 != 3 {
		return false
	}
	if j = spaces(s, j); j == len(s) || s[j] < '0' || s[j] > '9' {
		return false
	}
	if j = digits(s, j); j == len(s) || s[j] != ' ' {
		return false
	}
	j = spaces(s, j)
	for j < len(s) && s[j] != ' ' { // client
		j++
	}
	j = spaces(s, j)
	start := j
	for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] == '_') {
		j++
	}
	return j > start && j+4 <= len(s) && s[j] == '/' && digits(s, j+1) == j+4
}

// digits returns the index of the first non-digit at or after i.
func digits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// spaces returns the index of the first non-space at or after i.
func spaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

var (
	catWeb     = []string{"web", "network"}
	typeAccess = []string{"access"}
)

// Parse fills e from a native access.log line.
func (Parser) Parse(m *normalize.Message, _ *normalize.Env, e *normalize.Event) error {
	var f [10]string
	n := 0
	s := m.Body
	for i := 0; n < len(f); {
		i = spaces(s, i)
		if i == len(s) {
			break
		}
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s) - i
		}
		f[n] = s[i : i+j]
		n++
		i += j
	}
	if n < 9 {
		return ErrShort
	}
	t, ok := normalize.Epoch(f[0])
	if !ok || t.Year() > 9999 {
		return ErrField
	}
	code, status, ok := strings.Cut(f[3], "/")
	if !ok || code == "" {
		return ErrField
	}
	e.Dataset = "log.squid.access"
	e.Time = t
	// Logstash's grok stage keeps the epoch text as "timestamp" before its
	// date filter runs; the corpus compares it, and it costs nothing.
	e.SetStr("timestamp", f[0])
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catWeb...)
	e.SetStrs("event.type", typeAccess...)
	e.SetStr("event.action", code)
	e.SetIntStr("squid.request.duration", f[1])
	if !e.SetIP("source.ip", f[2]) {
		e.SetStr("source.address", f[2])
	}
	if st, ok := normalize.Atoi(status); ok && st > 0 { // 000: no reply was sent
		e.SetInt("http.response.status_code", st)
		if st >= 400 {
			e.SetStr("event.outcome", "failure")
		} else {
			e.SetStr("event.outcome", "success")
		}
	}
	e.SetIntStr("http.response.bytes", f[4])
	e.SetStr("http.request.method", f[5])
	e.SetStr("url.original", f[6])
	e.SetStr("user.name", f[7])
	hier, peer, _ := strings.Cut(f[8], "/")
	e.SetStr("squid.hierarchy_code", hier)
	if !normalize.Empty(peer) {
		e.SetStr("destination.address", peer)
		e.SetIP("destination.ip", peer)
	}
	if n > 9 {
		e.SetStr("http.response.mime_type", f[9])
	}
	return nil
}
