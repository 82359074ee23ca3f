package accesslog

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Common/Combined Log Format lines. The zero value is ready
// to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors for lines that start like an access log line but are not one.
var (
	ErrTime    = errors.New("accesslog: bad [time]")
	ErrRequest = errors.New("accesslog: no quoted request")
	ErrStatus  = errors.New("accesslog: bad status")
	ErrQuote   = errors.New("accesslog: unterminated quoted field")
)

// Name returns "accesslog".
func (Parser) Name() string { return "accesslog" }

// Detect accepts a body with at least three words before a
// "[dd/Mon/yyyy:hh:mm:ss ±hhmm] \"" timestamp and quoted request, within
// its first 300 bytes.
func (Parser) Detect(m *normalize.Message) bool {
	s := m.Body
	if len(s) < 40 || s[0] == '"' || s[0] == '{' || s[0] == '<' {
		return false
	}
	i := strings.IndexByte(s[:min(len(s), 300)], '[')
	if i < 5 || s[i-1] != ' ' || len(s) < i+30 {
		return false
	}
	if strings.Count(s[:i], " ") < 3 { // "host ident user "
		return false
	}
	return isTime(s[i+1:]) && s[i+27] == ']' && s[i+28] == ' ' && s[i+29] == '"'
}

// isTime reports whether s starts with "dd/Mon/yyyy:hh:mm:ss ±hhmm".
func isTime(s string) bool {
	return len(s) >= 26 && s[2] == '/' && s[6] == '/' && s[11] == ':' && s[14] == ':' && s[17] == ':' &&
		s[20] == ' ' && (s[21] == '+' || s[21] == '-') && s[0] >= '0' && s[0] <= '3'
}

// parseTime parses "dd/Mon/yyyy:hh:mm:ss ±hhmm".
func parseTime(s string) (time.Time, bool) {
	if !isTime(s) {
		return time.Time{}, false
	}
	d, ok1 := normalize.Atoi(s[0:2])
	mo, ok2 := normalize.Month(s[3:6])
	y, ok3 := normalize.Atoi(s[7:11])
	h, ok4 := normalize.Atoi(s[12:14])
	mi, ok5 := normalize.Atoi(s[15:17])
	sec, ok6 := normalize.Atoi(s[18:20])
	zh, ok7 := normalize.Atoi(s[22:24])
	zm, ok8 := normalize.Atoi(s[24:26])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || !ok8 ||
		d < 1 || d > 31 || y < 1 || h > 23 || mi > 59 || sec > 60 || zh > 14 || zm > 59 {
		return time.Time{}, false
	}
	off := time.Duration(zh)*time.Hour + time.Duration(zm)*time.Minute
	if s[21] == '-' {
		off = -off
	}
	return time.Date(int(y), mo, int(d), int(h), int(mi), int(sec), 0, time.UTC).Add(-off), true
}

var (
	catWeb     = []string{"web"}
	typeAccess = []string{"access"}
)

// Parse fills e from an access log line.
func (Parser) Parse(m *normalize.Message, _ *normalize.Env, e *normalize.Event) error {
	s := m.Body
	i := strings.IndexByte(s, '[') - 1 // the space before it
	if i <= 0 || s[i] != ' ' || len(s) < i+30 {
		return ErrTime
	}
	t, ok := parseTime(s[i+2:])
	if !ok || s[i+28] != ']' {
		return ErrTime
	}
	// "host ident user": the host may be nginx's "a, b, c" list.
	head := normalize.TrimSpace(s[:i])
	sp := strings.LastIndexByte(head, ' ')
	if sp < 0 {
		return ErrTime
	}
	user := head[sp+1:]
	head = normalize.TrimSpace(head[:sp])
	sp = strings.LastIndexByte(head, ' ')
	if sp < 0 {
		return ErrTime
	}
	ident := head[sp+1:]
	hosts := normalize.TrimSpace(head[:sp])
	if hosts == "" {
		return ErrTime
	}

	s = s[i+29:]
	if len(s) < 2 || s[0] != ' ' || s[1] != '"' {
		return ErrRequest
	}
	request, s, ok := quoted(s[1:])
	if !ok {
		return ErrRequest
	}
	status, s := word(s)
	bytes, s := word(s)
	if status != "-" {
		if _, ok := normalize.Atoi(status); !ok {
			return ErrStatus
		}
	}
	referrer, s, ok := quoted(s)
	if !ok && s != "" && s[0] == '"' {
		return ErrQuote
	}
	agent, s, ok := quoted(s)
	if !ok && s != "" && s[0] == '"' {
		return ErrQuote
	}

	vendor := flavor(m.AppName, hosts, status, bytes)
	if vendor == apache {
		e.Dataset = "log.apache.access"
		e.SetStr("apache.access.identity", ident)
	} else {
		e.Dataset = "log.nginx.access"
	}
	e.Time = t
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catWeb...)
	e.SetStrs("event.type", typeAccess...)
	setHosts(e, hosts, vendor == nginx)
	e.SetStr("user.name", user)
	setRequest(e, request)
	if n, ok := normalize.Atoi(status); ok {
		e.SetInt("http.response.status_code", n)
		if n >= 400 {
			e.SetStr("event.outcome", "failure")
		} else {
			e.SetStr("event.outcome", "success")
		}
	}
	e.SetIntStr("http.response.body.bytes", bytes)
	e.SetStr("http.request.referrer", referrer)
	e.SetStr("user_agent.original", agent)
	return nil
}

