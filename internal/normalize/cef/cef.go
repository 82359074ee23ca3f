package cef

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() {
	normalize.Register(Parser{})
	normalize.Register(LEEF{})
}

// Parser parses CEF lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrHeader marks a CEF or LEEF line whose header has too few fields.
var ErrHeader = errors.New("cef: header has too few '|'-separated fields")

// maxExtensions bounds the extensions kept per line.
const maxExtensions = 256

// Name returns "cef".
func (Parser) Name() string { return "cef" }

// DetectOrder puts CEF after the vendor parsers: a vendor's parser that
// understands its own CEF claims the line first.
func (Parser) DetectOrder() int { return 80 }

// Detect accepts a body containing "CEF:<digit>|" near its start (after
// an optional relay prefix such as a host name).
func (Parser) Detect(m *normalize.Message) bool {
	_, ok := findCEF(m.Body)
	return ok
}

func findCEF(b string) (string, bool) {
	head := b[:min(len(b), 128)]
	i := strings.Index(head, "CEF:")
	if i < 0 || i > 0 && head[i-1] != ' ' && head[i-1] != ':' {
		return "", false
	}
	b = b[i:]
	if len(b) < 6 || b[4] < '0' || b[4] > '9' {
		return "", false
	}
	return b, strings.IndexByte(b[5:min(len(b), 8)], '|') >= 0
}

// splitHeader cuts n '|'-separated header fields (a '|' or '\' inside a
// field is escaped with a backslash) and returns them and the rest.
func splitHeader(s string, dst []string, n int) ([]string, string, bool) {
	start := 0
	for i := 0; i < len(s) && len(dst) < n; i++ {
		switch s[i] {
		case '\\':
			i++
		case '|':
			dst = append(dst, s[start:i])
			start = i + 1
		}
	}
	if len(dst) < n {
		return dst, "", false
	}
	return dst, s[start:], true
}

// unescape removes CEF's backslash escapes: \\ \| \= and \n \r.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			default:
				c = s[i]
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func keyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '[' || c == ']'
}

// keyAt reports whether an extension key followed by '=' starts at i.
func keyAt(s string, i int) bool {
	start := i
	for i < len(s) && keyChar(s[i]) {
		i++
	}
	return i > start && i < len(s) && s[i] == '='
}

// extensions iterates over "key=value key=value": a value runs to the
// space before the next key= (an escaped \= is part of a value).
type extensions struct {
	s string
	i int
}

func (x *extensions) next() (key, value string, ok bool) {
	s := x.s
	for x.i < len(s) {
		for x.i < len(s) && (s[x.i] == ' ' || s[x.i] == '\t') {
			x.i++
		}
		start := x.i
		for x.i < len(s) && keyChar(s[x.i]) {
			x.i++
		}
		if x.i == start || x.i >= len(s) || s[x.i] != '=' {
			// Not a key: skip this word.
			for x.i < len(s) && s[x.i] != ' ' {
				x.i++
			}
			continue
		}
		key = s[start:x.i]
		x.i++
		vs := x.i
		for x.i < len(s) {
			switch {
			case s[x.i] == '\\':
				x.i += 2
				continue
			case s[x.i] == ' ' && keyAt(s, x.i+1):
			default:
				x.i++
				continue
			}
			break
		}
		end := min(x.i, len(s))
		value = strings.TrimRight(s[vs:end], " \t")
		return key, value, true
	}
	return "", "", false
}

// severities maps CEF's named severities to the low end of their numeric
// range (Low 0-3, Medium 4-6, High 7-8, Very-High 9-10), as numeric
// severities are kept as they are.
var severities = map[string]int64{"low": 0, "medium": 4, "high": 7, "very-high": 9, "very high": 9}

var header = [...]string{"cef.version", "cef.device.vendor", "cef.device.product", "cef.device.version", "cef.device.event_class_id", "cef.name", "cef.severity"}

