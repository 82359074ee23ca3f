package ciscoasa

import (
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

// The handlers below follow the message texts of Cisco's "ASA Series
// Syslog Messages" reference. Each reports false when the text does not
// have the documented shape, and the line is then kept with its text as
// message.

// words splits s at runs of spaces into dst (a stack array's slice).
func words(s string, dst []string) []string {
	for len(s) > 0 && len(dst) < cap(dst) {
		for len(s) > 0 && s[0] == ' ' {
			s = s[1:]
		}
		if s == "" {
			break
		}
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			dst = append(dst, s)
			break
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
	return dst
}

// index returns the position of the first word equal to w at or after
// from, -1 if none.
func index(ws []string, from int, w string) int {
	for i := from; i < len(ws); i++ {
		if ws[i] == w {
			return i
		}
	}
	return -1
}

func at(ws []string, i int) string {
	if i >= 0 && i < len(ws) {
		return ws[i]
	}
	return ""
}

// endpoint is one side of a connection as ASA prints it.
type endpoint struct {
	iface, ip, port string
	natIP, natPort  string // the mapped address in parentheses
	user            string
}

// ifaceAddr parses "iface:ip/port", "iface:ip" (IPv6 addresses keep
// their colons: the interface ends at the first one).
func ifaceAddr(s string) (ep endpoint, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return ep, false
	}
	ep.iface = s[:i]
	ep.ip, ep.port = ipPort(s[i+1:])
	return ep, ep.ip != ""
}

// ipPort parses "ip/port" or "ip".
func ipPort(s string) (ip, port string) {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// slashAddr parses 106100's "iface/ip(port)".
func slashAddr(s string) (ep endpoint, ok bool) {
	i := strings.IndexByte(s, '/')
	if i <= 0 {
		return ep, false
	}
	ep.iface = s[:i]
	rest := s[i+1:]
	if j := strings.IndexByte(rest, '('); j >= 0 && strings.HasSuffix(rest, ")") {
		ep.ip, ep.port = rest[:j], rest[j+1:len(rest)-1]
	} else {
		ep.ip = rest
	}
	return ep, ep.ip != ""
}

// keywords end a user name that follows an address.
func keyword(w string) bool {
	switch w {
	case "to", "duration", "bytes", "type", "code", "for", "flags", "on", "hit-cnt", "gaddr", "laddr", "faddr":
		return true
	}
	return false
}

// endpointAt parses "iface:ip/port [(mapped-ip/port)] [(user)|user]" at
// ws[i] and returns the index after it.
func endpointAt(ws []string, i int) (endpoint, int, bool) {
	ep, ok := ifaceAddr(at(ws, i))
	if !ok {
		return ep, i, false
	}
	i++
	for i < len(ws) && !keyword(ws[i]) {
		w := ws[i]
		if len(w) > 2 && w[0] == '(' && w[len(w)-1] == ')' {
			// "(mapped-ip/port)", "(user)" or both glued: "(ip/port)(user)".
			for part := range strings.SplitSeq(w[1:len(w)-1], ")(") {
				if ip, port := ipPort(part); port != "" && strings.IndexByte(ip, '\\') < 0 {
					if _, isIP := normalize.ParseIP(ip); isIP {
						ep.natIP, ep.natPort = ip, port
						continue
					}
				}
				ep.user = part
			}
		} else if ep.user == "" {
			ep.user = w
		}
		i++
	}
	return ep, i, true
}

func (c *msgContext) source(ep endpoint) {
	e := c.e
	e.SetIP("source.ip", ep.ip)
	e.SetIntStr("source.port", ep.port)
	e.SetStr("observer.ingress.interface.name", ep.iface)
	if ep.natIP != "" && ep.natIP != ep.ip {
		e.SetIP("source.nat.ip", ep.natIP)
	}
	if ep.natPort != "" && ep.natPort != ep.port {
		e.SetIntStr("source.nat.port", ep.natPort)
	}
	setUser(e, "source.user.name", ep.user)
}

func (c *msgContext) destination(ep endpoint) {
	e := c.e
	e.SetIP("destination.ip", ep.ip)
	e.SetIntStr("destination.port", ep.port)
	e.SetStr("observer.egress.interface.name", ep.iface)
	if ep.natIP != "" && ep.natIP != ep.ip {
		e.SetIP("destination.nat.ip", ep.natIP)
	}
	if ep.natPort != "" && ep.natPort != ep.port {
		e.SetIntStr("destination.nat.port", ep.natPort)
	}
	setUser(e, "destination.user.name", ep.user)
}

func setUser(e *normalize.Event, name, u string) {
	if u == "" || u == "LOCAL\\" {
		return
	}
	if i := strings.IndexByte(u, '\\'); i >= 0 {
		u = u[i+1:]
	}
	e.SetStr(name, u)
}

// protocol sets network.transport and network.iana_number from a
// protocol word ("tcp", "UDP", "icmp", "6").
func (c *msgContext) protocol(p string) {
	p = normalize.Lower(p)
	num := ""
	switch p {
	case "tcp":
		num = "6"
	case "udp":
		num = "17"
	case "icmp":
		num = "1"
	case "icmp6", "ipv6-icmp":
		p, num = "ipv6-icmp", "58"
	case "gre":
		num = "47"
	case "esp":
		num = "50"
	case "ah":
		num = "51"
	case "sctp":
		num = "132"
	default:
		if _, ok := normalize.Atoi(p); ok {
			num = p
			p = ""
		} else {
			return
		}
	}
	c.e.SetStr("network.transport", p)
	c.e.SetStr("network.iana_number", num)
}

func isProtocol(w string) bool {
	switch normalize.Lower(w) {
	case "tcp", "udp", "icmp", "icmp6", "gre", "esp", "ah", "sctp":
		return true
	}
	return false
}

// message dispatches on the message id.
func (c *msgContext) message(t tag) bool {
	if t.product == "FTD" && strings.HasPrefix(t.id, "4300") {
		return c.ftdEvent(t)
	}
	var buf [48]string
	ws := words(t.text, buf[:0])
	switch t.id {
	case "106023", "106010", "106014":
		return c.denySrcDst(ws)
	case "106001", "106006", "106007", "106015", "106021":
		return c.denyFromTo(ws)
	case "106100":
		return c.accessList(ws)
	case "302013", "302015", "302017", "302303":
		return c.built(ws)
	case "302014", "302016", "302018", "302304":
		return c.teardown(ws)
	case "302020", "302021":
		return c.icmpConn(ws, t.id == "302020")
	case "305011", "305012":
		return c.translation(ws, t.id == "305011")
	case "313001", "313004":
		return c.icmpDenied(ws)
	case "710003":
		return c.aclDenied(ws)
	case "605004", "605005":
		return c.login(ws, t.id == "605005")
	case "113004", "113005", "113012", "113015":
		return c.aaa(t.text, t.id == "113004" || t.id == "113012")
	case "111008", "111010":
		return c.command(t.text)
	case "716001", "716002", "722051":
		return c.vpnSession(t.text, t.id)
	}
	return false
}

// denySrcDst: "Deny tcp src dmz:10.1.2.30/63016 dst outside:192.168.0.8/53
// [type 3, code 0,] by access-group "acl_dmz" [0xe3aab522, 0x0]"
// (106023), "Deny inbound tcp src ... dst ..." (106010, 106014).
func (c *msgContext) denySrcDst(ws []string) bool {
	s, d := index(ws, 0, "src"), index(ws, 0, "dst")
	if s < 1 || d < 0 {
		return false
	}
	src, _, ok1 := endpointAt(ws, s+1)
	dst, _, ok2 := endpointAt(ws, d+1)
	if !ok1 || !ok2 {
		return false
	}
	c.protocol(ws[s-1])
	c.source(src)
	c.destination(dst)
	if g := index(ws, d, "access-group"); g >= 0 {
		c.ruleName(strings.Trim(at(ws, g+1), `"`))
	}
	c.firewallRule(false)
	return true
}

func (c *msgContext) firewallRule(allowed bool) {
	c.e.SetStr("event.action", "firewall-rule")
	c.e.SetStrs("event.category", catNetwork...)
	if allowed {
		c.e.SetStrs("event.type", typeConnAllowed...)
	} else {
		c.e.SetStrs("event.type", typeConnDenied...)
	}
}

// denyFromTo: "Inbound TCP connection denied from 10.0.0.1/1234 to
// 10.0.0.2/80 flags SYN on interface outside" (106001), "Deny inbound UDP
// from A/p to B/q [on interface X | due to DNS Response]" (106006/7),
// "Deny TCP (no connection) from A/p to B/q flags RST on interface X"
// (106015), "Deny TCP reverse path check from A to B on interface X"
// (106021).
func (c *msgContext) denyFromTo(ws []string) bool {
	f, t := index(ws, 0, "from"), index(ws, 0, "to")
	if f < 0 || t < f {
		return false
	}
	sip, sport := ipPort(at(ws, f+1))
	dip, dport := ipPort(at(ws, t+1))
	if !c.e.SetIP("source.ip", sip) || !c.e.SetIP("destination.ip", dip) {
		return false
	}
	c.e.SetIntStr("source.port", sport)
	c.e.SetIntStr("destination.port", dport)
	for _, w := range ws[:f] {
		if isProtocol(w) {
			c.protocol(w)
			break
		}
	}
	if i := index(ws, t, "interface"); i >= 0 {
		c.e.SetStr("observer.ingress.interface.name", strings.TrimSuffix(at(ws, i+1), "."))
	}
	if i := index(ws, t, "flags"); i >= 0 {
		c.e.SetStr(c.ns+"tcp_flags", at(ws, i+1))
	}
	c.firewallRule(false)
	return true
}

// accessList: "access-list acl_in permitted tcp inside/10.1.2.16(2241) ->
// outside/192.168.0.89(2000) hit-cnt 1 first hit [0x71a87d94, 0x0]".
func (c *msgContext) accessList(ws []string) bool {
	if len(ws) < 7 || ws[0] != "access-list" || ws[5] != "->" {
		return false
	}
	src, ok1 := slashAddr(ws[4])
	dst, ok2 := slashAddr(ws[6])
	if !ok1 || !ok2 {
		return false
	}
	c.ruleName(ws[1])
	c.protocol(ws[3])
	c.source(src)
	c.destination(dst)
	c.firewallRule(ws[2] == "permitted" || ws[2] == "est-allowed")
	return true
}

// built: "Built {inbound|outbound} TCP connection ID for IF:IP/P (MIP/MP)
// [user] to IF:IP/P (MIP/MP) [user]". The initiator is the "for" side of
// an inbound connection and the "to" side of an outbound one.
func (c *msgContext) built(ws []string) bool {
	if len(ws) < 8 || ws[0] != "Built" {
		return false
	}
	f := index(ws, 0, "for")
	if f < 0 {
		return false
	}
	forEP, next, ok1 := endpointAt(ws, f+1)
	toEP, _, ok2 := endpointAt(ws, index(ws, next, "to")+1)
	if !ok1 || !ok2 {
		return false
	}
	c.protocol(ws[2])
	if f > 4 && ws[3] == "connection" {
		c.connectionID(ws[4])
	}
	if ws[1] == "outbound" {
		c.source(toEP)
		c.destination(forEP)
		c.e.SetStr("network.direction", "outbound")
	} else {
		c.source(forEP)
		c.destination(toEP)
		if ws[1] == "inbound" {
			c.e.SetStr("network.direction", "inbound")
		}
	}
	c.e.SetStr("event.action", "flow-creation")
	c.e.SetStrs("event.category", catNetwork...)
	c.e.SetStrs("event.type", typeConnStart...)
	return true
}

// teardown: "Teardown TCP connection ID for IF:IP/P [user] to IF:IP/P
// [user] duration H:MM:SS bytes N [reason]".
func (c *msgContext) teardown(ws []string) bool {
	if len(ws) < 8 || ws[0] != "Teardown" {
		return false
	}
	f := index(ws, 0, "for")
	if f < 0 {
		return false
	}
	forEP, next, ok1 := endpointAt(ws, f+1)
	toEP, next, ok2 := endpointAt(ws, index(ws, next, "to")+1)
	if !ok1 || !ok2 {
		return false
	}
	c.protocol(ws[1])
	if ws[2] == "connection" && f > 3 {
		c.connectionID(ws[3])
	}
	c.source(forEP)
	c.destination(toEP)
	if u := c.e.GetStr("destination.user.name"); u != "" {
		c.e.SetStr("user.name", u)
	} else if u := c.e.GetStr("source.user.name"); u != "" {
		c.e.SetStr("user.name", u)
	}
	if i := index(ws, next, "duration"); i >= 0 {
		c.duration(at(ws, i+1))
	}
	if i := index(ws, next, "bytes"); i >= 0 {
		c.e.SetIntStr("network.bytes", at(ws, i+1))
		if i+2 < len(ws) {
			c.e.SetStr("event.reason", strings.Join(ws[i+2:], " "))
		}
	}
	c.e.SetStr("event.action", "flow-expiration")
	c.e.SetStrs("event.category", catNetwork...)
	c.e.SetStrs("event.type", typeConnEnd...)
	return true
}

// duration sets event.duration, event.start and event.end from
// "H:MM:SS" or "Dd:HHh:MMm:SSs".
func (c *msgContext) duration(s string) {
	var parts [4]int64
	n := 0
	for p := range strings.SplitSeq(s, ":") {
		p = strings.TrimRight(p, "dhms")
		v, ok := normalize.Atoi(p)
		if !ok || n == 4 || v < 0 {
			return
		}
		parts[n] = v
		n++
	}
	var d time.Duration
	switch n {
	case 3:
		d = time.Duration(parts[0])*time.Hour + time.Duration(parts[1])*time.Minute + time.Duration(parts[2])*time.Second
	case 4:
		d = time.Duration(parts[0])*24*time.Hour + time.Duration(parts[1])*time.Hour + time.Duration(parts[2])*time.Minute + time.Duration(parts[3])*time.Second
	default:
		return
	}
	c.e.SetInt("event.duration", int64(d))
	if !c.now.IsZero() {
		c.e.SetTime("event.start", c.now.Add(-d))
		c.e.SetTime("event.end", c.now)
	}
}

// icmpConn: "Built {inbound|outbound} ICMP connection for faddr A/id
// gaddr G/id laddr L/id [type T code C]" (302020) and its Teardown
// (302021). faddr is the foreign (outside) host, laddr the local one.
func (c *msgContext) icmpConn(ws []string, built bool) bool {
	fa, la := index(ws, 0, "faddr"), index(ws, 0, "laddr")
	if fa < 0 || la < 0 {
		return false
	}
	fip, _ := ipPort(at(ws, fa+1))
	lip, _ := ipPort(at(ws, la+1))
	if _, ok := normalize.ParseIP(fip); !ok {
		return false
	}
	for _, w := range ws[:min(3, len(ws))] {
		if isProtocol(w) {
			c.protocol(w)
		}
	}
	if built && at(ws, 1) == "outbound" {
		c.e.SetIP("source.ip", lip)
		c.e.SetIP("destination.ip", fip)
	} else {
		c.e.SetIP("source.ip", fip)
		c.e.SetIP("destination.ip", lip)
	}
	if built {
		switch at(ws, 1) {
		case "outbound":
			c.e.SetStr("network.direction", "outbound")
		case "inbound":
			c.e.SetStr("network.direction", "inbound")
		}
		c.e.SetStr("event.action", "flow-creation")
		c.e.SetStrs("event.type", typeConnStart...)
	} else {
		c.e.SetStr("event.action", "flow-expiration")
		c.e.SetStrs("event.type", typeConnEnd...)
	}
	c.e.SetStrs("event.category", catNetwork...)
	return true
}

// translation: "Built dynamic TCP translation from IF:IP/P to IF:IP/P"
// (305011) and "Teardown dynamic TCP translation from ... to ... duration
// H:MM:SS" (305012). Elastic puts the real address as source and the
// mapped one as destination.
func (c *msgContext) translation(ws []string, built bool) bool {
	f := index(ws, 0, "from")
	t := index(ws, 0, "to")
	if f < 0 || t < f {
		return false
	}
	src, _, ok1 := endpointAt(ws, f+1)
	dst, _, ok2 := endpointAt(ws, t+1)
	if !ok1 || !ok2 {
		return false
	}
	c.protocol(at(ws, 2))
	c.source(src)
	c.destination(dst)
	c.e.SetStr("event.action", "nat-slot")
	c.e.SetStrs("event.category", catNetworkConfig...)
	if built {
		c.e.SetStrs("event.type", typeCreation...)
	} else {
		c.e.SetStrs("event.type", typeDeletion...)
		if i := index(ws, t, "duration"); i >= 0 {
			c.duration(at(ws, i+1))
		}
	}
	return true
}

// icmpDenied: "Denied ICMP type=3, code=3 from 10.0.0.1 on interface
// outside" (313001), "Denied ICMP type=0, from laddr 10.0.0.1 on
// interface inside to 10.0.0.2: no matching session" (313004).
func (c *msgContext) icmpDenied(ws []string) bool {
	f := index(ws, 0, "from")
	if f < 0 {
		return false
	}
	ip := at(ws, f+1)
	if ip == "laddr" {
		ip = at(ws, f+2)
	}
	if !c.e.SetIP("source.ip", ip) {
		return false
	}
	if t := index(ws, f, "to"); t >= 0 {
		c.e.SetIP("destination.ip", strings.TrimSuffix(at(ws, t+1), ":"))
	}
	if i := index(ws, f, "interface"); i >= 0 {
		c.e.SetStr("observer.ingress.interface.name", strings.TrimSuffix(at(ws, i+1), ":"))
	}
	c.protocol("icmp")
	c.firewallRule(false)
	return true
}

// aclDenied: "TCP access denied by ACL from 10.0.0.1/5555 to
// outside:10.0.0.2/ssh" (710003: to-the-box traffic).
func (c *msgContext) aclDenied(ws []string) bool {
	f, t := index(ws, 0, "from"), index(ws, 0, "to")
	if f < 0 || t < f {
		return false
	}
	sip, sport := ipPort(at(ws, f+1))
	if !c.e.SetIP("source.ip", sip) {
		return false
	}
	c.e.SetIntStr("source.port", sport)
	if dst, ok := ifaceAddr(at(ws, t+1)); ok {
		c.e.SetIP("destination.ip", dst.ip)
		if !c.e.SetIntStr("destination.port", dst.port) {
			c.e.SetStr("network.protocol", dst.port) // a service name: ssh, https
		}
		c.e.SetStr("observer.ingress.interface.name", dst.iface)
	}
	c.protocol(at(ws, 0))
	c.firewallRule(false)
	return true
}

// login: `Login {permitted|denied} from 10.0.0.1/1234 to
// inside:10.0.0.2/ssh for user "admin"` (605004/605005).
func (c *msgContext) login(ws []string, ok bool) bool {
	f, t := index(ws, 0, "from"), index(ws, 0, "to")
	if f < 0 || t < f {
		return false
	}
	sip, sport := ipPort(at(ws, f+1))
	c.e.SetIP("source.ip", sip)
	c.e.SetIntStr("source.port", sport)
	if dst, isAddr := ifaceAddr(at(ws, t+1)); isAddr {
		c.e.SetIP("destination.ip", dst.ip)
		if !c.e.SetIntStr("destination.port", dst.port) {
			c.e.SetStr("network.protocol", dst.port)
		}
		c.e.SetStr("observer.ingress.interface.name", dst.iface)
	}
	if u := index(ws, t, "user"); u >= 0 {
		c.e.SetStr("user.name", strings.Trim(at(ws, u+1), `"`))
	}
	c.authOutcome("login", ok)
	return true
}

func (c *msgContext) authOutcome(action string, ok bool) {
	c.e.SetStr("event.action", action)
	c.e.SetStrs("event.category", catAuth...)
	if ok {
		c.e.SetStr("event.outcome", "success")
		c.e.SetStrs("event.type", typeStartSession...)
	} else {
		c.e.SetStr("event.outcome", "failure")
		c.e.SetStrs("event.type", typeInfo...)
	}
}

// aaa: "AAA user authentication {Successful|Rejected} : [reason = R :]
// {server = IP | local database} : user = U [: user IP = IP]".
func (c *msgContext) aaa(text string, ok bool) bool {
	if !strings.HasPrefix(text, "AAA ") {
		return false
	}
	for part := range strings.SplitSeq(text, " : ") {
		k, v, found := strings.Cut(part, " = ")
		if !found {
			continue
		}
		switch strings.TrimSpace(k) {
		case "user":
			c.e.SetStr("user.name", strings.TrimSpace(v))
		case "user IP":
			c.e.SetIP("source.ip", strings.TrimSpace(v))
		case "server":
			c.e.SetIP("destination.ip", strings.TrimSpace(v))
		case "reason":
			c.e.SetStr("event.reason", strings.TrimSpace(v))
		}
	}
	c.authOutcome("aaa-authentication", ok)
	c.e.SetStr("message", text)
	return true
}

// command: "User 'enable_15' executed the 'configure terminal' command."
// (111008), "User 'admin', running 'CLI' from IP 10.0.0.5, executed
// 'write memory'" (111010).
func (c *msgContext) command(text string) bool {
	_, rest, ok := strings.Cut(text, "User '")
	if !ok {
		return false
	}
	user, rest, ok := strings.Cut(rest, "'")
	if !ok {
		return false
	}
	c.e.SetStr("user.name", user)
	if _, ip, found := strings.Cut(rest, "from IP "); found {
		ip, _, _ = strings.Cut(ip, ",")
		c.e.SetIP("source.ip", ip)
	}
	if _, cmd, found := strings.Cut(rest, "executed "); found {
		cmd = strings.TrimPrefix(cmd, "the ")
		if strings.HasPrefix(cmd, "'") {
			if end := strings.IndexByte(cmd[1:], '\''); end >= 0 {
				c.e.SetStr("process.command_line", cmd[1:end+1])
			}
		}
	}
	c.e.SetStr("event.action", "command-executed")
	c.e.SetStrs("event.category", catConfiguration...)
	c.e.SetStrs("event.type", typeChange...)
	c.e.SetStr("message", text)
	return true
}

var (
	catConfiguration = []string{"configuration"}
	typeChange       = []string{"change"}
	catSession       = []string{"network", "session"}
)

// vpnSession: "Group <G> User <U> IP <A> WebVPN session started." (716001),
// "... terminated: <reason>" (716002), "Group <G> User <U> IP <A> IPv4
// Address <B> ... assigned to session" (722051).
func (c *msgContext) vpnSession(text, id string) bool {
	get := func(key string) string {
		_, v, ok := strings.Cut(text, key+" <")
		if !ok {
			return ""
		}
		v, _, _ = strings.Cut(v, ">")
		return v
	}
	user := get("User")
	if user == "" {
		return false
	}
	c.e.SetStr("user.name", user)
	c.e.SetStr("group.name", get("Group"))
	c.e.SetIP("source.ip", get("IP"))
	c.e.SetStrs("event.category", catSession...)
	switch id {
	case "716001":
		c.e.SetStr("event.action", "webvpn-session-started")
		c.e.SetStrs("event.type", typeStartSession...)
	case "716002":
		c.e.SetStr("event.action", "webvpn-session-terminated")
		c.e.SetStrs("event.type", typeEndSession...)
		if _, reason, ok := strings.Cut(text, "terminated: "); ok {
			c.e.SetStr("event.reason", strings.TrimSuffix(reason, "."))
		}
	default:
		c.e.SetStr("event.action", "vpn-address-assigned")
		c.e.SetStrs("event.type", typeInfo...)
		c.e.SetIP("source.nat.ip", get("IPv4 Address"))
	}
	c.e.SetStr("message", text)
	return true
}
