package suricata

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Suricata EVE JSON records. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoEventType marks a JSON object without the event_type every EVE
// record has.
var ErrNoEventType = errors.New("suricata: no event_type")

// maxAnswers bounds the DNS answers kept from one record; a record with
// more is refused rather than cut silently.
const maxAnswers = 256

// Name returns "suricata".
func (Parser) Name() string { return "suricata" }

// Detect accepts a JSON object with EVE's "event_type" and "timestamp"
// keys.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	return len(b) > 0 && b[0] == '{' && jsonscan.HasKey(b, `"event_type"`) && jsonscan.HasKey(b, `"timestamp"`)
}

var (
	catIDS        = []string{"network", "intrusion_detection"}
	catNetwork    = []string{"network"}
	catFile       = []string{"network", "file"}
	typeAllowed   = []string{"allowed"}
	typeDenied    = []string{"denied"}
	typeConn      = []string{"connection"}
	typeConnEnd   = []string{"connection", "end"}
	typeProtocol  = []string{"protocol"}
	typeInfo      = []string{"info"}
	dnsFlagNames  = [4]string{"AA", "TC", "RD", "RA"}
	dnsFlagLists  = flagLists()
	knownDatasets = datasets("alert", "anomaly", "dcerpc", "dhcp", "dnp3", "dns", "drop", "email", "fileinfo", "flow",
		"frame", "ftp", "ftp_data", "http", "http2", "ike", "krb5", "modbus", "mqtt", "netflow", "nfs", "pgsql",
		"quic", "rdp", "rfb", "sip", "smb", "smtp", "snmp", "ssh", "stats", "tftp", "tls")
)

func datasets(types ...string) map[string]string {
	m := make(map[string]string, len(types))
	for _, t := range types {
		m[t] = "log.suricata." + t
	}
	return m
}

// flagLists holds every combination of the four DNS header flags, indexed
// by a bit mask, so an event can keep one without allocating.
func flagLists() [16][]string {
	var l [16][]string
	for mask := 1; mask < 16; mask++ {
		for i, name := range dnsFlagNames {
			if mask&(1<<i) != 0 {
				l[mask] = append(l[mask], name)
			}
		}
	}
	return l
}

// record collects what decides other fields once the object is read.
type record struct {
	eventType, action    string
	bytesTS, bytesTC     int64
	pktsTS, pktsTC       int64
	hasBytes, hasPkts    bool
	start, end           time.Time
	hasAlert, hasFlow    bool
	dnsFlags             int
	answerIPs, answerTTL []string
	answerData, answerTy []string
}

// Parse fills e from one EVE record.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var r record
	it := jsonscan.Members(m.Body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		if err := r.top(k, v, env, e); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("suricata: %w", err)
	}
	if r.eventType == "" {
		return ErrNoEventType
	}
	r.finish(e)
	return nil
}

func (r *record) top(k string, v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	switch k {
	case "timestamp":
		if t, ok := isoTime(v.Str(), env); ok {
			e.Time = t
		}
	case "event_type":
		r.eventType = v.Str()
		e.SetStr("suricata.eve.event_type", r.eventType)
	case "flow_id":
		e.SetStr("suricata.eve.flow_id", v.Text()) // kept as text: it exceeds 2^53
	case "parent_id":
		e.SetStr("suricata.eve.parent_id", v.Text())
	case "in_iface":
		e.SetStr("suricata.eve.in_iface", v.Str())
		e.SetStr("observer.ingress.interface.name", v.Str())
	case "src_ip":
		e.SetIP("source.ip", v.Str())
	case "src_port":
		setInt(e, "source.port", v)
	case "dest_ip":
		e.SetIP("destination.ip", v.Str())
	case "dest_port":
		setInt(e, "destination.port", v)
	case "proto":
		e.SetStr("network.transport", transport(v.Text()))
	case "app_proto":
		if p := v.Str(); p != "failed" && p != "unknown" {
			e.SetStr("network.protocol", lower(p))
		}
		e.SetStr("suricata.eve.app_proto", v.Str())
	case "community_id":
		e.SetStr("network.community_id", v.Str())
	case "tx_id":
		setInt(e, "suricata.eve.tx_id", v)
	case "pcap_cnt":
		setInt(e, "suricata.eve.pcap_cnt", v)
	case "host":
		e.SetStr("observer.hostname", v.Str())
	case "alert":
		r.hasAlert = true
		return r.alert(v, e)
	case "flow":
		r.hasFlow = true
		return r.flow(v, env, e)
	case "http":
		return http(v, e)
	case "dns":
		return r.dns(v, e)
	case "tls":
		return tls(v, env, e)
	case "fileinfo":
		return fileinfo(v, e)
	case "anomaly":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "type", "event", "layer":
				e.SetStr("suricata.eve.anomaly."+k, v.Str())
			}
			return nil
		})
	}
	return nil
}

