package zscaler

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses ZIA NSS JSON feed records. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoEvent marks a record without its "event" object.
var ErrNoEvent = errors.New("zscaler: no event object")

// Name returns "zscaler".
func (Parser) Name() string { return "zscaler" }

// Detect accepts a JSON object whose sourcetype names an NSS feed
// ("zscalernss-web", "zscalernss-fw", ...).
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	return len(b) > 0 && b[0] == '{' && strings.Contains(b, `zscalernss-`) // 'z' first: a fast IndexByte
}

var (
	catWeb     = []string{"web"}
	catNetwork = []string{"network"}
	typeInfo   = []string{"info"}
	typeAllow  = []string{"connection", "allowed"}
	typeDeny   = []string{"connection", "denied"}
)

// Parse fills e from one NSS record.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var feed string
	var event jsonscan.Value
	it := jsonscan.Members(m.Body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		switch k {
		case "sourcetype":
			feed = v.Str()
		case "event":
			event = v
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("zscaler: %w", err)
	}
	if event.Kind != jsonscan.Object {
		return ErrNoEvent
	}
	var r record
	switch feed {
	case "zscalernss-web":
		e.Dataset = "log.zscaler.web"
		r.web = true
	case "zscalernss-fw":
		e.Dataset = "log.zscaler.firewall"
	case "zscalernss-dns":
		e.Dataset = "log.zscaler.dns"
	case "zscalernss-tunnel":
		e.Dataset = "log.zscaler.tunnel"
	default:
		e.Dataset = "log.zscaler.other"
	}
	ev := event.Members()
	for {
		k, v, ok := ev.Next()
		if !ok {
			break
		}
		r.field(k, v.Text(), env, e)
	}
	if err := ev.Err(); err != nil {
		return fmt.Errorf("zscaler: event: %w", err)
	}
	r.finish(e)
	return nil
}

// record collects what decides other fields once the event is read.
type record struct {
	web    bool
	action string
	eurl   string
}

// none reports whether s is one of the placeholders NSS writes for an
// empty field.
func none(s string) bool { return s == "" || s == "None" || s == "NA" || s == "N/A" || s == "-" }

// field maps one NSS field (every value is a string in the JSON feed).
func (r *record) field(k, s string, env *normalize.Env, e *normalize.Event) {
	if none(s) {
		return
	}
	switch k {
	case "time":
		e.Time = nssTime(s, env)
	case "epochtime":
		if e.Time.IsZero() {
			if t, ok := normalize.Epoch(s); ok {
				e.Time = t
			}
		}
	case "action":
		r.action = s
	case "login":
		e.SetStr("user.email", s)
		name, domain, _ := strings.Cut(s, "@")
		e.SetStr("user.name", name)
		e.SetStr("user.domain", domain)
	case "deviceowner":
		e.SetStr("source.user.name", s)
		e.SetStr("zscaler_zia.web.device.owner", s)
	case "devicehostname":
		e.SetStr("host.name", s)
		e.SetStr("zscaler_zia.web.device.hostname", s)
	case "location", "locationname":
		e.SetStr("zscaler_zia.web.location", s)
	case "dept":
		e.SetStr("zscaler_zia.web.department", s)
	case "rulelabel":
		e.SetStr("rule.name", s)
	case "ruletype":
		e.SetStr("rule.ruleset", s)
	case "riskscore":
		if n, ok := normalize.Atoi(s); ok {
			e.SetInt("event.risk_score", n)
		}
	// Web feed.
	case "cip":
		e.SetIP("source.nat.ip", s) // the client's public address, as Elastic maps it
	case "cintip":
		e.SetIP("source.ip", s)
	case "sip":
		e.SetIP("destination.ip", s)
	case "proto":
		if r.web {
			e.SetStr("network.protocol", protocol(s))
		} else {
			e.SetStr("network.transport", normalize.Lower(s))
		}
	case "eurl", "url":
		r.eurl = s
	case "reqmethod":
		e.SetStr("http.request.method", s)
	case "reqsize":
		e.SetIntStr("http.request.bytes", s)
	case "respsize":
		e.SetIntStr("http.response.bytes", s)
	case "respcode":
		e.SetIntStr("http.response.status_code", s)
	case "contenttype":
		e.SetStr("http.request.mime_type", s) // Elastic's choice; it is the response's type
	case "ereferer", "referer":
		e.SetStr("http.request.referrer", s)
	case "ua":
		e.SetStr("user_agent.original", s)
	case "urlcat":
		e.SetStr("zscaler_zia.web.url.category.sub", s)
	case "urlsupercat":
		e.SetStr("zscaler_zia.web.url.category.super", s)
	case "urlclass":
		e.SetStr("zscaler_zia.web.url.class", s)
	case "appname":
		e.SetStr("zscaler_zia.web.app.name", s)
	case "appclass":
		e.SetStr("zscaler_zia.web.app.class", s)
	case "malwarecat":
		e.SetStr("zscaler_zia.web.malware.category", s)
	case "threatname":
		e.SetStr("zscaler_zia.web.threat.name", s)
	case "dlpeng":
		e.SetStr("zscaler_zia.web.dlp.engine", s)
	case "dlpdict":
		e.SetStr("zscaler_zia.web.dlp.dictionaries", s)
	case "unscannabletype":
		e.SetStr("zscaler_zia.web.unscannable.type", s)
	case "stime":
		e.SetIntStr("zscaler_zia.web.server_transaction_time", s)
	case "ctime":
		e.SetIntStr("zscaler_zia.web.client_transaction_time", s)
	// Firewall and DNS feeds.
	case "csip":
		e.SetIP("source.ip", s)
	case "csport":
		e.SetIntStr("source.port", s)
	case "cdip":
		e.SetIP("destination.ip", s)
	case "cdport":
		e.SetIntStr("destination.port", s)
	case "cdfqdn":
		e.SetStr("destination.domain", s)
	case "req":
		e.SetStr("dns.question.name", s)
	case "reqtype":
		e.SetStr("dns.question.type", s)
	}
}