type server int

const (
	nginx server = iota
	apache
)

// flavor decides whose log the line is: the format is the same, so the
// syslog tag decides when there is one; otherwise what only Apache writes
// ("-" for an unset status or for zero bytes, where nginx writes 0) means
// Apache, and anything else nginx, whose default format this is and
// which alone logs a list of client addresses.
func flavor(app, hosts, status, bytes string) server {
	switch app {
	case "nginx":
		return nginx
	case "httpd", "apache", "apache2", "apache-access", "httpd-access":
		return apache
	}
	if status == "-" || (bytes == "-" && strings.IndexByte(hosts, ',') < 0) {
		return apache
	}
	return nginx
}

// setHosts sets source.* from the remote host, or from the first public
// address of nginx's "a, b, c" list (the first address when none is
// public).
func setHosts(e *normalize.Event, hosts string, isNginx bool) {
	addr := hosts
	if strings.IndexByte(hosts, ',') >= 0 {
		n := strings.Count(hosts, ",") + 1
		list := make([]string, 0, n)
		addr = ""
		for h := range strings.SplitSeq(hosts, ",") {
			h = normalize.TrimSpace(h)
			if h == "" {
				continue
			}
			list = append(list, h)
			if addr == "" {
				if ip, ok := normalize.ParseIP(h); ok && ip.IsGlobalUnicast() && !ip.IsPrivate() {
					addr = h
				}
			}
		}
		if len(list) == 0 {
			return
		}
		if addr == "" {
			addr = list[0]
		}
		if isNginx {
			e.SetStrs("nginx.access.remote_ip_list", list...)
		}
	} else if isNginx {
		e.SetStrs("nginx.access.remote_ip_list", hosts)
	}
	e.SetStr("source.address", addr)
	if ip, ok := normalize.ParseIP(addr); ok {
		e.SetAddr("source.ip", ip)
	} else if addr != "-" {
		e.SetStr("source.domain", addr)
	}
}

// setRequest reads "METHOD URI HTTP/x.y"; a request line of another shape
// (a TLS handshake sent to the HTTP port, "-") sets nothing.
func setRequest(e *normalize.Event, r string) {
	method, rest, ok := strings.Cut(r, " ")
	if !ok {
		return
	}
	sp := strings.LastIndexByte(rest, ' ')
	if sp < 0 || !strings.HasPrefix(rest[sp+1:], "HTTP/") {
		return
	}
	uri := rest[:sp]
	e.SetStr("http.request.method", method)
	e.SetStr("http.version", rest[sp+len(" HTTP/"):])
	e.SetStr("url.original", uri)
	path := uri
	if scheme, after, ok := strings.Cut(uri, "://"); ok && !strings.ContainsAny(scheme, "/?") {
		e.SetStr("url.scheme", scheme)
		slash := strings.IndexByte(after, '/')
		if slash < 0 {
			slash = len(after)
		}
		e.SetStr("url.domain", after[:slash])
		path = after[slash:]
	}
	path, query, _ := strings.Cut(path, "?")
	path, fragment, _ := strings.Cut(path, "#")
	e.SetStr("url.path", path)
	e.SetStr("url.query", query)
	e.SetStr("url.fragment", fragment)
	last := path[strings.LastIndexByte(path, '/')+1:]
	if dot := strings.LastIndexByte(last, '.'); dot >= 0 && dot+1 < len(last) {
		e.SetStr("url.extension", last[dot+1:])
	}
}

// quoted reads a double-quoted string at the start of s (after spaces),
// where a quote may be escaped with a backslash (Apache writes \", nginx
// \x22), and returns its content and what follows.
func quoted(s string) (v, rest string, ok bool) {
	s = normalize.TrimSpace(s)
	if len(s) < 2 || s[0] != '"' {
		return "", s, false
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[1:i], s[i+1:], true
		}
	}
	return "", s, false
}

// word returns the next space-separated word of s and what follows.
func word(s string) (w, rest string) {
	s = normalize.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}
