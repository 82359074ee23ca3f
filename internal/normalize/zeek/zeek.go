package zeek

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Zeek JSON log records. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoRecord marks a JSON object with neither Zeek's ts nor its uid.
var ErrNoRecord = errors.New("zeek: no ts or uid")

// maxAnswers bounds the DNS answers kept from one record; a record with
// more is refused rather than cut silently.
const maxAnswers = 256

// Name returns "zeek".
func (Parser) Name() string { return "zeek" }

// Detect accepts a JSON object with Zeek's connection id keys
// ("id.orig_h"), or with "ts" and a connection or file uid.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return jsonscan.HasKey(b, `"id.orig_h"`) ||
		(jsonscan.HasKey(b, `"uid"`) || jsonscan.HasKey(b, `"fuid"`)) && jsonscan.HasKey(b, `"ts"`)
}

var (
	catNetwork    = []string{"network"}
	catWeb        = []string{"network", "web"}
	catIDS        = []string{"network", "intrusion_detection"}
	typeConnEnd   = []string{"connection", "start", "end"}
	typeConnStart = []string{"connection", "start"}
	typeConnInfo  = []string{"connection", "info"}
	typeDNS       = []string{"connection", "protocol", "info"}
	typeProtocol  = []string{"connection", "protocol"}
	typeInfo      = []string{"info"}
	dnsFlagLists  = flagLists()
	knownDatasets = datasets("conn", "dns", "http", "ssl", "notice", "files", "x509", "weird", "dhcp", "ssh", "smtp", "ftp", "kerberos", "ntlm", "rdp", "smb_files", "smb_mapping", "dce_rpc", "snmp", "sip", "tunnel", "software", "intel", "pe", "signatures", "irc", "mysql", "radius", "socks", "syslog", "ocsp", "dpd", "known_hosts", "known_services", "known_certs")
	stateMessages = map[string]string{
		"S0":     "Connection attempt seen, no reply.",
		"S1":     "Connection established, not terminated.",
		"SF":     "Normal establishment and termination.",
		"REJ":    "Connection attempt rejected.",
		"S2":     "Connection established and close attempt by originator seen (but no reply from responder).",
		"S3":     "Connection established and close attempt by responder seen (but no reply from originator).",
		"RSTO":   "Connection established, originator aborted (sent a RST).",
		"RSTR":   "Responder sent a RST.",
		"RSTOS0": "Originator sent a SYN followed by a RST, we never saw a SYN-ACK from the responder.",
		"RSTRH":  "Responder sent a SYN ACK followed by a RST, we never saw a SYN from the (purported) originator.",
		"SH":     "Originator sent a SYN followed by a FIN, we never saw a SYN ACK from the responder (hence the connection was \"half\" open).",
		"SHR":    "Responder sent a SYN ACK followed by a FIN, we never saw a SYN from the originator.",
		"OTH":    "No SYN seen, just midstream traffic (a 'partial connection' that was not later closed).",
	}
	qclassNames = map[string]string{"C_INTERNET": "IN", "C_CHAOS": "CH", "C_HESIOD": "HS", "C_NONE": "NONE", "C_ANY": "ANY", "C_CSNET": "CS"}
)

func datasets(types ...string) map[string]string {
	m := make(map[string]string, len(types))
	for _, t := range types {
		m[t] = "log.zeek." + t
	}
	return m
}

// flagLists holds every combination of the DNS header flags AA, TC, RD
// and RA, indexed by a bit mask, so an event keeps one without
// allocating.
func flagLists() [16][]string {
	names := [4]string{"AA", "TC", "RD", "RA"}
	var l [16][]string
	for mask := 1; mask < 16; mask++ {
		for i, name := range names {
			if mask&(1<<i) != 0 {
				l[mask] = append(l[mask], name)
			}
		}
	}
	return l
}

