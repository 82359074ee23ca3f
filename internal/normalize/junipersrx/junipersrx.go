package junipersrx

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Junos structured-data security logs. The zero value is
// ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoSD marks a line without a junos@ structured-data element.
var ErrNoSD = errors.New("junipersrx: no junos@ structured data")

// Name returns "junipersrx".
func (Parser) Name() string { return "junipersrx" }

// Detect accepts an RFC 5424 line with a junos@ SD element.
func (Parser) Detect(m *normalize.Message) bool {
	_, ok := junosSD(m)
	return ok
}

func junosSD(m *normalize.Message) (map[string]string, bool) {
	for id, p := range m.StructuredData {
		if strings.HasPrefix(id, "junos@") {
			return p, true
		}
	}
	return nil, false
}

var severityNames = [...]string{"emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"}

var (
	catNetwork     = []string{"network"}
	catIDS         = []string{"network", "intrusion_detection"}
	catMalware     = []string{"network", "malware"}
	typeStart      = []string{"start", "allowed", "connection"}
	typeEnd        = []string{"end", "allowed", "connection"}
	typeDenied     = []string{"denied", "connection"}
	typeInfo       = []string{"info"}
	typeDeniedOnly = []string{"denied"}
	typeAllowed    = []string{"allowed"}
)

// flowActions maps a tag to Elastic's event.action and event.type.
var flowActions = map[string]struct {
	action string
	types  []string
}{
	"RT_FLOW_SESSION_CREATE":      {"flow_started", typeStart},
	"RT_FLOW_SESSION_CREATE_LS":   {"flow_started", typeStart},
	"RT_FLOW_SESSION_CLOSE":       {"flow_close", typeEnd},
	"RT_FLOW_SESSION_CLOSE_LS":    {"flow_close", typeEnd},
	"RT_FLOW_SESSION_DENY":        {"flow_deny", typeDenied},
	"RT_FLOW_SESSION_DENY_LS":     {"flow_deny", typeDenied},
	"APPTRACK_SESSION_CREATE":     {"apptrack_session_create", typeStart},
	"APPTRACK_SESSION_CLOSE":      {"apptrack_session_close", typeEnd},
	"APPTRACK_SESSION_VOL_UPDATE": {"apptrack_session_vol_update", typeInfo},
}

