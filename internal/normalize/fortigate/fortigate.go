package fortigate

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses FortiOS key=value log lines. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoFields marks a line without the type or logid fields every FortiOS
// log has.
var ErrNoFields = errors.New("fortigate: no type or logid field")

// Name returns "fortigate".
func (Parser) Name() string { return "fortigate" }

// Detect accepts a key=value body that starts with FortiOS's first field
// (date=, logver= or eventtime=) and carries a devid= or logid= field.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if !strings.HasPrefix(b, "date=") && !strings.HasPrefix(b, "logver=") && !strings.HasPrefix(b, "eventtime=") {
		return false
	}
	head := b[:min(len(b), 400)]
	return strings.Contains(head, " logid=") || strings.Contains(head, " devid=")
}

var (
	catNetwork    = []string{"network"}
	catIDS        = []string{"network", "intrusion_detection"}
	catMalware    = []string{"network", "malware"}
	catAuth       = []string{"authentication"}
	catHost       = []string{"host"}
	typeAllowed   = []string{"allowed"}
	typeDenied    = []string{"denied"}
	typeInfoAllow = []string{"info", "allowed"}
	typeInfoDeny  = []string{"info", "denied"}
	typeInfo      = []string{"info"}
	typeConnEndOK = []string{"connection", "end", "allowed"}
	typeConnEndNo = []string{"connection", "end", "denied"}
	typeConnStart = []string{"connection", "start", "allowed"}
)

// fields collects the values that decide other fields once the line is
// read.
type fields struct {
	date, clock, tz, eventtime   string
	typ, subtype, eventtype      string
	action, direction, srcRole   string
	catdesc, appcat              string
	profile, applist, policytype string
	sent, rcvd                   int64
	hasSent, hasRcvd             bool
}