// record holds the values of the keys the parser maps, read in one pass
// before the log type is known.
type record struct {
	path, ts, uid, fuid                        jsonscan.Value
	origH, origP, respH, respP, proto, service jsonscan.Value
	// conn
	duration, origBytes, respBytes, connState, localOrig, localResp jsonscan.Value
	missedBytes, history, origPkts, origIPBytes, respPkts           jsonscan.Value
	respIPBytes, tunnelParents                                      jsonscan.Value
	// dns
	transID, rtt, query, qclass, qclassName, qtype, qtypeName jsonscan.Value
	rcode, rcodeName, aa, tc, rd, ra, answers, ttls, rejected jsonscan.Value
	// http
	method, host, uri, referrer, userAgent, statusCode, version jsonscan.Value
	requestBodyLen, responseBodyLen, username                   jsonscan.Value
	// ssl
	serverName, cipher, curve, established, resumed, subject, issuer, ja3, ja3s jsonscan.Value
	// notice
	note, msg, sub, src, dst jsonscan.Value
}

func (r *record) read(body string) error {
	it := jsonscan.Members(body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		switch k {
		case "_path":
			r.path = v
		case "ts":
			r.ts = v
		case "uid":
			r.uid = v
		case "fuid":
			r.fuid = v
		case "id.orig_h":
			r.origH = v
		case "id.orig_p":
			r.origP = v
		case "id.resp_h":
			r.respH = v
		case "id.resp_p":
			r.respP = v
		case "proto":
			r.proto = v
		case "service":
			r.service = v
		case "duration":
			r.duration = v
		case "orig_bytes":
			r.origBytes = v
		case "resp_bytes":
			r.respBytes = v
		case "conn_state":
			r.connState = v
		case "local_orig":
			r.localOrig = v
		case "local_resp":
			r.localResp = v
		case "missed_bytes":
			r.missedBytes = v
		case "history":
			r.history = v
		case "orig_pkts":
			r.origPkts = v
		case "orig_ip_bytes":
			r.origIPBytes = v
		case "resp_pkts":
			r.respPkts = v
		case "resp_ip_bytes":
			r.respIPBytes = v
		case "tunnel_parents":
			r.tunnelParents = v
		case "trans_id":
			r.transID = v
		case "rtt":
			r.rtt = v
		case "query":
			r.query = v
		case "qclass":
			r.qclass = v
		case "qclass_name":
			r.qclassName = v
		case "qtype":
			r.qtype = v
		case "qtype_name":
			r.qtypeName = v
		case "rcode":
			r.rcode = v
		case "rcode_name":
			r.rcodeName = v
		case "AA":
			r.aa = v
		case "TC":
			r.tc = v
		case "RD":
			r.rd = v
		case "RA":
			r.ra = v
		case "answers":
			r.answers = v
		case "TTLs":
			r.ttls = v
		case "rejected":
			r.rejected = v
		case "method":
			r.method = v
		case "host":
			r.host = v
		case "uri":
			r.uri = v
		case "referrer":
			r.referrer = v
		case "user_agent":
			r.userAgent = v
		case "status_code":
			r.statusCode = v
		case "version":
			r.version = v
		case "request_body_len":
			r.requestBodyLen = v
		case "response_body_len":
			r.responseBodyLen = v
		case "username":
			r.username = v
		case "server_name":
			r.serverName = v
		case "cipher":
			r.cipher = v
		case "curve":
			r.curve = v
		case "established":
			r.established = v
		case "resumed":
			r.resumed = v
		case "subject":
			r.subject = v
		case "issuer":
			r.issuer = v
		case "ja3":
			r.ja3 = v
		case "ja3s":
			r.ja3s = v
		case "note":
			r.note = v
		case "msg":
			r.msg = v
		case "sub":
			r.sub = v
		case "src":
			r.src = v
		case "dst":
			r.dst = v
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("zeek: %w", err)
	}
	return nil
}

// logType names the Zeek log a record comes from: its _path, else the
// log whose own keys it has ("" when none).
func (r *record) logType() string {
	if p := r.path.Str(); p != "" {
		return p
	}
	switch {
	case r.connState.Kind != 0 || r.origIPBytes.Kind != 0 || r.history.Kind != 0:
		return "conn"
	case r.transID.Kind != 0 || r.qtypeName.Kind != 0 || r.rcodeName.Kind != 0 || r.query.Kind != 0:
		return "dns"
	case r.method.Kind != 0 || r.uri.Kind != 0 || r.statusCode.Kind != 0:
		return "http"
	case r.serverName.Kind != 0 || r.cipher.Kind != 0 || r.established.Kind != 0:
		return "ssl"
	case r.note.Kind != 0:
		return "notice"
	}
	return ""
}

// Parse fills e from one Zeek JSON record.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var r record
	if err := r.read(m.Body); err != nil {
		return err
	}
	if r.ts.Kind == jsonscan.Invalid && r.uid.Kind == jsonscan.Invalid {
		return ErrNoRecord
	}
	typ := r.logType()
	e.Dataset = "log.zeek.other"
	if ds, ok := knownDatasets[typ]; ok {
		e.Dataset = ds
	}
	e.Time = r.time(env)
	uid := r.uid.Str()
	e.SetStr("event.id", uid)
	e.SetStr("zeek.session_id", uid)
	e.SetStr("event.kind", "event")
	proto := r.proto.Str()
	e.SetStr("network.transport", proto)
	e.SetIP("source.ip", r.origH.Text())
	e.SetIP("destination.ip", r.respH.Text())
	if proto != "icmp" && proto != "icmp6" {
		setInt(e, "source.port", r.origP)
		setInt(e, "destination.port", r.respP)
	}
	var err error
	switch typ {
	case "conn":
		r.conn(e, proto)
	case "dns":
		err = r.dns(e)
	case "http":
		r.http(e)
	case "ssl":
		r.ssl(e)
	case "notice":
		r.notice(e)
	default:
		e.SetStrs("event.category", catNetwork...)
		e.SetStrs("event.type", typeInfo...)
	}
	return err
}

