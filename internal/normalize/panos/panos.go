package panos

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses PAN-OS CSV log lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrShort marks a line with fewer fields than its log type needs.
var ErrShort = errors.New("panos: too few fields")

// Name returns "panos".
func (Parser) Name() string { return "panos" }

// Detect accepts a body of the form "<n>,yyyy/mm/dd hh:mm:ss,<serial>,<TYPE>,".
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	i := strings.IndexByte(b, ',')
	if i < 1 || i > 4 || len(b) < i+22 {
		return false
	}
	for j := 0; j < i; j++ {
		if b[j] < '0' || b[j] > '9' {
			return false
		}
	}
	t := b[i+1:]
	if t[4] != '/' || t[7] != '/' || t[10] != ' ' || t[13] != ':' || t[19] != ',' {
		return false
	}
	t = t[20:]
	j := strings.IndexByte(t, ',') // serial number
	if j < 0 || j > 32 {
		return false
	}
	t = t[j+1:]
	return len(t) > 4 && t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z'
}

// CSV field positions common to every log type.
const (
	fReceiveTime = 1
	fSerial      = 2
	fType        = 3
	fSubtype     = 4
	fGenTime     = 6
)

// TRAFFIC and THREAT share fields 7-29.
const (
	fSrc         = 7
	fDst         = 8
	fNATSrc      = 9
	fNATDst      = 10
	fRule        = 11
	fSrcUser     = 12
	fDstUser     = 13
	fApp         = 14
	fVsys        = 15
	fFromZone    = 16
	fToZone      = 17
	fInIface     = 18
	fOutIface    = 19
	fLogAction   = 20
	fSessionID   = 22
	fRepeatCount = 23
	fSport       = 24
	fDport       = 25
	fNATSport    = 26
	fNATDport    = 27
	fFlags       = 28
	fProto       = 29
	fAction      = 30
)

// TRAFFIC fields.
const (
	tBytes       = 31
	tBytesSent   = 32
	tBytesRecv   = 33
	tPackets     = 34
	tStartTime   = 35
	tElapsed     = 36
	tCategory    = 37
	tSeq         = 39
	tSrcLoc      = 41
	tDstLoc      = 42
	tPktsSent    = 44
	tPktsRecv    = 45
	tEndReason   = 46
	tDeviceName  = 52
	tActionSrc   = 53
	tRuleUUID    = 104 // PAN-OS 9.1+
	trafficShort = 31
)

// THREAT fields.
const (
	hURL         = 31
	hThreatID    = 32
	hCategory    = 33
	hSeverity    = 34
	hDirection   = 35
	hSeq         = 36
	hSrcLoc      = 38
	hDstLoc      = 39
	hContentType = 41
	hFileDigest  = 43
	hUserAgent   = 46
	hFileType    = 47
	hXFF         = 48
	hReferer     = 49
	hSender      = 50
	hSubject     = 51
	hRecipient   = 52
	hDeviceName  = 59
	hHTTPMethod  = 63
	hThreatCat   = 69
	hRuleUUID    = 76
	threatShort  = 36
)

var (
	catNetwork   = []string{"network"}
	catThreat    = []string{"intrusion_detection", "threat", "network"}
	typeAllowed  = []string{"allowed"}
	typeDenied   = []string{"denied"}
	typeStart    = []string{"allowed", "start", "connection"}
	typeEnd      = []string{"allowed", "end", "connection"}
	typeDrop     = []string{"allowed", "denied", "connection"}
	typeDeniedCn = []string{"denied", "connection"}
	typeInfo     = []string{"info"}
)