func (r *record) alert(v jsonscan.Value, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "action":
			r.action = v.Str()
			e.SetStr("suricata.eve.alert.action", r.action)
		case "gid":
			setInt(e, "suricata.eve.alert.gid", v)
		case "rev":
			setInt(e, "suricata.eve.alert.rev", v)
		case "signature_id":
			e.SetStr("rule.id", v.Text())
		case "signature":
			e.SetStr("rule.name", v.Str())
		case "category":
			e.SetStr("rule.category", v.Str())
			e.SetStr("message", v.Str())
		case "severity":
			setInt(e, "event.severity", v)
		}
		return nil
	})
}

func (r *record) flow(v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		n, isInt := v.Int()
		switch k {
		case "bytes_toserver":
			r.bytesTS, r.hasBytes = n, r.hasBytes || isInt
		case "bytes_toclient":
			r.bytesTC, r.hasBytes = n, r.hasBytes || isInt
		case "pkts_toserver":
			r.pktsTS, r.hasPkts = n, r.hasPkts || isInt
		case "pkts_toclient":
			r.pktsTC, r.hasPkts = n, r.hasPkts || isInt
		case "start":
			r.start, _ = isoTime(v.Str(), env)
		case "end":
			r.end, _ = isoTime(v.Str(), env)
		case "state", "reason":
			e.SetStr("suricata.eve.flow."+k, v.Str())
		case "age":
			setInt(e, "suricata.eve.flow.age", v)
		case "alerted":
			if b, ok := v.Bool(); ok {
				e.SetBool("suricata.eve.flow.alerted", b)
			}
		}
		return nil
	})
}

func http(v jsonscan.Value, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "hostname":
			e.SetStr("destination.domain", v.Str())
			e.SetStr("url.domain", v.Str())
		case "url":
			u := v.Str()
			e.SetStr("url.original", u)
			if strings.HasPrefix(u, "/") {
				path, query, _ := strings.Cut(u, "?")
				path, _, _ = strings.Cut(path, "#")
				e.SetStr("url.path", path)
				e.SetStr("url.query", query)
			}
		case "http_user_agent":
			e.SetStr("user_agent.original", v.Str())
		case "http_method":
			e.SetStr("http.request.method", v.Str())
		case "http_refer":
			e.SetStr("http.request.referrer", v.Str())
		case "http_content_type":
			e.SetStr("http.response.mime_type", v.Str())
		case "protocol":
			p := v.Str()
			if len(p) > 5 && strings.EqualFold(p[:5], "HTTP/") {
				e.SetStr("http.version", p[5:])
			}
		case "status":
			setInt(e, "http.response.status_code", v)
		case "length":
			setInt(e, "http.response.body.bytes", v)
		}
		return nil
	})
}

func (r *record) dns(v jsonscan.Value, e *normalize.Event) error {
	err := v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "type":
			e.SetStr("dns.type", v.Str())
		case "id":
			e.SetStr("dns.id", v.Text())
		case "rrname":
			question(e, v.Str())
		case "rrtype":
			e.SetStr("dns.question.type", v.Str())
		case "rcode":
			e.SetStr("dns.response_code", v.Str())
		case "aa", "tc", "rd", "ra":
			if b, _ := v.Bool(); b {
				r.dnsFlags |= dnsFlagBit(k)
			}
		case "queries": // EVE version 3: the question in a list
			q := v.Elems()
			if first, ok := q.Next(); ok {
				return first.Each(func(k string, v jsonscan.Value) error {
					switch k {
					case "rrname":
						question(e, v.Str())
					case "rrtype":
						e.SetStr("dns.question.type", v.Str())
					}
					return nil
				})
			}
		case "answers":
			return r.answers(v)
		case "grouped":
			if len(r.answerData) > 0 {
				return nil // the same answers as the detailed list
			}
			return v.Each(func(rrtype string, v jsonscan.Value) error {
				return r.addAnswers(v, rrtype)
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if r.dnsFlags != 0 {
		e.SetStrs("dns.header_flags", dnsFlagLists[r.dnsFlags]...)
	}
	e.SetStrs("dns.answers.data", r.answerData...)
	e.SetStrs("dns.answers.type", r.answerTy...)
	if len(r.answerTTL) == len(r.answerData) {
		e.SetStrs("dns.answers.ttl", r.answerTTL...)
	}
	e.SetStrs("dns.resolved_ip", r.answerIPs...)
	return nil
}

// dnsFlagBit returns the bit of a header flag in dnsFlagLists' index.
func dnsFlagBit(k string) int {
	switch k {
	case "aa":
		return 1
	case "tc":
		return 2
	case "rd":
		return 4
	}
	return 8
}

func question(e *normalize.Event, name string) {
	e.SetStr("dns.question.name", name)
	e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(name))
}

// answers reads EVE's detailed answer list ({rrname, rrtype, ttl, rdata}
// objects).
func (r *record) answers(v jsonscan.Value) error {
	el := v.Elems()
	for {
		a, ok := el.Next()
		if !ok {
			break
		}
		if len(r.answerData) >= maxAnswers {
			return fmt.Errorf("suricata: more than %d DNS answers", maxAnswers)
		}
		var data, typ, ttl string
		if err := a.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "rdata":
				data = v.Text()
			case "rrtype":
				typ = v.Str()
			case "ttl":
				ttl = v.Text()
			}
			return nil
		}); err != nil {
			return err
		}
		r.answer(data, typ, ttl)
	}
	if err := el.Err(); err != nil {
		return fmt.Errorf("suricata: dns answers: %w", err)
	}
	return nil
}