func (r *record) time(env *normalize.Env) time.Time {
	switch r.ts.Kind {
	case jsonscan.Number:
		if t, ok := normalize.Epoch(r.ts.Raw()); ok {
			return t.Truncate(time.Millisecond)
		}
	case jsonscan.String: // JSON::TS_ISO8601
		if t, n := normalize.ParseISO(r.ts.Str(), env); n > 0 {
			return t.Truncate(time.Millisecond)
		}
	}
	return time.Time{}
}

func (r *record) conn(e *normalize.Event, proto string) {
	e.SetStrs("event.category", catNetwork...)
	state := r.connState.Str()
	switch state {
	case "SF", "S2", "S3", "RSTO", "RSTR":
		e.SetStrs("event.type", typeConnEnd...)
	case "S0", "S1", "REJ", "RSTOS0", "SH":
		e.SetStrs("event.type", typeConnStart...)
	default:
		e.SetStrs("event.type", typeConnInfo...)
	}
	if proto == "icmp" || proto == "icmp6" {
		setInt(e, "zeek.connection.icmp.type", r.origP)
		setInt(e, "zeek.connection.icmp.code", r.respP)
	}
	e.SetStr("network.protocol", r.service.Str())
	if ns, ok := nanos(r.duration); ok {
		e.SetInt("event.duration", ns)
	}
	sb, okSB := r.origIPBytes.Int()
	db, okDB := r.respIPBytes.Int()
	sp, okSP := r.origPkts.Int()
	dp, okDP := r.respPkts.Int()
	if okSB {
		e.SetInt("source.bytes", sb)
	}
	if okDB {
		e.SetInt("destination.bytes", db)
	}
	if okSB || okDB {
		e.SetInt("network.bytes", sb+db)
	}
	if okSP {
		e.SetInt("source.packets", sp)
	}
	if okDP {
		e.SetInt("destination.packets", dp)
	}
	if okSP || okDP {
		e.SetInt("network.packets", sp+dp)
	}
	lo, okLO := r.localOrig.Bool()
	lr, okLR := r.localResp.Bool()
	if okLO && okLR {
		switch {
		case lo && lr:
			e.SetStr("network.direction", "internal")
		case lo:
			e.SetStr("network.direction", "outbound")
		case lr:
			e.SetStr("network.direction", "inbound")
		default:
			e.SetStr("network.direction", "external")
		}
		e.SetBool("zeek.connection.local_orig", lo)
		e.SetBool("zeek.connection.local_resp", lr)
	}
	e.SetStr("zeek.connection.state", state)
	e.SetStr("zeek.connection.state_message", stateMessages[state])
	e.SetStr("zeek.connection.history", r.history.Str())
	setInt(e, "zeek.connection.missed_bytes", r.missedBytes)
	setInt(e, "zeek.connection.orig_bytes", r.origBytes)
	setInt(e, "zeek.connection.resp_bytes", r.respBytes)
}

