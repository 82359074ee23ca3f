package sonicwall

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses SonicOS key=value lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoID marks a line without the m= message id.
var ErrNoID = errors.New("sonicwall: no m= message id")

// Name returns "sonicwall".
func (Parser) Name() string { return "sonicwall" }

// Detect accepts a body starting with id= that has sn= and m= fields.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if !strings.HasPrefix(b, "id=") {
		return false
	}
	head := b[:min(len(b), 300)]
	return strings.Contains(head, " sn=") && strings.Contains(head, " m=")
}

var levels = [...]string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"}

var (
	catNetwork   = []string{"network"}
	catAuth      = []string{"authentication"}
	catWeb       = []string{"network", "web"}
	catIDS       = []string{"network", "intrusion_detection"}
	typeStart    = []string{"connection", "start"}
	typeEnd      = []string{"connection", "end"}
	typeLogin    = []string{"start", "info"}
	typeDenied   = []string{"connection", "denied"}
	typeAccess   = []string{"access", "allowed"}
	typeInfo     = []string{"info"}
	typeDeniedID = []string{"denied"}
)

type fields struct {
	clock, msg, id, proto string
	sent, rcvd            int64
	hasSent, hasRcvd      bool
}

// Parse fills e from a SonicOS line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var f fields
	e.Dataset = "log.sonicwall.firewall"
	e.SetStr("observer.vendor", "SonicWall")
	e.SetStr("observer.product", "SonicOS")
	e.SetStr("observer.type", "firewall")
	e.SetStr("event.kind", "event")
	e.SetStr("event.outcome", "success")
	kv := normalize.NewKV(m.Body)
	for {
		k, v, ok := kv.Next()
		if !ok {
			break
		}
		switch k {
		case "id":
			e.SetStr("observer.name", v)
		case "sn":
			e.SetStr("observer.serial_number", v)
		case "time":
			f.clock = v
		case "fw":
			e.SetIP("observer.ip", v)
		case "pri":
			e.SetStr("event.severity", v)
			if n, ok := normalize.Atoi(v); ok && n >= 0 && n < int64(len(levels)) {
				e.SetStr("log.level", levels[n])
			}
		case "c":
			e.SetStr("sonicwall.firewall.event_group_category", v)
		case "m":
			f.id = v
			e.SetStr("event.code", v)
		case "msg":
			f.msg = v
			e.SetStr("message", v)
		case "n":
			e.SetStr("event.sequence", v)
		case "src":
			endpoint(e, v, true)
		case "dst":
			endpoint(e, v, false)
		case "srcMac":
			e.SetStr("source.mac", normalize.FormatMAC(v))
		case "dstMac":
			e.SetStr("destination.mac", normalize.FormatMAC(v))
		case "natSrc":
			ip, port, _ := splitAddr(v)
			e.SetIP("source.nat.ip", ip)
			e.SetIntStr("source.nat.port", port)
		case "natDst":
			ip, port, _ := splitAddr(v)
			e.SetIP("destination.nat.ip", ip)
			e.SetIntStr("destination.nat.port", port)
		case "proto":
			f.proto = v
		case "sent":
			f.sent, f.hasSent = normalize.Atoi(v)
		case "rcvd":
			f.rcvd, f.hasRcvd = normalize.Atoi(v)
		case "spkt":
			e.SetIntStr("source.packets", v)
		case "rpkt":
			e.SetIntStr("destination.packets", v)
		case "vpnpolicy":
			e.SetStr("sonicwall.firewall.vpnpolicy", v)
		case "usr", "user":
			e.SetStr("user.name", v)
		case "app", "appName":
			if _, isNum := normalize.Atoi(v); !isNum {
				e.SetStr("network.application", v)
			}
		case "dstname":
			e.SetStr("destination.domain", v)
			e.SetStr("url.domain", v)
		case "arg":
			e.SetStr("url.path", v)
		case "rule":
			e.SetStr("rule.name", v)
		case "note":
			e.SetStr("event.reason", v)
		case "Category":
			e.SetStr("rule.category", v)
		case "fw_action":
			e.SetStr("sonicwall.firewall.fw_action", strings.Trim(v, `"`))
		case "ipscat":
			e.SetStr("rule.category", v)
		case "ipspri":
			e.SetStr("sonicwall.firewall.ipspri", v)
		}
	}
	if f.id == "" {
		return ErrNoID
	}
	if t, ok := normalize.LocalDateTime(f.clock, env.Loc()); ok {
		e.Time = t
		e.SetStr("event.timezone", t.Format("-07:00"))
	}
	if transport, service, ok := strings.Cut(f.proto, "/"); ok || f.proto != "" {
		e.SetStr("network.transport", normalize.Lower(transport))
		if _, isNum := normalize.Atoi(service); !isNum && service != "" {
			e.SetStr("network.protocol", normalize.Lower(service))
		}
	}
	if f.hasSent {
		e.SetInt("source.bytes", f.sent)
	}
	if f.hasRcvd {
		e.SetInt("destination.bytes", f.rcvd)
	}
	if f.hasSent || f.hasRcvd {
		e.SetInt("network.bytes", f.sent+f.rcvd)
	}
	classify(e, f.id, f.msg)
	return nil
}