// addAnswers reads one type's list of the grouped answer form
// ({"A": ["192.0.2.1"], "CNAME": ["x.example"]}).
func (r *record) addAnswers(v jsonscan.Value, rrtype string) error {
	el := v.Elems()
	for {
		a, ok := el.Next()
		if !ok {
			break
		}
		if len(r.answerData) >= maxAnswers {
			return fmt.Errorf("suricata: more than %d DNS answers", maxAnswers)
		}
		r.answer(a.Text(), rrtype, "")
	}
	if err := el.Err(); err != nil {
		return fmt.Errorf("suricata: dns answers: %w", err)
	}
	return nil
}

func (r *record) answer(data, typ, ttl string) {
	if data == "" {
		return
	}
	r.answerData = append(r.answerData, data)
	if typ != "" {
		r.answerTy = append(r.answerTy, typ)
	}
	if ttl != "" {
		r.answerTTL = append(r.answerTTL, ttl)
	}
	if ip, ok := normalize.ParseIP(data); ok && (typ == "A" || typ == "AAAA" || typ == "") {
		r.answerIPs = append(r.answerIPs, ip.String())
	}
}

func tls(v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "sni":
			e.SetStr("tls.client.server_name", v.Str())
			e.SetStr("destination.domain", v.Str())
		case "version":
			tlsVersion(e, v.Str())
		case "subject":
			e.SetStr("tls.server.subject", v.Str())
			e.SetStr("tls.server.x509.subject.common_name", commonName(v.Str()))
		case "issuerdn":
			e.SetStr("tls.server.issuer", v.Str())
			e.SetStr("tls.server.x509.issuer.common_name", commonName(v.Str()))
		case "serial":
			e.SetStr("tls.server.x509.serial_number", strings.ReplaceAll(v.Str(), ":", ""))
		case "fingerprint":
			e.SetStr("tls.server.hash.sha1", strings.ToUpper(strings.ReplaceAll(v.Str(), ":", "")))
		case "notbefore", "notafter":
			if t, ok := isoTime(v.Str(), env); ok {
				if k == "notbefore" {
					e.SetTime("tls.server.not_before", t)
				} else {
					e.SetTime("tls.server.not_after", t)
				}
			}
		case "ja3", "ja3s":
			return v.Each(func(sub string, h jsonscan.Value) error {
				if sub == "hash" {
					if k == "ja3" {
						e.SetStr("tls.client.ja3", h.Str())
					} else {
						e.SetStr("tls.server.ja3s", h.Str())
					}
				}
				return nil
			})
		}
		return nil
	})
}

// tlsVersion splits Suricata's "TLS 1.2", "TLSv1.3" or "SSLv3" into ECS's
// version and protocol.
func tlsVersion(e *normalize.Event, s string) {
	var proto, ver string
	switch {
	case len(s) > 3 && strings.EqualFold(s[:3], "TLS"):
		proto, ver = "tls", s[3:]
	case len(s) > 3 && strings.EqualFold(s[:3], "SSL"):
		proto, ver = "ssl", s[3:]
	default:
		return
	}
	ver = strings.TrimLeft(ver, " v")
	if ver == "2" || ver == "3" {
		ver += ".0"
	}
	e.SetStr("tls.version_protocol", proto)
	e.SetStr("tls.version", ver)
}

// commonName returns the CN of a distinguished name ("C=US, O=x, CN=y").
func commonName(dn string) string {
	for part := range strings.SplitSeq(dn, ",") {
		part = normalize.TrimSpace(part)
		if len(part) > 3 && strings.EqualFold(part[:3], "CN=") {
			return part[3:]
		}
	}
	return ""
}