func (r *record) dns(e *normalize.Event) error {
	e.SetStrs("event.category", catNetwork...)
	e.SetStrs("event.type", typeDNS...)
	e.SetStr("network.protocol", "dns")
	rejected, _ := r.rejected.Bool()
	rcode := r.rcodeName.Str()
	if rejected || rcode != "" && rcode != "NOERROR" {
		e.SetStr("event.outcome", "failure")
	} else {
		e.SetStr("event.outcome", "success")
	}
	if ns, ok := nanos(r.rtt); ok {
		e.SetInt("event.duration", ns)
	}
	e.SetStr("dns.id", r.transID.Text())
	q := r.query.Str()
	e.SetStr("zeek.dns.query", q)
	if q != "" {
		// Elastic keeps only names under a public (ICANN) suffix as the
		// question; we keep every name, and the registered domain of
		// those.
		e.SetStr("dns.question.name", q)
		if _, icann := publicsuffix.PublicSuffix(strings.TrimSuffix(q, ".")); icann {
			e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(q))
		}
	}
	e.SetStr("dns.question.type", r.qtypeName.Str())
	if c := r.qclassName.Str(); c != "" {
		if short, ok := qclassNames[c]; ok {
			c = short
		}
		e.SetStr("dns.question.class", c)
	}
	e.SetStr("dns.response_code", rcode)
	setInt(e, "zeek.dns.qtype", r.qtype)
	setInt(e, "zeek.dns.qclass", r.qclass)
	setInt(e, "zeek.dns.rcode", r.rcode)
	if r.rejected.Kind == jsonscan.Bool {
		e.SetBool("zeek.dns.rejected", rejected)
	}
	mask := 0
	for i, f := range [4]jsonscan.Value{r.aa, r.tc, r.rd, r.ra} {
		if b, _ := f.Bool(); b {
			mask |= 1 << i
		}
	}
	if mask != 0 {
		e.SetStrs("dns.header_flags", dnsFlagLists[mask]...)
	}
	data, ttls, ips, err := r.dnsAnswers()
	if err != nil {
		return err
	}
	if len(data) > 0 || rcode != "" {
		e.SetStr("dns.type", "answer")
	} else {
		e.SetStr("dns.type", "query")
	}
	e.SetStrs("dns.answers.data", data...)
	if len(ttls) == len(data) {
		e.SetStrs("dns.answers.ttl", ttls...)
	}
	e.SetStrs("dns.resolved_ip", ips...)
	return nil
}

// dnsAnswers zips the answers and TTLs lists and picks the addresses out
// of the answers.
func (r *record) dnsAnswers() (data, ttls, ips []string, err error) {
	if r.answers.Kind != jsonscan.Array {
		return nil, nil, nil, nil
	}
	el := r.answers.Elems()
	for {
		a, ok := el.Next()
		if !ok {
			break
		}
		if len(data) >= maxAnswers {
			return nil, nil, nil, fmt.Errorf("zeek: more than %d DNS answers", maxAnswers)
		}
		s := a.Text()
		if s == "" {
			continue
		}
		data = append(data, s)
		if ip, ok := normalize.ParseIP(s); ok {
			ips = append(ips, ip.String())
		}
	}
	if err := el.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("zeek: answers: %w", err)
	}
	if r.ttls.Kind == jsonscan.Array {
		tl := r.ttls.Elems()
		for len(ttls) < len(data) {
			t, ok := tl.Next()
			if !ok {
				break
			}
			if n, ok := t.Int(); ok {
				ttls = append(ttls, strconv.FormatInt(n, 10))
			} else {
				ttls = append(ttls, t.Text())
			}
		}
	}
	return data, ttls, ips, nil
}

