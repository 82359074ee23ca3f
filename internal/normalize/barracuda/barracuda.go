package barracuda

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Barracuda WAF log lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrShort marks a line with fewer fields than its log type has.
var ErrShort = errors.New("barracuda: too few fields")

// Name returns "barracuda".
func (Parser) Name() string { return "barracuda" }

// severities are the four-letter levels of the WF log.
func severity(s string) bool {
	switch s {
	case "EMER", "ALER", "CRIT", "ERRO", "WARN", "NOTI", "INFO", "DEBU":
		return true
	}
	return false
}

// Detect accepts "WF <SEV> " and "TR <ip> " bodies after a header with
// the unit name.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if len(b) < 8 || b[2] != ' ' || m.Hostname == "" {
		return false
	}
	switch b[:2] {
	case "WF":
		return severity(b[3:7]) && len(b) > 7 && b[7] == ' '
	case "TR":
		tok, _, _ := strings.Cut(b[3:], " ")
		_, ok := normalize.ParseIP(tok)
		return ok
	}
	return false
}

// tokens splits a WF/TR body: words separated by spaces, a word that
// starts with '"' runs to the quote followed by a space (or the end), and
// one that starts with '[' to the first ']' not escaped by a backslash.
func tokens(s string, dst []string) []string {
	for len(s) > 0 && len(dst) < cap(dst) {
		for len(s) > 0 && s[0] == ' ' {
			s = s[1:]
		}
		if s == "" {
			break
		}
		end := -1
		switch s[0] {
		case '"':
			for i := 1; i < len(s); i++ {
				if s[i] == '"' && (i+1 == len(s) || s[i+1] == ' ') {
					end = i + 1
					break
				}
			}
		case '[':
			for i := 1; i < len(s); i++ {
				if s[i] == ']' && s[i-1] != '\\' {
					end = i + 1
					break
				}
			}
		}
		if end < 0 {
			if i := strings.IndexByte(s, ' '); i >= 0 {
				end = i
			} else {
				end = len(s)
			}
		}
		dst = append(dst, s[:end])
		s = s[end:]
	}
	return dst
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

var catWAF = []string{"network", "intrusion_detection"}
var catWeb = []string{"network", "web"}

// WF field positions.
const (
	wfType = iota
	wfSeverity
	wfAttack
	wfClientIP
	wfClientPort
	wfServiceIP
	wfServicePort
	wfRule
	wfRuleType
	wfAction
	wfFollowup
	wfDetails
	wfMethod
	wfURL
	wfProtocol
	wfSession
	wfUserAgent
	wfProxyIP
	wfProxyPort
	wfUser
	wfReferer
	wfUniqueID
	wfFields
)

// Parse fills e from a WF or TR line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var buf [40]string
	f := tokens(m.Body, buf[:0])
	if len(f) < 2 {
		return ErrShort
	}
	e.SetStr("event.kind", "event")
	e.SetStr("observer.vendor", "Barracuda")
	e.SetStr("observer.product", "Web Application Firewall")
	e.SetStr("observer.type", "waf")
	e.SetStr("barracuda.waf.unit_name", m.Hostname)
	e.SetStr("barracuda.waf.log_type", f[0])
	e.Time = m.Time
	e.SetTime("event.created", m.Time)
	if f[0] == "TR" {
		return access(f, e)
	}
	if len(f) < wfDetails {
		return ErrShort
	}
	e.Dataset = "log.barracuda.waf"
	e.SetStrs("event.category", catWAF...)
	e.SetStr("barracuda.waf.severity_level", f[wfSeverity])
	e.SetStr("barracuda.waf.attack_description", f[wfAttack])
	e.SetIP("source.ip", f[wfClientIP])
	e.SetIntStr("source.port", f[wfClientPort])
	e.SetIP("client.ip", f[wfClientIP])
	e.SetIntStr("client.port", f[wfClientPort])
	e.SetIP("destination.ip", f[wfServiceIP])
	e.SetIntStr("destination.port", f[wfServicePort])
	e.SetStr("rule.name", f[wfRule])
	e.SetStr("rule.category", f[wfRuleType])
	e.SetStr("event.action", f[wfAction])
	e.SetStr("barracuda.waf.action_taken", f[wfAction])
	e.SetStr("barracuda.waf.followup_action", f[wfFollowup])
	at := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	if d := at(wfDetails); len(d) >= 2 && d[0] == '[' && d[len(d)-1] == ']' {
		d = d[1 : len(d)-1]
		if d != `"-"` && d != "-" {
			e.SetStr("barracuda.waf.attack_details", d)
		}
	}
	e.SetStr("http.request.method", at(wfMethod))
	setURL(e, at(wfURL))
	e.SetStr("barracuda.waf.protocol", at(wfProtocol))
	e.SetStr("barracuda.waf.session_id", unquote(at(wfSession)))
	e.SetStr("user_agent.original", unquote(at(wfUserAgent)))
	e.SetIP("network.forwarded_ip", at(wfProxyIP))
	e.SetStr("barracuda.waf.authenticated_user", unquote(at(wfUser)))
	e.SetStr("http.request.referrer", unquote(at(wfReferer)))
	e.SetStr("user.id", at(wfUniqueID))
	return nil
}

// setURL sets url.path and url.query from the request URL.
func setURL(e *normalize.Event, u string) {
	if u == "" || u == "-" {
		return
	}
	e.SetStr("url.original", u)
	path, query, _ := strings.Cut(u, "?")
	e.SetStr("url.path", path)
	e.SetStr("url.query", query)
}

// access parses the leading fields of an access (TR) log: service IP and
// port, client IP and port, login, certificate user, method, protocol,
// host, HTTP version, status.
func access(f []string, e *normalize.Event) error {
	if len(f) < 12 {
		return ErrShort
	}
	e.Dataset = "log.barracuda.access"
	e.SetStrs("event.category", catWeb...)
	e.SetIP("destination.ip", f[1])
	e.SetIntStr("destination.port", f[2])
	e.SetIP("source.ip", f[3])
	e.SetIntStr("source.port", f[4])
	e.SetStr("user.name", unquote(f[5]))
	e.SetStr("http.request.method", f[7])
	e.SetStr("url.scheme", normalize.Lower(f[8]))
	e.SetStr("url.domain", f[9])
	e.SetStr("http.version", strings.TrimPrefix(f[10], "HTTP/"))
	e.SetIntStr("http.response.status_code", f[11])
	return nil
}