// Parse fills e from a FortiOS key=value line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var f fields
	e.SetStr("observer.vendor", "Fortinet")
	e.SetStr("observer.product", "Fortigate")
	e.SetStr("observer.type", "firewall")
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
		case "tz":
			f.tz = v
		case "eventtime":
			f.eventtime = v
		case "devname":
			e.SetStr("observer.name", v)
		case "devid":
			e.SetStr("observer.serial_number", v)
		case "logid":
			e.SetStr("event.code", v)
		case "type":
			f.typ = v
		case "subtype":
			f.subtype = v
		case "eventtype":
			f.eventtype = v
		case "level":
			e.SetStr("log.level", v)
		case "vd":
			e.SetStr("fortinet.firewall.vd", v)
		case "policyid":
			e.SetStr("rule.id", v)
		case "policytype":
			f.policytype = v
		case "poluuid":
			e.SetStr("rule.uuid", v)
		case "policyname":
			e.SetStr("rule.name", v)
		case "sessionid":
			e.SetStr("fortinet.firewall.sessionid", v)
		case "user":
			e.SetStr("source.user.name", v)
		case "group":
			e.SetStr("source.user.group.name", v)
		case "srcip":
			e.SetIP("source.ip", v)
		case "srcport":
			e.SetIntStr("source.port", v)
		case "srcmac":
			e.SetStr("source.mac", v)
		case "srcintf":
			e.SetStr("observer.ingress.interface.name", v)
		case "srcintfrole":
			f.srcRole = v
		case "dstip":
			e.SetIP("destination.ip", v)
		case "dstport":
			e.SetIntStr("destination.port", v)
		case "dstmac":
			e.SetStr("destination.mac", v)
		case "dstintf":
			e.SetStr("observer.egress.interface.name", v)
		case "transip":
			e.SetIP("source.nat.ip", v)
		case "transport":
			e.SetIntStr("source.nat.port", v)
		case "tranip":
			e.SetIP("destination.nat.ip", v)
		case "tranport":
			e.SetIntStr("destination.nat.port", v)
		case "proto":
			e.SetStr("network.iana_number", v)
			if t := transport(v); t != "" {
				e.SetStr("network.transport", t)
			}
		case "service":
			e.SetStr("network.protocol", normalize.Lower(v))
		case "action":
			f.action = v
		case "direction":
			f.direction = v
		case "hostname":
			e.SetStr("url.domain", v)
		case "url":
			e.SetStr("url.path", v)
		case "msg":
			e.SetStr("message", v)
		case "catdesc":
			f.catdesc = v
		case "appcat":
			f.appcat = v
		case "app":
			e.SetStr("network.application", v)
		case "profile":
			f.profile = v
		case "applist":
			f.applist = v
		case "sentbyte":
			f.sent, f.hasSent = normalize.Atoi(v)
		case "rcvdbyte":
			f.rcvd, f.hasRcvd = normalize.Atoi(v)
		case "sentpkt":
			e.SetIntStr("source.packets", v)
		case "rcvdpkt":
			e.SetIntStr("destination.packets", v)
		case "duration":
			if n, ok := normalize.Atoi(v); ok {
				e.SetInt("event.duration", n*int64(time.Second))
			}
		case "scertcname":
			if v != "" {
				e.SetStrs("tls.server.x509.subject.common_name", v)
			}
		case "xid":
			e.SetStr("dns.id", v)
		case "qname":
			e.SetStr("dns.question.name", v)
			e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(v))
		case "qtype":
			e.SetStr("dns.question.type", v)
		case "qclass":
			e.SetStr("dns.question.class", v)
		case "ipaddr":
			setResolved(e, v)
		case "attack", "virus":
			e.SetStr("rule.name", v)
		case "attackid", "virusid":
			e.SetStr("fortinet.firewall.attackid", v)
		case "crscore":
			e.SetIntStr("fortinet.firewall.crscore", v)
		case "crlevel":
			e.SetStr("fortinet.firewall.crlevel", v)
		case "srccountry":
			e.SetStr("fortinet.firewall.srccountry", v)
		case "dstcountry":
			e.SetStr("fortinet.firewall.dstcountry", v)
		case "filename":
			e.SetStr("file.name", v)
		case "agent":
			e.SetStr("user_agent.original", v)
		case "reason":
			e.SetStr("event.reason", v)
		case "status":
			e.SetStr("fortinet.firewall.status", v)
		case "logdesc":
			e.SetStr("fortinet.firewall.logdesc", v)
		case "remip":
			e.SetIP("destination.ip", v)
		case "locip":
			e.SetIP("source.ip", v)
		}
	}
	if f.typ == "" && !e.Has("event.code") {
		return ErrNoFields
	}
	finish(&f, env, e)
	return nil
}