func (r *record) http(e *normalize.Event) {
	e.SetStrs("event.category", catWeb...)
	e.SetStrs("event.type", typeProtocol...)
	e.SetStr("network.protocol", "http")
	e.SetStr("http.request.method", r.method.Str())
	host := r.host.Str()
	e.SetStr("url.domain", host)
	e.SetStr("destination.domain", host)
	u := r.uri.Str()
	e.SetStr("url.original", u)
	if strings.HasPrefix(u, "/") {
		path, query, _ := strings.Cut(u, "?")
		e.SetStr("url.path", path)
		e.SetStr("url.query", query)
	}
	e.SetStr("http.request.referrer", r.referrer.Str())
	e.SetStr("user_agent.original", r.userAgent.Str())
	setInt(e, "http.response.status_code", r.statusCode)
	setInt(e, "http.request.body.bytes", r.requestBodyLen)
	setInt(e, "http.response.body.bytes", r.responseBodyLen)
	e.SetStr("http.version", r.version.Str())
	e.SetStr("url.username", r.username.Str())
}

func (r *record) ssl(e *normalize.Event) {
	e.SetStrs("event.category", catNetwork...)
	e.SetStrs("event.type", typeProtocol...)
	e.SetStr("network.protocol", "tls")
	sni := r.serverName.Str()
	e.SetStr("tls.client.server_name", sni)
	e.SetStr("destination.domain", sni)
	// Zeek writes "TLSv12", "TLSv13", "SSLv3", "DTLSv12".
	if v := r.version.Str(); len(v) > 4 {
		proto, num, ok := strings.Cut(v, "v")
		if ok && len(num) >= 1 {
			ver := num[:1] + "." + num[1:]
			if len(num) == 1 {
				ver = num + ".0"
			}
			e.SetStr("tls.version_protocol", normalize.Lower(proto))
			e.SetStr("tls.version", ver)
		}
	}
	e.SetStr("tls.cipher", r.cipher.Str())
	e.SetStr("tls.curve", r.curve.Str())
	if b, ok := r.established.Bool(); ok {
		e.SetBool("tls.established", b)
	}
	if b, ok := r.resumed.Bool(); ok {
		e.SetBool("tls.resumed", b)
	}
	e.SetStr("tls.server.subject", r.subject.Str())
	e.SetStr("tls.server.issuer", r.issuer.Str())
	e.SetStr("tls.client.ja3", r.ja3.Str())
	e.SetStr("tls.server.ja3s", r.ja3s.Str())
}

func (r *record) notice(e *normalize.Event) {
	e.SetStr("event.kind", "alert")
	e.SetStrs("event.category", catIDS...)
	e.SetStrs("event.type", typeInfo...)
	e.SetStr("rule.name", r.note.Str())
	e.SetStr("zeek.notice.note", r.note.Str())
	e.SetStr("message", r.msg.Str())
	e.SetStr("zeek.notice.sub", r.sub.Str())
	if !e.Has("source.ip") {
		e.SetIP("source.ip", r.src.Text())
	}
	if !e.Has("destination.ip") {
		e.SetIP("destination.ip", r.dst.Text())
	}
}

// nanos converts Zeek's interval in seconds ("0.076967") to nanoseconds,
// exactly for decimal text (a float would give 76966999).
func nanos(v jsonscan.Value) (int64, bool) {
	s := v.Raw()
	if v.Kind != jsonscan.Number || s == "" || s[0] == '-' {
		return 0, false
	}
	sec, frac, _ := strings.Cut(s, ".")
	n, ok := normalize.Atoi(sec)
	if ok && n < math.MaxInt64/1_000_000_000-1 {
		ns := int64(0)
		scale := int64(100_000_000)
		for i := 0; i < len(frac); i++ {
			c := frac[i]
			if c < '0' || c > '9' {
				ok = false
				break
			}
			if i < 9 {
				ns += int64(c-'0') * scale
				scale /= 10
			}
		}
		if ok {
			return n*1e9 + ns, true
		}
	}
	f, ok := v.Float() // "1e-3"
	if !ok || f < 0 || f*1e9 >= math.MaxInt64 {
		return 0, false
	}
	return int64(math.Round(f * 1e9)), true
}

func setInt(e *normalize.Event, name string, v jsonscan.Value) {
	if n, ok := v.Int(); ok {
		e.SetInt(name, n)
	}
}