// Parse fills e from a PAN-OS CSV line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var buf [128]string
	f := fields(normalize.SplitCSV(m.Body, buf[:0], len(buf)))
	if len(f) <= fGenTime {
		return ErrShort
	}
	e.SetStr("observer.vendor", "Palo Alto Networks")
	e.SetStr("observer.product", "PAN-OS")
	e.SetStr("observer.type", "firewall")
	e.SetStr("observer.serial_number", f[fSerial])
	typ, sub := f[fType], f[fSubtype]
	e.SetStr("panw.panos.type", typ)
	e.SetStr("panw.panos.sub_type", sub)
	if t, ok := normalize.LocalDateTime(f[fGenTime], env.Loc()); ok {
		e.Time = t
	} else if t, ok := normalize.LocalDateTime(f[fReceiveTime], env.Loc()); ok {
		e.Time = t
	}
	if t, ok := normalize.LocalDateTime(f[fReceiveTime], env.Loc()); ok {
		e.SetTime("event.created", t)
	}
	switch typ {
	case "TRAFFIC":
		if len(f) < trafficShort {
			return ErrShort
		}
		e.Dataset = "log.panos.traffic"
		common(f, e)
		traffic(f, env, e)
		host(f.get(tDeviceName), m, e)
	case "THREAT":
		if len(f) < threatShort {
			return ErrShort
		}
		e.Dataset = "log.panos.threat"
		common(f, e)
		threat(f, e)
		host(f.get(hDeviceName), m, e)
	default:
		e.Dataset = "log.panos.other"
		e.SetStr("event.kind", "event")
		e.SetStrs("event.type", typeInfo...)
		e.SetStr("event.action", normalize.Lower(sub))
		e.SetStr("observer.hostname", m.Hostname)
		// The layouts of SYSTEM, CONFIG, GLOBALPROTECT, ... differ; the
		// fields past the header stay in message for search.
		if len(f) > fGenTime+1 {
			i := strings.Index(m.Body, f[fGenTime])
			if i >= 0 && i+len(f[fGenTime])+1 < len(m.Body) {
				e.SetStr("message", m.Body[i+len(f[fGenTime])+1:])
			}
		}
	}
	return nil
}

// fields are the CSV fields of a line.
type fields []string