func finish(f *fields, env *normalize.Env, e *normalize.Event) {
	loc := env.Loc()
	if f.tz != "" {
		e.SetStr("event.timezone", f.tz)
		if off, n := tzOffset(f.tz); n {
			loc = time.FixedZone("", off) // allocates; lines with tz= are a minority
		}
	}
	if t, ok := normalize.LocalTime(f.date, f.clock, loc); ok {
		e.Time = t
	}
	if t, ok := eventTime(f.eventtime); ok {
		e.SetTime("event.start", t)
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
	switch f.direction {
	case "outgoing", "outbound":
		e.SetStr("network.direction", "outbound")
	case "incoming", "inbound":
		e.SetStr("network.direction", "inbound")
	case "":
		switch f.srcRole { // traffic logs carry the interface roles only
		case "lan":
			e.SetStr("network.direction", "outbound")
		case "wan":
			e.SetStr("network.direction", "inbound")
		}
	}
	switch {
	case f.catdesc != "":
		e.SetStr("rule.category", f.catdesc)
	case f.appcat != "":
		e.SetStr("rule.category", strings.ReplaceAll(f.appcat, ".", "-"))
	}
	switch {
	case f.profile != "":
		e.SetStr("rule.ruleset", f.profile)
	case f.applist != "":
		e.SetStr("rule.ruleset", f.applist)
	case f.policytype != "":
		e.SetStr("rule.ruleset", f.policytype)
	}
	e.SetStr("event.kind", "event")
	e.SetStr("event.outcome", "success")
	denied := isDenied(f.action)
	switch f.typ {
	case "traffic":
		e.Dataset = "log.fortigate.traffic"
		e.SetStrs("event.category", catNetwork...)
		switch {
		case f.action == "start":
			e.SetStrs("event.type", typeConnStart...)
		case denied:
			e.SetStrs("event.type", typeConnEndNo...)
		default:
			e.SetStrs("event.type", typeConnEndOK...)
		}
		e.SetStr("event.action", f.action)
	case "utm":
		e.Dataset = "log.fortigate.utm"
		switch f.subtype {
		case "ips", "anomaly", "waf":
			e.SetStr("event.kind", "alert")
			e.SetStrs("event.category", catIDS...)
		case "virus":
			e.SetStr("event.kind", "alert")
			e.SetStrs("event.category", catMalware...)
		default:
			e.SetStrs("event.category", catNetwork...)
		}
		if f.subtype == "dns" {
			e.SetStrs("event.type", pick(denied, typeInfoDeny, typeInfoAllow)...)
		} else {
			e.SetStrs("event.type", pick(denied, typeDenied, typeAllowed)...)
		}
		e.SetStr("event.action", first(f.eventtype, f.action))
	default: // "event": system, user, vpn, ...
		e.Dataset = "log.fortigate.event"
		switch f.subtype {
		case "user":
			e.SetStrs("event.category", catAuth...)
		case "vpn":
			e.SetStrs("event.category", catNetwork...)
		default:
			e.SetStrs("event.category", catHost...)
		}
		e.SetStrs("event.type", typeInfo...)
		e.SetStr("event.action", first(f.action, f.eventtype))
		if f.action == "login" && strings.HasPrefix(e.GetStr("fortinet.firewall.status"), "fail") {
			e.SetStr("event.outcome", "failure")
		}
	}
	e.SetStr("fortinet.firewall.type", f.typ)
	e.SetStr("fortinet.firewall.subtype", f.subtype)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pick(cond bool, a, b []string) []string {
	if cond {
		return a
	}
	return b
}

func isDenied(action string) bool {
	switch action {
	case "deny", "denied", "block", "blocked", "drop", "dropped", "reset", "reject", "server-rst", "client-rst", "quarantine":
		return true
	}
	return false
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

// tzOffset parses FortiOS's tz="-0500" field.
func tzOffset(s string) (int, bool) {
	if len(s) != 5 || s[0] != '+' && s[0] != '-' {
		return 0, false
	}
	h, ok1 := normalize.Atoi(s[1:3])
	m, ok2 := normalize.Atoi(s[3:5])
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, false
	}
	off := int(h*3600 + m*60)
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// eventTime reads eventtime=, which FortiOS writes in seconds,
// microseconds or nanoseconds since 1970 depending on the version; Elastic
// keeps milliseconds.
func eventTime(s string) (time.Time, bool) {
	n, ok := normalize.Atoi(s)
	if !ok || n <= 0 {
		return time.Time{}, false
	}
	var t time.Time
	switch {
	case len(s) <= 10:
		t = time.Unix(n, 0)
	case len(s) <= 13:
		t = time.UnixMilli(n)
	case len(s) <= 16:
		t = time.UnixMicro(n)
	default:
		t = time.Unix(0, n)
	}
	return t.Truncate(time.Millisecond).UTC(), true
}

// setResolved sets dns.resolved_ip from "ip1, ip2".
func setResolved(e *normalize.Event, s string) {
	if s == "" {
		return
	}
	if strings.IndexByte(s, ',') < 0 {
		if _, ok := normalize.ParseIP(s); ok {
			e.SetStrs("dns.resolved_ip", s)
		}
		return
	}
	var ips []string
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if _, ok := normalize.ParseIP(part); ok {
			ips = append(ips, part)
		}
	}
	e.SetStrs("dns.resolved_ip", ips...)
}
