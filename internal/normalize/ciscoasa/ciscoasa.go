package ciscoasa

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Cisco ASA and FTD messages. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrHeader marks a line whose %ASA-sev-id: tag cannot be read.
var ErrHeader = errors.New("ciscoasa: malformed %ASA-<severity>-<id> tag")

// Name returns "ciscoasa".
func (Parser) Name() string { return "ciscoasa" }

// Detect accepts a body that starts (or, after a relay's second header,
// continues) with a %ASA-, %FTD-, %FWSM- or %PIX- tag.
func (Parser) Detect(m *normalize.Message) bool {
	_, ok := findTag(m.Body)
	return ok
}

// findTag returns the body from its %ASA-style tag on.
func findTag(b string) (string, bool) {
	head := b[:min(len(b), 160)]
	for off := 0; ; {
		i := strings.IndexByte(head[off:], '%')
		if i < 0 {
			return "", false
		}
		i += off
		if i == 0 || head[i-1] == ' ' || head[i-1] == ':' {
			t := b[i+1:]
			if strings.HasPrefix(t, "ASA-") || strings.HasPrefix(t, "FTD-") || strings.HasPrefix(t, "FWSM-") || strings.HasPrefix(t, "PIX-") {
				return b[i:], true
			}
		}
		off = i + 1
	}
}

var severityNames = [...]string{"emergencies", "alert", "critical", "error", "warning", "notification", "informational", "debugging"}

// tag is the parsed "%ASA-session-5-106100:" prefix.
type tag struct {
	product, suffix, id string
	severity            int
	text                string // the message after the tag
}

func parseTag(b string) (tag, bool) {
	var t tag
	colon := strings.Index(b, ": ")
	if colon < 0 {
		if !strings.HasSuffix(b, ":") {
			return t, false
		}
		colon = len(b) - 1
		t.text = ""
	} else {
		t.text = b[colon+2:]
	}
	head := b[1:colon] // ASA-session-5-106100
	dash := strings.IndexByte(head, '-')
	if dash < 0 {
		return t, false
	}
	t.product = head[:dash]
	rest := head[dash+1:]
	last := strings.LastIndexByte(rest, '-')
	if last < 0 {
		return t, false
	}
	t.id = rest[last+1:]
	rest = rest[:last]
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		t.suffix, rest = rest[:i], rest[i+1:]
	}
	if len(rest) != 1 || rest[0] < '0' || rest[0] > '7' {
		return t, false
	}
	t.severity = int(rest[0] - '0')
	if _, ok := normalize.Atoi(t.id); !ok || len(t.id) != 6 {
		return t, false
	}
	return t, true
}

var (
	catNetwork        = []string{"network"}
	catNetworkConfig  = []string{"network", "configuration"}
	catAuth           = []string{"authentication"}
	catIDS            = []string{"network", "intrusion_detection"}
	catMalware        = []string{"network", "malware"}
	typeConnDenied    = []string{"connection", "denied"}
	typeConnAllowed   = []string{"connection", "allowed"}
	typeConnStart     = []string{"connection", "start"}
	typeConnEnd       = []string{"connection", "end"}
	typeCreation      = []string{"creation"}
	typeDeletion      = []string{"deletion"}
	typeStartAllowed  = []string{"connection", "start", "allowed"}
	typeStartDenied   = []string{"connection", "start", "denied"}
	typeEndAllowed    = []string{"connection", "end", "allowed"}
	typeEndDenied     = []string{"connection", "end", "denied"}
	typeInfo          = []string{"info"}
	typeStartSession  = []string{"start"}
	typeEndSession    = []string{"end"}
	typeAllowedAccess = []string{"allowed"}
	typeDeniedAccess  = []string{"denied"}
)

// Parse fills e from an ASA or FTD message.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	b, ok := findTag(m.Body)
	if !ok {
		return ErrHeader
	}
	t, ok := parseTag(b)
	if !ok {
		return ErrHeader
	}
	ftd := t.product == "FTD"
	if ftd {
		e.Dataset = "log.cisco_ftd"
		e.SetStr("observer.product", "ftd")
		e.SetStr("observer.type", "idps")
	} else {
		e.Dataset = "log.cisco_asa"
		e.SetStr("observer.product", "asa")
		e.SetStr("observer.type", "firewall")
	}
	e.SetStr("observer.vendor", "Cisco")
	e.SetStr("event.kind", "event")
	e.SetStr("event.outcome", "success")
	e.SetStr("event.code", t.id)
	e.SetInt("event.severity", int64(t.severity))
	e.SetStr("log.level", severityNames[t.severity])
	if t.suffix != "" {
		if ftd {
			e.SetStr("cisco.ftd.suffix", t.suffix)
		} else {
			e.SetStr("cisco.asa.suffix", t.suffix)
		}
	}
	e.SetStr("host.hostname", m.Hostname)
	e.SetStr("observer.hostname", m.Hostname)
	e.Time = m.Time
	ns := "cisco.asa."
	if ftd {
		ns = "cisco.ftd."
	}
	c := msgContext{e: e, now: m.Time, ns: ns}
	if !c.message(t) {
		e.SetStr("message", t.text)
	}
	return nil
}

// msgContext carries what the message handlers share.
type msgContext struct {
	e   *normalize.Event
	now time.Time
	ns  string // "cisco.asa." or "cisco.ftd."
}

func (c *msgContext) ruleName(v string) {
	if c.ns == "cisco.ftd." {
		c.e.SetStr("cisco.ftd.rule_name", v)
	} else {
		c.e.SetStr("cisco.asa.rule_name", v)
	}
}

func (c *msgContext) connectionID(v string) {
	if c.ns == "cisco.ftd." {
		c.e.SetStr("cisco.ftd.connection_id", v)
	} else {
		c.e.SetStr("cisco.asa.connection_id", v)
	}
}
