package ciscoasa

import (
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

// FTD security events (430001 intrusion, 430002 connection start, 430003
// connection end, 430004 file, 430005 malware) are "Key: Value, Key:
// Value" lists.

// ftdKV iterates over "Key: Value" pairs separated by ", ". A value may
// hold ", " itself; it ends where ", " is followed by a key and ": ".
type ftdKV struct{ s string }

func (it *ftdKV) next() (key, value string, ok bool) {
	s := it.s
	if s == "" {
		return "", "", false
	}
	i := strings.Index(s, ": ")
	if i < 0 {
		it.s = ""
		return "", "", false
	}
	key = s[:i]
	s = s[i+2:]
	for off := 0; ; {
		j := strings.Index(s[off:], ", ")
		if j < 0 {
			it.s = ""
			return key, s, true
		}
		j += off
		if isKeyAhead(s[j+2:]) {
			it.s = s[j+2:]
			return key, s[:j], true
		}
		off = j + 2
	}
}

// isKeyAhead reports whether s starts with a key ("Prefilter Policy: ").
func isKeyAhead(s string) bool {
	for i := 0; i < len(s) && i < 48; i++ {
		c := s[i]
		switch {
		case c == ':':
			return i > 0 && i+1 < len(s) && s[i+1] == ' '
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == ' ', c == '-':
		default:
			return false
		}
	}
	return false
}

// dnsTypes maps Firepower's DNS record type descriptions to type names.
var dnsTypes = map[string]string{
	"a host address":                         "A",
	"an authoritative name server":           "NS",
	"the canonical name for an alias":        "CNAME",
	"marks the start of a zone of authority": "SOA",
	"a domain name pointer":                  "PTR",
	"mail exchange":                          "MX",
	"text strings":                           "TXT",
	"IP6 Address":                            "AAAA",
	"an IPv6 host address":                   "AAAA",
	"server selection":                       "SRV",
}

// dnsCodes maps Firepower's DNS response descriptions to RCODE names.
var dnsCodes = map[string]string{
	"No Error":            "NOERROR",
	"Format Error":        "FORMERR",
	"Server Failure":      "SERVFAIL",
	"Non-Existent Domain": "NXDOMAIN",
	"Not Implemented":     "NOTIMP",
	"Query Refused":       "REFUSED",
}

var ftdActions = map[string]string{
	"430001": "intrusion-detected",
	"430002": "connection-started",
	"430003": "connection-finished",
	"430004": "file-detected",
	"430005": "malware-detected",
}

func (c *msgContext) ftdEvent(t tag) bool {
	e := c.e
	var policy, rule, action, client, webApp, dnsQuery, dnsResp string
	it := ftdKV{s: t.text}
	n := 0
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		n++
		switch k {
		case "AccessControlRuleAction":
			action = v
		case "SrcIP":
			e.SetIP("source.ip", v)
		case "DstIP":
			e.SetIP("destination.ip", v)
		case "SrcPort":
			e.SetIntStr("source.port", v)
		case "DstPort":
			e.SetIntStr("destination.port", v)
		case "Protocol":
			c.protocol(v)
		case "IngressInterface":
			e.SetStr("observer.ingress.interface.name", v)
		case "EgressInterface":
			e.SetStr("observer.egress.interface.name", v)
		case "IngressZone":
			e.SetStr("observer.ingress.zone", v)
		case "EgressZone":
			e.SetStr("observer.egress.zone", v)
		case "ACPolicy":
			policy = v
		case "AccessControlRuleName":
			rule = v
		case "User":
			e.SetStr("user.id", v)
			e.SetStr("user.name", v)
		case "Client":
			client = v
		case "WebApplication":
			webApp = v
		case "ApplicationProtocol":
			e.SetStr("network.protocol", normalize.Lower(v))
		case "InitiatorPackets":
			e.SetIntStr("source.packets", v)
		case "ResponderPackets":
			e.SetIntStr("destination.packets", v)
		case "InitiatorBytes":
			e.SetIntStr("source.bytes", v)
		case "ResponderBytes":
			e.SetIntStr("destination.bytes", v)
		case "ConnectionDuration":
			if s, ok := normalize.Atoi(v); ok {
				e.SetInt("event.duration", s*int64(time.Second))
			}
		case "DNSQuery":
			dnsQuery = v
		case "DNSRecordType":
			if ty, ok := dnsTypes[v]; ok {
				e.SetStr("dns.question.type", ty)
			}
		case "DNSResponseType":
			dnsResp = v
		case "HTTPResponse":
			e.SetIntStr("http.response.status_code", v)
		case "UserAgent":
			e.SetStr("user_agent.original", v)
		case "URL":
			setURL(e, v)
		case "URLCategory":
			e.SetStr("cisco.ftd.url_category", v)
		case "SSLServerName":
			e.SetStr("tls.client.server_name", v)
		case "Message":
			e.SetStr("message", v)
		case "SignatureID", "GID":
			e.SetStr("rule.id", v)
		case "Classification":
			e.SetStr("rule.category", v)
		case "Priority":
			e.SetStr("cisco.ftd.priority", v)
		case "FileName":
			e.SetStr("file.name", v)
		case "SHA_Disposition", "Disposition":
			e.SetStr("cisco.ftd.disposition", v)
		case "ThreatName":
			e.SetStr("rule.name", v)
		}
	}
	if n == 0 {
		return false
	}
	if policy != "" || rule != "" {
		list := make([]string, 0, 2)
		for _, s := range [2]string{policy, rule} {
			if s != "" {
				list = append(list, s)
			}
		}
		e.SetStrs("cisco.ftd.rule_name", list...)
	}
	switch {
	case client != "" && webApp != "":
		e.SetStrs("network.application", normalize.Lower(client), normalize.Lower(webApp))
	case client != "":
		e.SetStr("network.application", normalize.Lower(client))
	case webApp != "":
		e.SetStr("network.application", normalize.Lower(webApp))
	}
	if dnsQuery != "" {
		e.SetStr("dns.question.name", dnsQuery)
		code := "NOERROR"
		if dnsResp != "" {
			code = dnsCodes[dnsResp]
		}
		e.SetStr("dns.response_code", code)
	}
	e.SetStr("event.action", ftdActions[t.id])
	denied := strings.HasPrefix(action, "Block") || action == "Drop" || action == "Reset"
	switch t.id {
	case "430001":
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catIDS...)
		e.SetStrs("event.type", pick(denied, typeDeniedAccess, typeAllowedAccess)...)
	case "430002":
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", pick(denied, typeStartDenied, typeStartAllowed)...)
	case "430003":
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", pick(denied, typeEndDenied, typeEndAllowed)...)
	default:
		e.SetStr("event.kind", "alert")
		e.SetStrs("event.category", catMalware...)
		e.SetStrs("event.type", pick(denied, typeDeniedAccess, typeAllowedAccess)...)
	}
	return true
}

func pick(cond bool, a, b []string) []string {
	if cond {
		return a
	}
	return b
}

// setURL sets url.original and its parts.
func setURL(e *normalize.Event, u string) {
	if u == "" {
		return
	}
	e.SetStr("url.original", u)
	rest := u
	if i := strings.Index(rest, "://"); i > 0 {
		e.SetStr("url.scheme", rest[:i])
		rest = rest[i+3:]
	}
	host, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		e.SetStr("url.query", path[i+1:])
		path = path[:i]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host, ']') < i {
		e.SetIntStr("url.port", host[i+1:])
		host = host[:i]
	}
	e.SetStr("url.domain", host)
	e.SetStr("url.path", path)
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		last := path[i+1:]
		if j := strings.LastIndexByte(last, '.'); j >= 0 && j+1 < len(last) {
			e.SetStr("url.extension", last[j+1:])
		}
	}
}