// Parse fills e from a CEF line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	b, ok := findCEF(m.Body)
	if !ok {
		return ErrHeader
	}
	var buf [7]string
	h, ext, ok := splitHeader(b[4:], buf[:0], 7)
	if !ok {
		return ErrHeader
	}
	e.Dataset = "log.cef"
	for i, v := range h {
		e.SetStr(header[i], unescape(v))
	}
	e.SetStr("observer.vendor", unescape(h[1]))
	e.SetStr("observer.product", unescape(h[2]))
	e.SetStr("observer.version", unescape(h[3]))
	e.SetStr("event.code", unescape(h[4]))
	sev := strings.TrimSpace(h[6])
	if n, ok := normalize.Atoi(sev); ok {
		e.SetInt("event.severity", n)
	} else if n, ok := severities[strings.ToLower(sev)]; ok {
		e.SetInt("event.severity", n)
	}
	message := unescape(h[5])
	x := extensions{s: ext}
	for n := 0; n < maxExtensions; n++ {
		k, v, ok := x.next()
		if !ok {
			break
		}
		v = unescape(v)
		d, known := dictionary[k]
		if !known {
			if len(k) <= 64 {
				e.SetStr("cef.extensions."+k, v)
			}
			continue
		}
		if d.full == "message" {
			message = v
		}
		setExtension(e, env, d, v)
	}
	e.SetStr("message", message)
	e.SetStr("event.kind", "event")
	return nil
}

func setExtension(e *normalize.Event, env *normalize.Env, d extension, v string) {
	switch d.kind {
	case kInt:
		if n, ok := normalize.Atoi(v); ok {
			e.SetInt(d.field, n)
			switch d.ecs {
			case "":
			case "event.id":
				e.SetInt("event.id", n)
			default:
				e.SetInt(d.ecs, n)
			}
			if d.full == "deviceDirection" {
				switch n {
				case 0:
					e.SetStr("network.direction", "inbound")
				case 1:
					e.SetStr("network.direction", "outbound")
				}
			}
			return
		}
		e.SetStr(d.field, v)
	case kFloat:
		if f, ok := normalize.Atof(v); ok {
			e.SetFloat(d.field, f)
			if d.ecs != "" {
				e.SetFloat(d.ecs, f)
			}
			return
		}
		e.SetStr(d.field, v)
	case kIP:
		e.SetStr(d.field, v)
		if d.ecs != "" {
			e.SetIP(d.ecs, v)
		}
	case kMAC:
		e.SetStr(d.field, v)
		if d.ecs != "" {
			e.SetStr(d.ecs, normalize.FormatMAC(v))
		}
	case kTime:
		t, ok := parseTime(v, env)
		if !ok {
			e.SetStr(d.field, v)
			return
		}
		e.SetTime(d.field, t)
		switch d.ecs {
		case "":
		case "@timestamp":
			e.Time = t
		default:
			e.SetTime(d.ecs, t)
		}
	default:
		e.SetStr(d.field, v)
		switch d.ecs {
		case "":
		case "network.transport", "event.outcome":
			e.SetStr(d.ecs, normalize.Lower(v))
		default:
			e.SetStr(d.ecs, v)
		}
	}
}

// parseTime reads CEF's timestamp forms: milliseconds since 1970,
// "MMM dd yyyy HH:mm:ss[.SSS][ zone]", "MMM dd HH:mm:ss" and ISO 8601.
func parseTime(v string, env *normalize.Env) (time.Time, bool) {
	if n, ok := normalize.Atoi(v); ok {
		if n > 1e14 { // microseconds or more: not a CEF time
			return time.Time{}, false
		}
		return time.UnixMilli(n).UTC(), true
	}
	if t, n := normalize.ParseBSD(v, env); n > 0 {
		return t, true
	}
	if t, n := normalize.ParseISO(v, env); n > 0 {
		return t, true
	}
	return time.Time{}, false
}