// get returns field i, "" past the end (older PAN-OS versions write fewer).
func (f fields) get(i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

// host sets observer.hostname from the Device Name field, or the syslog
// header's host when the field is missing (PAN-OS before 8.0).
func host(device string, m *normalize.Message, e *normalize.Event) {
	if device != "" {
		e.SetStr("observer.hostname", device)
	} else {
		e.SetStr("observer.hostname", m.Hostname)
	}
}

// common sets the fields TRAFFIC and THREAT share.
func common(f fields, e *normalize.Event) {
	if e.SetIP("source.ip", f[fSrc]) {
		if strings.IndexByte(f[fSrc], ':') >= 0 {
			e.SetStr("network.type", "ipv6")
		} else {
			e.SetStr("network.type", "ipv4")
		}
	}
	e.SetIP("destination.ip", f[fDst])
	setNAT(e, "source.nat.ip", f[fNATSrc])
	setNAT(e, "destination.nat.ip", f[fNATDst])
	e.SetStr("rule.name", f[fRule])
	setUser(e, "source.user", f[fSrcUser])
	setUser(e, "destination.user", f[fDstUser])
	e.SetStr("network.application", f[fApp])
	e.SetStr("panw.panos.vsys", f[fVsys])
	e.SetStr("observer.ingress.zone", f[fFromZone])
	e.SetStr("observer.egress.zone", f[fToZone])
	e.SetStr("observer.ingress.interface.name", f[fInIface])
	e.SetStr("observer.egress.interface.name", f[fOutIface])
	e.SetStr("panw.panos.log_forwarding_profile", f[fLogAction])
	e.SetStr("panw.panos.flow_id", f[fSessionID])
	e.SetIntStr("panw.panos.repeat_count", f[fRepeatCount])
	e.SetIntStr("source.port", f[fSport])
	e.SetIntStr("destination.port", f[fDport])
	if e.Has("source.nat.ip") {
		e.SetIntStr("source.nat.port", f[fNATSport])
	}
	if e.Has("destination.nat.ip") {
		e.SetIntStr("destination.nat.port", f[fNATDport])
	}
	e.SetStr("network.transport", f[fProto])
	if len(f) > fAction {
		e.SetStr("panw.panos.action", f[fAction])
	}
}

// setNAT sets a NAT address unless it is the 0.0.0.0 PAN-OS writes for
// "no translation".
func setNAT(e *normalize.Event, name, s string) {
	if s == "0.0.0.0" || s == "::" {
		return
	}
	e.SetIP(name, s)
}

// setUser splits "DOMAIN\user" into <prefix>.name and <prefix>.domain.
func setUser(e *normalize.Event, prefix, s string) {
	if s == "" {
		return
	}
	if i := strings.IndexByte(s, '\\'); i > 0 {
		switch prefix {
		case "source.user":
			e.SetStr("source.user.domain", s[:i])
			e.SetStr("source.user.name", s[i+1:])
		default:
			e.SetStr("destination.user.domain", s[:i])
			e.SetStr("destination.user.name", s[i+1:])
		}
		return
	}
	if prefix == "source.user" {
		e.SetStr("source.user.name", s)
	} else {
		e.SetStr("destination.user.name", s)
	}
}

func traffic(f fields, env *normalize.Env, e *normalize.Event) {
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	sub := f[fSubtype]
	allowed := f[fAction] == "allow"
	switch sub {
	case "start":
		e.SetStr("event.action", "flow_started")
		e.SetStrs("event.type", pick(allowed, typeStart, typeDeniedCn)...)
	case "end":
		e.SetStr("event.action", "flow_terminated")
		e.SetStrs("event.type", pick(allowed, typeEnd, typeDeniedCn)...)
	case "drop":
		e.SetStr("event.action", "flow_dropped")
		e.SetStrs("event.type", pick(allowed, typeDrop, typeDeniedCn)...)
	case "deny":
		e.SetStr("event.action", "flow_denied")
		e.SetStrs("event.type", pick(allowed, typeDrop, typeDeniedCn)...)
	default:
		e.SetStrs("event.type", pick(allowed, typeAllowed, typeDenied)...)
	}
	// Elastic's outcome says the log was written, not what the policy did.
	e.SetStr("event.outcome", "success")
	e.SetIntStr("network.bytes", f.get(tBytes))
	e.SetIntStr("source.bytes", f.get(tBytesSent))
	e.SetIntStr("destination.bytes", f.get(tBytesRecv))
	e.SetIntStr("network.packets", f.get(tPackets))
	if t, ok := normalize.LocalDateTime(f.get(tStartTime), env.Loc()); ok {
		e.SetTime("event.start", t)
	}
	if n, ok := normalize.Atoi(f.get(tElapsed)); ok {
		e.SetInt("event.duration", n*1e9)
	}
	e.SetStr("panw.panos.url.category", f.get(tCategory))
	e.SetStr("panw.panos.sequence_number", f.get(tSeq))
	e.SetStr("panw.panos.source.location", f.get(tSrcLoc))
	e.SetStr("panw.panos.destination.location", f.get(tDstLoc))
	e.SetIntStr("source.packets", f.get(tPktsSent))
	e.SetIntStr("destination.packets", f.get(tPktsRecv))
	e.SetStr("panw.panos.endreason", f.get(tEndReason))
	e.SetStr("panw.panos.action_source", f.get(tActionSrc))
	e.SetStr("rule.uuid", f.get(tRuleUUID))
}

func pick(ok bool, a, b []string) []string {
	if ok {
		return a
	}
	return b
}

// threatActions maps a THREAT subtype to Elastic's event.action.
var threatActions = map[string]string{
	"url":            "url_filtering",
	"virus":          "virus_detected",
	"spyware":        "spyware_detected",
	"vulnerability":  "vulnerability_detected",
	"file":           "file_match",
	"scan":           "scan_detected",
	"flood":          "flood_detected",
	"packet":         "packet_attack",
	"resource":       "resource_exhausted",
	"wildfire":       "wildfire_verdict",
	"wildfire-virus": "wildfire_virus_detected",
	"data":           "data_match",
}

// severities maps THREAT severities to event.severity (1 is critical).
var severities = map[string]int64{"critical": 1, "high": 2, "medium": 3, "low": 4, "informational": 5}

func threat(f fields, e *normalize.Event) {
	e.SetStr("event.kind", "alert")
	e.SetStrs("event.category", catThreat...)
	sub := f[fSubtype]
	action := f[fAction]
	if a, ok := threatActions[sub]; ok {
		e.SetStr("event.action", a)
	} else {
		e.SetStr("event.action", sub)
	}
	switch action {
	case "alert", "allow", "continue", "override":
		e.SetStrs("event.type", typeAllowed...)
		e.SetStr("event.outcome", "success")
	default: // deny, drop, reset-*, block-*, sinkhole
		e.SetStrs("event.type", typeDenied...)
		e.SetStr("event.outcome", "failure")
	}
	url := f.get(hURL)
	if sub == "url" && url != "" {
		e.SetStr("url.original", url)
		domain, path := url, ""
		if i := strings.Index(domain, "://"); i >= 0 {
			e.SetStr("url.scheme", domain[:i])
			domain = domain[i+3:]
		}
		if i := strings.IndexByte(domain, '/'); i >= 0 {
			domain, path = domain[:i], domain[i:]
		}
		if i := strings.IndexByte(domain, ':'); i >= 0 {
			e.SetIntStr("url.port", domain[i+1:])
			domain = domain[:i]
		}
		if q := strings.IndexByte(path, '?'); q >= 0 {
			e.SetStr("url.query", path[q+1:])
			path = path[:q]
		}
		e.SetStr("url.domain", domain)
		e.SetStr("destination.domain", domain)
		e.SetStr("url.path", path)
	} else if url != "" {
		e.SetStr("panw.panos.file.name", url)
	}
	if id := f.get(hThreatID); id != "" {
		name, num := id, ""
		if i := strings.LastIndexByte(id, '('); i >= 0 && strings.HasSuffix(id, ")") {
			name, num = id[:i], id[i+1:len(id)-1]
		}
		e.SetStr("panw.panos.threat.id", num)
		if num == "9999" && name == "" {
			name = "URL-filtering"
		}
		e.SetStr("panw.panos.threat.name", name)
	}
	e.SetStr("panw.panos.url.category", f.get(hCategory))
	sev := f.get(hSeverity)
	e.SetStr("log.level", sev)
	if n, ok := severities[sev]; ok {
		e.SetInt("event.severity", n)
	}
	switch f.get(hDirection) {
	case "client-to-server", "0":
		e.SetStr("network.direction", "inbound")
	case "server-to-client", "1":
		e.SetStr("network.direction", "outbound")
	}
	e.SetStr("panw.panos.sequence_number", f.get(hSeq))
	e.SetStr("panw.panos.source.location", f.get(hSrcLoc))
	e.SetStr("panw.panos.destination.location", f.get(hDstLoc))
	e.SetStr("panw.panos.content_type", f.get(hContentType))
	e.SetStr("panw.panos.file.hash", f.get(hFileDigest))
	e.SetStr("user_agent.original", f.get(hUserAgent))
	e.SetStr("panw.panos.file.type", f.get(hFileType))
	setXFF(e, f.get(hXFF))
	e.SetStr("http.request.referrer", f.get(hReferer))
	e.SetStr("email.sender.address", f.get(hSender))
	e.SetStr("email.subject", f.get(hSubject))
	e.SetStr("email.to.address", f.get(hRecipient))
	e.SetStr("http.request.method", f.get(hHTTPMethod))
	e.SetStr("panw.panos.threat_category", f.get(hThreatCat))
	e.SetStr("rule.uuid", f.get(hRuleUUID))
}

func setXFF(e *normalize.Event, s string) {
	if s == "" || s == "0" {
		return
	}
	e.SetIP("network.forwarded_ip", s)
}