// classify sets event.action, category and type from the message id
// (SonicOS's log event reference) or, for ids not listed, the message.
func classify(e *normalize.Event, id, msg string) {
	switch id {
	case "98":
		e.SetStr("event.action", "connection-start")
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeStart...)
		return
	case "537":
		e.SetStr("event.action", "connection-end")
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeEnd...)
		return
	case "97":
		e.SetStr("event.action", "web-request")
		e.SetStrs("event.category", catWeb...)
		e.SetStrs("event.type", typeAccess...)
		return
	}
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "login") || strings.Contains(lower, "logged in") || strings.Contains(lower, "authentication"):
		e.SetStrs("event.category", catAuth...)
		e.SetStrs("event.type", typeLogin...)
		if strings.Contains(lower, "denied") || strings.Contains(lower, "fail") || strings.Contains(lower, "bad") || strings.Contains(lower, "invalid") {
			e.SetStr("event.action", "login-failure")
			e.SetStr("event.outcome", "failure")
		} else {
			e.SetStr("event.action", "login-success")
		}
	case strings.Contains(lower, "ips detection") || strings.Contains(lower, "ips prevention") || strings.Contains(lower, "attack") || strings.Contains(lower, "port scan"):
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catIDS...)
		e.SetStrs("event.type", pick(strings.Contains(lower, "prevention") || strings.Contains(lower, "drop"), typeDeniedID, typeInfo)...)
		e.SetStr("event.action", "intrusion-detection")
	case strings.Contains(lower, "dropped") || strings.Contains(lower, "blocked") || strings.Contains(lower, "denied"):
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeDenied...)
		e.SetStr("event.action", "connection-denied")
	default:
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeInfo...)
	}
}

func pick(cond bool, a, b []string) []string {
	if cond {
		return a
	}
	return b
}

// splitAddr splits "ip:port[:interface[:host]]"; IPv6 addresses are not
// written this way by SonicOS, which logs them in brackets or alone.
func splitAddr(v string) (ip, port, iface string) {
	if strings.HasPrefix(v, "[") {
		if i := strings.IndexByte(v, ']'); i > 0 {
			ip, v = v[1:i], strings.TrimPrefix(v[i+1:], ":")
			port, iface, _ = strings.Cut(v, ":")
			iface, _, _ = strings.Cut(iface, ":")
			return ip, port, iface
		}
	}
	if strings.Count(v, ":") > 3 { // a bare IPv6 address
		return v, "", ""
	}
	ip, rest, _ := strings.Cut(v, ":")
	port, rest, _ = strings.Cut(rest, ":")
	iface, _, _ = strings.Cut(rest, ":")
	return ip, port, iface
}

func endpoint(e *normalize.Event, v string, src bool) {
	ip, port, iface := splitAddr(v)
	if src {
		e.SetIP("source.ip", ip)
		e.SetIntStr("source.port", port)
		e.SetStr("observer.ingress.interface.name", iface)
	} else {
		e.SetIP("destination.ip", ip)
		e.SetIntStr("destination.port", port)
		e.SetStr("observer.egress.interface.name", iface)
	}
}
