package checkpoint

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Check Point Log Exporter lines. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoFields marks a line without a single key:"value" pair.
var ErrNoFields = errors.New("checkpoint: no key:\"value\" fields")

// maxVendorFields bounds the checkpoint.<key> fields kept per line.
const maxVendorFields = 96

// Name returns "checkpoint".
func (Parser) Name() string { return "checkpoint" }

// Detect accepts a body that starts with `[key:"` (or `key:"` from a
// CheckPoint app).
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if len(b) > 0 && b[0] == '[' {
		b = b[1:]
	} else if m.AppName != "CheckPoint" {
		return false
	}
	for i := 0; i < len(b) && i < 64; i++ {
		c := b[i]
		switch {
		case c == ':':
			return i > 0 && i+1 < len(b) && (b[i+1] == '"' || b[i+1] == ':')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return false
}

var (
	catNetwork     = []string{"network"}
	typeAllowed    = []string{"allowed", "connection"}
	typeDenied     = []string{"denied", "connection"}
	typeConnection = []string{"connection"}
)

// scanner iterates over `key:"value";` pairs; a key may be written with a
// double colon (sys_message::"..."), and values escape ']', '"' and '\'
// with a backslash.
type scanner struct{ s string }

func (sc *scanner) next() (key, value string, escaped, ok bool) {
	s := sc.s
	for len(s) > 0 && (s[0] == ' ' || s[0] == ';' || s[0] == '[') {
		s = s[1:]
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		sc.s = ""
		return "", "", false, false
	}
	key = s[:i]
	s = s[i+1:]
	if len(s) > 0 && s[0] == ':' {
		s = s[1:]
	}
	if len(s) == 0 || s[0] != '"' {
		sc.s = ""
		return "", "", false, false
	}
	s = s[1:]
	j := 0
	for j < len(s) {
		if s[j] == '\\' && j+1 < len(s) {
			escaped = true
			j += 2
			continue
		}
		if s[j] == '"' {
			break
		}
		j++
	}
	if j >= len(s) { // unterminated: the value runs to the end
		value = strings.TrimSuffix(s, "]")
		sc.s = ""
		return key, value, escaped, true
	}
	value = s[:j]
	sc.s = s[j+1:]
	return key, value, escaped, true
}

func unescape(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// validKey reports whether key may become part of a field name.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Parse fills e from a Log Exporter line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	e.Dataset = "log.checkpoint.firewall"
	e.SetStr("observer.vendor", "Checkpoint")
	e.SetStr("observer.type", "firewall")
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	var ifdir, ifname, action, xlatesport, xlatedport string
	n, vendor := 0, 0
	sc := scanner{s: m.Body}
	for {
		k, v, esc, ok := sc.next()
		if !ok {
			break
		}
		n++
		if esc {
			v = unescape(v)
		}
		switch k {
		case "ifdir":
			ifdir = v
		case "ifname":
			ifname = v
		case "action":
			action = v
		case "loguid":
			e.SetStr("event.id", v)
		case "sequencenum":
			e.SetIntStr("event.sequence", v)
		case "origin":
			e.SetStr("observer.name", v)
		case "product":
			e.SetStr("observer.product", v)
		case "src":
			e.SetIP("source.ip", v)
		case "dst":
			e.SetIP("destination.ip", v)
		case "s_port":
			e.SetIntStr("source.port", v)
		case "service":
			e.SetIntStr("destination.port", v)
		case "proto":
			e.SetStr("network.iana_number", v)
			e.SetStr("network.transport", transport(v))
		case "service_id":
			e.SetStr("network.application", v)
		case "layer_name":
			e.SetStr("network.name", v)
		case "rule_uid":
			e.SetStr("rule.uuid", v)
		case "rule_name":
			e.SetStr("rule.name", v)
		case "rule":
			e.SetStr("rule.id", v)
		case "inzone":
			e.SetStr("observer.ingress.zone", v)
		case "outzone":
			e.SetStr("observer.egress.zone", v)
		case "rule_action":
			e.SetStr("checkpoint.rule_action", v)
		case "xlatesrc":
			if v != "0.0.0.0" {
				e.SetIP("source.nat.ip", v)
			}
		case "xlatedst":
			if v != "0.0.0.0" {
				e.SetIP("destination.nat.ip", v)
			}
		case "xlatesport":
			xlatesport = v
		case "xlatedport":
			xlatedport = v
		case "sys_message":
			e.SetStr("checkpoint.sys_message", v)
		case "comment":
			e.SetStr("checkpoint.comment", v)
		case "description":
			e.SetStr("checkpoint.description", v)
		case "status":
			e.SetStr("checkpoint.status", v)
		case "user", "src_user_name":
			e.SetStr("source.user.name", v)
			e.SetStr("user.name", v)
		case "dst_user_name":
			e.SetStr("destination.user.name", v)
		case "src_machine_name":
			e.SetStr("source.domain", v)
		case "dst_machine_name":
			e.SetStr("destination.domain", v)
		case "client_outbound_bytes":
			e.SetIntStr("source.bytes", v)
		case "server_outbound_bytes":
			e.SetIntStr("destination.bytes", v)
		case "bytes":
			e.SetIntStr("network.bytes", v)
		case "client_outbound_packets":
			e.SetIntStr("source.packets", v)
		case "server_outbound_packets":
			e.SetIntStr("destination.packets", v)
		case "packets":
			e.SetIntStr("network.packets", v)
		case "message_info", "msg":
			e.SetStr("message", v)
		case "reason":
			e.SetStr("event.reason", v)
		case "protection_name", "attack":
			e.SetStr("rule.name", v)
		case "resource":
			e.SetStr("url.original", v)
		case "http_host":
			e.SetStr("url.domain", v)
		case "method", "methods":
			e.SetStr("http.request.method", v)
		case "severity":
			e.SetStr("log.level", v)
		case "malware_action", "protection_type", "confidence_level", "attack_info", "smartdefense_profile":
			e.SetStr("checkpoint."+k, v) // threat prevention fields
		default:
			if vendor < maxVendorFields && validKey(k) && !strings.HasPrefix(k, "__") {
				vendor++
				e.SetStr("checkpoint."+k, v)
			}
		}
	}
	if n == 0 {
		return ErrNoFields
	}
	switch ifdir {
	case "inbound":
		e.SetStr("network.direction", "inbound")
		e.SetStr("observer.ingress.interface.name", ifname)
	case "outbound":
		e.SetStr("network.direction", "outbound")
		e.SetStr("observer.egress.interface.name", ifname)
	}
	if xlatesport != "0" && e.Has("source.ip") {
		e.SetIntStr("source.nat.port", xlatesport)
	}
	if xlatedport != "0" && e.Has("destination.ip") {
		e.SetIntStr("destination.nat.port", xlatedport)
	}
	if action != "" {
		e.SetStr("event.action", action)
		switch normalize.Lower(action) {
		case "accept", "allow", "inline", "encrypt", "decrypt", "ask user", "inform user", "detect", "bypass":
			e.SetStrs("event.type", typeAllowed...)
			e.SetStr("event.outcome", "success")
		case "drop", "reject", "block", "prevent", "deny":
			e.SetStrs("event.type", typeDenied...)
			e.SetStr("event.outcome", "failure")
		default:
			e.SetStrs("event.type", typeConnection...)
		}
	}
	return nil
}

func transport(proto string) string {
	switch proto {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "ipv6-icmp"
	case "47":
		return "gre"
	case "50":
		return "esp"
	}
	return ""
}