func fileinfo(v jsonscan.Value, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "filename":
			p := v.Str()
			e.SetStr("file.path", p)
			if i := strings.LastIndexAny(p, `/\`); i >= 0 {
				p = p[i+1:]
			}
			e.SetStr("file.name", p)
		case "size":
			setInt(e, "file.size", v)
		case "md5", "sha1", "sha256":
			e.SetStr("file.hash."+k, v.Str())
		case "magic":
			e.SetStr("suricata.eve.fileinfo.magic", v.Str())
		case "state":
			e.SetStr("suricata.eve.fileinfo.state", v.Str())
		}
		return nil
	})
}

func (r *record) finish(e *normalize.Event) {
	e.SetStr("observer.vendor", "OISF")
	e.SetStr("observer.product", "Suricata")
	e.SetStr("observer.type", "ids")
	if ds, ok := knownDatasets[r.eventType]; ok {
		e.Dataset = ds
	} else {
		e.Dataset = "log.suricata.other"
	}
	switch r.eventType {
	case "alert", "drop":
		if r.eventType == "alert" {
			e.SetStr("event.kind", "alert")
		} else {
			e.SetStr("event.kind", "event")
		}
		e.SetStrs("event.category", catIDS...)
		switch r.action {
		case "allowed":
			e.SetStrs("event.type", typeAllowed...)
		case "blocked":
			e.SetStrs("event.type", typeDenied...)
		default:
			if r.eventType == "drop" {
				e.SetStrs("event.type", typeDenied...)
			}
		}
	case "stats":
		e.SetStr("event.kind", "metric")
	case "flow", "netflow":
		e.SetStr("event.kind", "event")
		e.SetStrs("event.category", catNetwork...)
		if r.hasFlow && !r.end.IsZero() {
			e.SetStrs("event.type", typeConnEnd...)
		} else {
			e.SetStrs("event.type", typeConn...)
		}
	case "fileinfo":
		e.SetStr("event.kind", "event")
		e.SetStrs("event.category", catFile...)
		e.SetStrs("event.type", typeInfo...)
	case "anomaly":
		e.SetStr("event.kind", "event")
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeInfo...)
	default:
		e.SetStr("event.kind", "event")
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeProtocol...)
	}
	if r.hasBytes {
		e.SetInt("source.bytes", r.bytesTS)
		e.SetInt("destination.bytes", r.bytesTC)
		e.SetInt("network.bytes", r.bytesTS+r.bytesTC)
	}
	if r.hasPkts {
		e.SetInt("source.packets", r.pktsTS)
		e.SetInt("destination.packets", r.pktsTC)
		e.SetInt("network.packets", r.pktsTS+r.pktsTC)
	}
	e.SetTime("event.start", r.start)
	e.SetTime("event.end", r.end)
	if !r.start.IsZero() && !r.end.IsZero() && !r.end.Before(r.start) {
		e.SetInt("event.duration", int64(r.end.Sub(r.start)))
	}
	if v, ok := e.Get("source.ip"); ok && v.Kind == normalize.KindIP {
		if d, ok := e.Get("destination.ip"); ok && d.Kind == normalize.KindIP {
			setNetworkType(e, v.IP, d.IP)
		}
	}
}

// setNetworkType fills network.type from the addresses' family.
func setNetworkType(e *normalize.Event, src, dst netip.Addr) {
	if src.Is4() && dst.Is4() {
		e.SetStr("network.type", "ipv4")
	} else if src.Is6() && dst.Is6() {
		e.SetStr("network.type", "ipv6")
	}
}

// isoTime parses an EVE time ("2018-10-03T14:42:44.836744+0000"), kept to
// the millisecond as Elastic stores it.
func isoTime(s string, env *normalize.Env) (time.Time, bool) {
	t, n := normalize.ParseISO(s, env)
	if n == 0 || n != len(s) {
		return time.Time{}, false
	}
	return t.Truncate(time.Millisecond), true
}

func setInt(e *normalize.Event, name string, v jsonscan.Value) {
	if n, ok := v.Int(); ok {
		e.SetInt(name, n)
	}
}

// transport lower-cases EVE's protocol name, without allocating for the
// usual ones.
func transport(s string) string {
	switch s {
	case "TCP":
		return "tcp"
	case "UDP":
		return "udp"
	case "ICMP":
		return "icmp"
	case "IPv6-ICMP":
		return "ipv6-icmp"
	case "SCTP":
		return "sctp"
	}
	return normalize.Lower(s)
}

func lower(s string) string { return normalize.Lower(s) }