// Parse fills e from a Junos structured-data line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	p, ok := junosSD(m)
	if !ok {
		return ErrNoSD
	}
	tag := m.MsgID
	e.Dataset = "log.juniper_srx"
	e.SetStr("observer.vendor", "Juniper")
	e.SetStr("observer.product", "SRX")
	e.SetStr("observer.type", "firewall")
	e.SetStr("observer.name", m.Hostname)
	e.SetStr("juniper.srx.tag", tag)
	e.SetStr("juniper.srx.process", m.AppName)
	e.SetStr("event.kind", "event")
	e.SetStr("event.outcome", "success")
	if m.Priority >= 0 {
		// Elastic puts the syslog priority in event.severity.
		e.SetInt("event.severity", int64(m.Priority))
		e.SetStr("log.level", severityNames[m.Severity()])
	}
	e.Time = m.Time
	get := func(k string) string {
		v := p[k]
		if v == "N/A" || v == "None" || v == "UNKNOWN" {
			return ""
		}
		return strings.TrimSpace(v)
	}
	e.SetIP("source.ip", get("source-address"))
	e.SetIntStr("source.port", get("source-port"))
	e.SetIP("destination.ip", get("destination-address"))
	e.SetIntStr("destination.port", get("destination-port"))
	if ip := get("nat-source-address"); ip != "" && ip != "0.0.0.0" {
		e.SetIP("source.nat.ip", ip)
		e.SetIntStr("source.nat.port", get("nat-source-port"))
	}
	if ip := get("nat-destination-address"); ip != "" && ip != "0.0.0.0" {
		e.SetIP("destination.nat.ip", ip)
		e.SetIntStr("destination.nat.port", get("nat-destination-port"))
	}
	if proto := get("protocol-id"); proto != "" {
		e.SetStr("network.iana_number", proto)
		e.SetStr("network.transport", transport(proto))
	} else if name := get("protocol-name"); name != "" {
		e.SetStr("network.transport", normalize.Lower(name))
	}
	e.SetStr("rule.name", get("policy-name"))
	e.SetStr("observer.ingress.zone", get("source-zone-name"))
	e.SetStr("observer.egress.zone", get("destination-zone-name"))
	e.SetStr("observer.ingress.interface.name", get("packet-incoming-interface"))
	e.SetStr("network.application", get("application"))
	e.SetStr("source.user.name", get("username"))
	e.SetStr("juniper.srx.session_id_32", get("session-id-32"))
	e.SetStr("juniper.srx.reason", get("reason"))
	e.SetStr("juniper.srx.service_name", get("service-name"))
	e.SetStr("juniper.srx.nested_application", get("nested-application"))
	if f, ok := normalize.Atof(get("application-risk")); ok {
		e.SetFloat("event.risk_score", f)
	}
	var bytes, packets int64
	var counted bool
	for _, c := range [...]struct{ key, name string }{
		{"bytes-from-client", "source.bytes"}, {"packets-from-client", "source.packets"},
		{"bytes-from-server", "destination.bytes"}, {"packets-from-server", "destination.packets"},
	} {
		if n, ok := normalize.Atoi(get(c.key)); ok {
			e.SetInt(c.name, n)
			counted = true
			if strings.HasPrefix(c.key, "bytes") {
				bytes += n
			} else {
				packets += n
			}
		}
	}
	if counted {
		e.SetInt("network.bytes", bytes)
		e.SetInt("network.packets", packets)
	}
	if secs, ok := normalize.Atoi(get("elapsed-time")); ok {
		d := time.Duration(secs) * time.Second
		e.SetInt("event.duration", int64(d))
		if !m.Time.IsZero() {
			// Elastic's choice: the log time starts the session.
			e.SetTime("event.start", m.Time)
			e.SetTime("event.end", m.Time.Add(d))
		}
	}
	switch {
	case flowActions[tag].action != "":
		a := flowActions[tag]
		e.SetStr("event.action", a.action)
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", a.types...)
	case strings.HasPrefix(tag, "IDP_"):
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catIDS...)
		e.SetStr("rule.name", get("attack-name"))
		e.SetStr("juniper.srx.threat_severity", get("threat-severity"))
		action := get("action")
		e.SetStr("event.action", normalize.Lower(tag))
		if action == "DROP" || action == "CLOSE" || action == "DROP_PACKET" || strings.HasPrefix(action, "CLOSE") {
			e.SetStrs("event.type", typeDeniedOnly...)
		} else {
			e.SetStrs("event.type", typeAllowed...)
		}
		e.SetStr("message", get("message"))
	case strings.HasPrefix(tag, "RT_SCREEN_"):
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catIDS...)
		e.SetStrs("event.type", typeDeniedOnly...)
		e.SetStr("event.action", normalize.Lower(tag))
		e.SetStr("rule.name", get("attack-name"))
		e.SetStr("message", get("message"))
	case strings.HasPrefix(tag, "WEBFILTER_"):
		e.SetStrs("event.category", catNetwork...)
		e.SetStr("event.action", normalize.Lower(tag))
		e.SetStr("url.domain", get("url"))
		e.SetStr("url.path", get("obj"))
		e.SetStr("rule.category", get("category"))
		e.SetStr("event.reason", get("reason"))
		if strings.Contains(tag, "BLOCKED") {
			e.SetStrs("event.type", typeDeniedOnly...)
		} else {
			e.SetStrs("event.type", typeAllowed...)
		}
	case strings.HasPrefix(tag, "AV_"):
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catMalware...)
		e.SetStr("event.action", normalize.Lower(tag))
		e.SetStr("rule.name", get("virus-name"))
		e.SetStr("url.domain", get("url"))
		e.SetStr("file.name", get("file-name"))
	default:
		e.SetStrs("event.category", catNetwork...)
		e.SetStr("event.action", normalize.Lower(tag))
		e.SetStr("message", get("message"))
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
	case "132":
		return "sctp"
	}
	return ""
}