// protocol lower-cases the web feed's protocol without allocating for the
// usual ones.
func protocol(s string) string {
	switch s {
	case "HTTP":
		return "http"
	case "HTTPS":
		return "https"
	case "HTTP_PROXY":
		return "http_proxy"
	case "SSL":
		return "ssl"
	case "FTP":
		return "ftp"
	}
	return normalize.Lower(s)
}

func (r *record) finish(e *normalize.Event) {
	e.SetStr("event.kind", "event")
	if r.web {
		e.SetStrs("event.category", catWeb...)
		e.SetStrs("event.type", typeInfo...)
	} else {
		e.SetStrs("event.category", catNetwork...)
		switch {
		case strings.EqualFold(r.action, "allow") || strings.EqualFold(r.action, "allowed"):
			e.SetStrs("event.type", typeAllow...)
		case strings.EqualFold(r.action, "block") || strings.EqualFold(r.action, "blocked") || strings.EqualFold(r.action, "drop"):
			e.SetStrs("event.type", typeDeny...)
		default:
			e.SetStrs("event.type", typeInfo...)
		}
	}
	switch r.action {
	case "Blocked":
		e.SetStr("event.action", "blocked")
	case "Allowed":
		e.SetStr("event.action", "allowed")
	default:
		e.SetStr("event.action", normalize.Lower(r.action))
	}
	if r.eurl != "" {
		// NSS writes the URL without its scheme ("www.example.com/a/b.php");
		// Elastic keeps it whole as url.path, and so do we for searches to
		// agree, adding the host as url.domain.
		e.SetStr("url.original", r.eurl)
		e.SetStr("url.path", r.eurl)
		host := r.eurl
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if h, _, ok := strings.Cut(host, ":"); ok {
			host = h
		}
		e.SetStr("url.domain", host)
		e.SetStr("url.extension", extension(r.eurl))
	}
}

// extension returns the file extension of the URL's last path segment
// ("www.example.com/a/b.php?x" gives "php"; a URL that is only a host
// gives its last label, as Elastic does).
func extension(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		u = u[i+1:]
	}
	if i := strings.LastIndexByte(u, '.'); i >= 0 && i+1 < len(u) {
		return u[i+1:]
	}
	return ""
}

// nssTime parses NSS's "Fri Dec 31 07:07:07 2021" (weekday, no zone: the
// listener's zone).
func nssTime(s string, env *normalize.Env) time.Time {
	if len(s) > 4 && s[3] == ' ' {
		if _, ok := normalize.Month(s[4:]); ok {
			s = s[4:]
		}
	}
	t, n := normalize.ParseBSD(s, env)
	if n == 0 {
		t, n = normalize.ParseISO(s, env)
		if n == 0 {
			return time.Time{}
		}
	}
	return t
}
