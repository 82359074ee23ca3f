package sophosxg

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses SFOS key=value lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoLogID marks a line without the log_id every SFOS log carries.
var ErrNoLogID = errors.New("sophosxg: no log_id")

// Name returns "sophosxg".
func (Parser) Name() string { return "sophosxg" }

// Detect accepts a body starting with device= that carries a log_id=.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if !strings.HasPrefix(b, "device=") {
		return false
	}
	return strings.Contains(b[:min(len(b), 400)], " log_id=")
}

// priorities maps SFOS priority names to syslog severities.
var priorities = map[string]struct {
	sev   int64
	level string
}{
	"Emergency":   {0, "emergency"},
	"Alert":       {1, "alert"},
	"Critical":    {2, "critical"},
	"Error":       {3, "error"},
	"Warning":     {4, "warning"},
	"Notice":      {5, "notice"},
	"Information": {6, "informational"},
	"Debug":       {7, "debug"},
}

var (
	catNetwork       = []string{"network"}
	catIDS           = []string{"intrusion_detection", "network"}
	catMalware       = []string{"malware", "network"}
	catAuth          = []string{"authentication"}
	typeEndAllowed   = []string{"end", "allowed", "connection"}
	typeStartAllowed = []string{"start", "allowed", "connection"}
	typeAllowed      = []string{"allowed", "connection"}
	typeDenied       = []string{"denied", "connection"}
	typeInfoDenied   = []string{"info", "denied", "connection"}
	typeInfo         = []string{"info"}
)

type fields struct {
	date, clock                           string
	logType, component, subtype, connevnt string
	srcZoneType, dstZoneType              string
	application                           string
	sent, recv, sentPkts, recvPkts        int64
	hasSent, hasRecv, hasPkts             bool
}

// Parse fills e from an SFOS line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var f fields
	e.SetStr("observer.vendor", "Sophos")
	e.SetStr("observer.product", "XG")
	e.SetStr("observer.type", "firewall")
	e.SetStr("event.kind", "event")
	e.SetStr("event.outcome", "success")
	logID := ""
	kv := normalize.NewKV(m.Body)
	for {
		k, v, ok := kv.Next()
		if !ok {
			break
		}
		switch k {
		case "date":
			f.date = v
		case "time":
			f.clock = v
		case "device_name":
			e.SetStr("observer.name", v)
		case "device_id":
			e.SetStr("observer.serial_number", v)
		case "log_id":
			logID = v
		case "log_type":
			f.logType = v
		case "log_component":
			f.component = v
		case "log_subtype":
			f.subtype = v
		case "status":
			e.SetStr("sophos.xg.status", v)
		case "priority":
			if p, ok := priorities[v]; ok {
				e.SetInt("event.severity", p.sev)
				e.SetStr("log.level", p.level)
			}
		case "duration":
			if n, ok := normalize.Atoi(v); ok {
				e.SetInt("event.duration", n*int64(time.Second))
			}
		case "fw_rule_id":
			if f.logType != "Anti-Spam" {
				e.SetStr("rule.id", v)
			}
		case "policy_type":
			e.SetStr("rule.ruleset", v)
		case "user_name":
			e.SetStr("source.user.name", v)
		case "user_gp":
			e.SetStr("source.user.group.name", v)
		case "application":
			f.application = v
		case "in_interface":
			e.SetStr("observer.ingress.interface.name", v)
		case "out_interface":
			e.SetStr("observer.egress.interface.name", v)
		case "src_mac":
			e.SetStr("source.mac", normalize.FormatMAC(v))
		case "dst_mac":
			e.SetStr("destination.mac", normalize.FormatMAC(v))
		case "src_ip":
			e.SetIP("source.ip", v)
		case "dst_ip":
			e.SetIP("destination.ip", v)
		case "protocol":
			e.SetStr("network.transport", normalize.Lower(v))
		case "src_port":
			e.SetIntStr("source.port", v)
		case "dst_port":
			e.SetIntStr("destination.port", v)
		case "sent_pkts":
			f.sentPkts, _ = normalize.Atoi(v)
			f.hasPkts = true
		case "recv_pkts":
			f.recvPkts, _ = normalize.Atoi(v)
			f.hasPkts = true
		case "sent_bytes":
			f.sent, f.hasSent = normalize.Atoi(v)
		case "recv_bytes":
			f.recv, f.hasRecv = normalize.Atoi(v)
		case "tran_src_ip":
			e.SetIP("source.nat.ip", v)
		case "tran_src_port":
			e.SetIntStr("source.nat.port", v)
		case "tran_dst_ip":
			e.SetIP("destination.nat.ip", v)
		case "tran_dst_port":
			e.SetIntStr("destination.nat.port", v)
		case "srczonetype":
			f.srcZoneType = v
		case "dstzonetype":
			f.dstZoneType = v
		case "srczone":
			e.SetStr("observer.ingress.zone", v)
		case "dstzone":
			e.SetStr("observer.egress.zone", v)
		case "connevent":
			f.connevnt = v
		case "connid":
			e.SetStr("sophos.xg.connid", v)
		case "hb_health":
			if v != "No Heartbeat" {
				e.SetStr("sophos.xg.hb_health", v)
			}
		case "appresolvedby":
			e.SetStr("sophos.xg.appresolvedby", v)
		case "message":
			e.SetStr("message", v)
		case "reason":
			e.SetStr("event.reason", v)
		case "from_email_address":
			e.SetStr("source.user.email", v)
			if v != "" {
				e.SetStrs("email.from.address", v)
			}
		case "to_email_address":
			e.SetStr("destination.user.email", v)
			if v != "" {
				e.SetStrs("email.to.address", v)
			}
		case "email_subject":
			e.SetStr("email.subject", v)
		case "src_domainname":
			e.SetStr("source.domain", v)
		case "dst_domainname":
			e.SetStr("destination.domain", v)
		case "url":
			e.SetStr("url.original", v)
		case "domain":
			e.SetStr("url.domain", v)
		case "category":
			e.SetStr("rule.category", v)
		case "user_agent":
			e.SetStr("user_agent.original", v)
		case "http_status", "httpresponsecode":
			e.SetIntStr("http.response.status_code", v)
		case "signature_id":
			e.SetStr("rule.id", v)
		case "signature_msg":
			e.SetStr("rule.name", v)
		case "virus":
			e.SetStr("rule.name", v)
		case "filename":
			e.SetStr("file.name", v)
		case "classification":
			e.SetStr("rule.category", v)
		}
	}
	if logID == "" {
		return ErrNoLogID
	}
	e.SetStr("sophos.xg.log_id", logID)
	if len(logID) >= 5 {
		e.SetStr("event.code", logID[len(logID)-5:])
	}
	e.SetStr("sophos.xg.log_type", f.logType)
	e.SetStr("sophos.xg.log_component", f.component)
	e.SetStr("sophos.xg.log_subtype", f.subtype)
	if t, ok := normalize.LocalTime(f.date, f.clock, env.Loc()); ok {
		e.Time = t
	}
	if f.hasSent {
		e.SetInt("source.bytes", f.sent)
	}
	if f.hasRecv {
		e.SetInt("destination.bytes", f.recv)
	}
	if f.hasSent || f.hasRecv {
		e.SetInt("network.bytes", f.sent+f.recv)
	}
	if f.hasPkts {
		e.SetInt("source.packets", f.sentPkts)
		e.SetInt("destination.packets", f.recvPkts)
		e.SetInt("network.packets", f.sentPkts+f.recvPkts)
	}
	switch {
	case f.srcZoneType == "LAN" && f.dstZoneType == "WAN":
		e.SetStr("network.direction", "outbound")
	case f.srcZoneType == "WAN" && (f.dstZoneType == "LAN" || f.dstZoneType == "DMZ"):
		e.SetStr("network.direction", "inbound")
	case f.srcZoneType == "LAN" && f.dstZoneType == "LAN":
		e.SetStr("network.direction", "internal")
	}
	if f.application != "" {
		e.SetStr("network.protocol", normalize.Lower(f.application))
	}
	denied := f.subtype == "Denied" || f.subtype == "Drop" || f.subtype == "Blocked" || f.subtype == "Spam" || f.subtype == "Virus"
	switch f.logType {
	case "Firewall":
		e.Dataset = "log.sophos_xg.firewall"
		e.SetStr("event.action", normalize.Lower(f.subtype))
		if f.component == "Heartbeat" {
			e.SetStr("event.kind", "alert")
			e.SetStrs("event.category", catIDS...)
		} else {
			e.SetStrs("event.category", catNetwork...)
		}
		switch {
		case denied:
			e.SetStrs("event.type", typeDenied...)
		case f.connevnt == "Stop":
			e.SetStrs("event.type", typeEndAllowed...)
		case f.connevnt == "Start":
			e.SetStrs("event.type", typeStartAllowed...)
		default:
			e.SetStrs("event.type", typeAllowed...)
		}
	case "Anti-Spam", "Anti-Virus", "ATP", "Sandbox":
		e.Dataset = dataset(f.logType)
		e.SetStr("event.action", f.subtype)
		if f.component == "SMTP" || f.component == "POP3" || f.component == "IMAP" || f.component == "HTTP" || f.component == "FTP" {
			e.SetStr("network.protocol", normalize.Lower(f.component))
		}
		if denied {
			e.SetStr("event.kind", "alert")
			e.SetStrs("event.category", catMalware...)
			e.SetStrs("event.type", typeInfoDenied...)
		} else {
			e.SetStrs("event.category", catNetwork...)
			e.SetStrs("event.type", typeAllowed...)
		}
	case "IDP":
		e.Dataset = "log.sophos_xg.idp"
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catIDS...)
		e.SetStr("event.action", normalize.Lower(f.subtype))
		e.SetStrs("event.type", pick(denied, typeDenied, typeAllowed)...)
	case "Event":
		e.Dataset = "log.sophos_xg.event"
		e.SetStr("event.action", f.subtype)
		if f.component == "Authentication" || strings.Contains(f.component, "Authentication") {
			e.SetStrs("event.category", catAuth...)
			if strings.HasPrefix(e.GetStr("sophos.xg.status"), "Fail") {
				e.SetStr("event.outcome", "failure")
			}
		}
		e.SetStrs("event.type", typeInfo...)
	default: // Content Filtering, WAF, System Health, ...
		e.Dataset = "log.sophos_xg.other"
		e.SetStrs("event.category", catNetwork...)
		e.SetStr("event.action", normalize.Lower(f.subtype))
		e.SetStrs("event.type", pick(denied, typeDenied, typeAllowed)...)
	}
	return nil
}

func dataset(logType string) string {
	switch logType {
	case "Anti-Spam":
		return "log.sophos_xg.anti_spam"
	case "Anti-Virus":
		return "log.sophos_xg.anti_virus"
	case "ATP":
		return "log.sophos_xg.atp"
	}
	return "log.sophos_xg.sandbox"
}

func pick(cond bool, a, b []string) []string {
	if cond {
		return a
	}
	return b
}
