package filterlog

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses pfSense/OPNsense filterlog, dhcpd and unbound lines. The
// zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors for lines that do not have filterlog's layout.
var (
	ErrShort     = errors.New("filterlog: too few fields")
	ErrIPVersion = errors.New("filterlog: IP version is neither 4 nor 6")
)

// Name returns "filterlog".
func (Parser) Name() string { return "filterlog" }

// Detect accepts the programs of a pfSense/OPNsense box: filterlog, and
// dhcpd and unbound, which such boxes send with it (a Linux host's dhcpd
// or unbound lines parse the same way, with observer.vendor netgate).
func (Parser) Detect(m *normalize.Message) bool {
	switch m.AppName {
	case "filterlog":
		return true
	case "dhcpd":
		return strings.HasPrefix(m.Body, "DHCP")
	case "unbound":
		return strings.HasPrefix(m.Body, "[")
	}
	return false
}

var (
	catNetwork      = []string{"network"}
	typeDenied      = []string{"connection", "denied"}
	typeAllowed     = []string{"connection", "allowed"}
	typeConnection  = []string{"connection"}
	typeDHCP        = []string{"connection", "protocol", "info"}
	unboundLogLevel = []string{"info", "notice", "debug", "error", "warning"}
)

// Parse fills e from one line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	e.SetStr("observer.vendor", "netgate")
	e.SetStr("observer.type", "firewall")
	e.SetStr("observer.name", m.Hostname)
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	e.SetStr("event.provider", m.AppName)
	e.SetStr("process.name", m.AppName)
	e.SetIntStr("process.pid", m.ProcID)
	if !m.Time.IsZero() {
		e.SetStr("event.timezone", m.Time.Format("-07:00")) // the listener's zone for the header time
	}
	switch m.AppName {
	case "dhcpd":
		e.Dataset = "log.pfsense.dhcpd"
		dhcpd(m.Body, e)
		return nil
	case "unbound":
		e.Dataset = "log.pfsense.unbound"
		unbound(m.Body, e)
		return nil
	}
	e.Dataset = "log.pfsense.filterlog"
	return filter(m.Body, e)
}

// Fields common to both IP versions.
const (
	fRule = iota
	fSubRule
	fAnchor
	fTracker
	fIface
	fReason
	fAction
	fDir
	fIPVer
)

func filter(body string, e *normalize.Event) error {
	var buf [64]string
	f := normalize.SplitCSV(body, buf[:0], len(buf))
	if len(f) < 17 {
		return ErrShort
	}
	e.SetStr("rule.id", f[fTracker])
	iface := f[fIface]
	e.SetStr("observer.ingress.interface.name", iface)
	setVLAN(e, iface)
	e.SetStr("event.reason", f[fReason])
	action := f[fAction]
	e.SetStr("event.action", action)
	switch action {
	case "block", "reject":
		e.SetStrs("event.type", typeDenied...)
	case "pass":
		e.SetStrs("event.type", typeAllowed...)
	default:
		e.SetStrs("event.type", typeConnection...)
	}
	switch f[fDir] {
	case "in":
		e.SetStr("network.direction", "inbound")
	case "out":
		e.SetStr("network.direction", "outbound")
	}
	var proto, protoID, length, src, dst string
	var rest []string
	switch f[fIPVer] {
	case "4":
		// tos, ecn, ttl, id, offset, flags, proto id, proto, length, src, dst
		if len(f) < 20 {
			return ErrShort
		}
		e.SetStr("network.type", "ipv4")
		e.SetStr("pfsense.ip.tos", f[9])
		e.SetStr("pfsense.ip.ecn", f[10])
		e.SetIntStr("pfsense.ip.ttl", f[11])
		e.SetIntStr("pfsense.ip.id", f[12])
		e.SetIntStr("pfsense.ip.offset", f[13])
		e.SetStr("pfsense.ip.flags", f[14])
		protoID, proto, length, src, dst = f[15], f[16], f[17], f[18], f[19]
		rest = f[20:]
	case "6":
		// class, flow label, hop limit, proto, proto id, length, src, dst
		e.SetStr("network.type", "ipv6")
		e.SetStr("pfsense.ip.tos", f[9])
		e.SetStr("pfsense.ip.flow_label", f[10])
		e.SetIntStr("pfsense.ip.ttl", f[11])
		proto, protoID, length, src, dst = f[12], f[13], f[14], f[15], f[16]
		rest = f[17:]
	default:
		return ErrIPVersion
	}
	e.SetStr("network.iana_number", protoID)
	proto = normalize.Lower(proto)
	e.SetStr("network.transport", proto)
	e.SetIntStr("network.bytes", length)
	e.SetIP("source.ip", src)
	e.SetIP("destination.ip", dst)
	at := func(i int) string {
		if i < len(rest) {
			return rest[i]
		}
		return ""
	}
	switch proto {
	case "tcp":
		// src port, dst port, data length, flags, seq, ack, window, urg, options
		e.SetIntStr("source.port", at(0))
		e.SetIntStr("destination.port", at(1))
		e.SetIntStr("pfsense.tcp.length", at(2))
		e.SetStr("pfsense.tcp.flags", at(3))
		e.SetStr("pfsense.tcp.seq", at(4))
		e.SetStr("pfsense.tcp.ack", at(5))
		e.SetIntStr("pfsense.tcp.window", at(6))
		e.SetStr("pfsense.tcp.urg", at(7))
		e.SetStr("pfsense.tcp.options", at(8))
	case "udp":
		e.SetIntStr("source.port", at(0))
		e.SetIntStr("destination.port", at(1))
		e.SetIntStr("pfsense.udp.length", at(2))
	case "icmp", "ipv6-icmp", "icmpv6":
		e.SetStr("pfsense.icmp.type", at(0))
		switch at(0) {
		case "request", "reply":
			e.SetStr("pfsense.icmp.id", at(1))
			e.SetStr("pfsense.icmp.seq", at(2))
		case "unreachproto", "unreachport":
			e.SetStr("pfsense.icmp.destination.ip", at(1))
		}
	case "carp":
		e.SetStr("pfsense.carp.type", at(0))
		e.SetIntStr("pfsense.carp.ttl", at(1))
		e.SetIntStr("pfsense.carp.vhid", at(2))
	}
	return nil
}

// setVLAN sets observer.ingress.vlan.id from an interface name with a
// VLAN suffix ("igb1.12").
func setVLAN(e *normalize.Event, iface string) {
	if i := strings.LastIndexByte(iface, '.'); i >= 0 {
		if _, ok := normalize.Atoi(iface[i+1:]); ok {
			e.SetStr("observer.ingress.vlan.id", iface[i+1:])
		}
	}
}

// dhcpd: "DHCPDISCOVER from 4c:55:41:a0:fa:99 via eth0.60",
// "DHCPACK on 10.0.0.5 to 4c:55:41:a0:fa:99 (host) via eth0".
func dhcpd(body string, e *normalize.Event) {
	e.SetStr("message", body)
	e.SetStrs("event.type", typeDHCP...)
	e.SetStr("network.protocol", "dhcp")
	e.SetStr("network.transport", "udp")
	verb, rest, _ := strings.Cut(body, " ")
	e.SetStr("event.action", verb)
	var buf [16]string
	ws := buf[:0]
	for w := range strings.FieldsSeq(rest) {
		if len(ws) == cap(ws) {
			break
		}
		ws = append(ws, w)
	}
	for i := 0; i+1 < len(ws); i++ {
		switch ws[i] {
		case "from", "to":
			if mac := normalize.FormatMAC(ws[i+1]); mac != "" {
				e.SetStr("source.mac", mac)
			}
		case "on", "for":
			e.SetIP("client.ip", ws[i+1])
		case "via":
			iface := strings.TrimSuffix(ws[i+1], ":")
			if _, isIP := normalize.ParseIP(iface); isIP {
				e.SetIP("network.forwarded_ip", iface)
			} else {
				e.SetStr("observer.ingress.interface.name", iface)
				setVLAN(e, iface)
			}
		}
	}
	// DHCP runs from the client's port 68 to the server's 67.
	e.SetInt("source.port", 68)
	e.SetInt("destination.port", 67)
}

// unbound: "[26931:0] info: 192.168.1.1 api.example.org. A IN" (a query
// log line); other lines keep only the level and message.
func unbound(body string, e *normalize.Event) {
	e.SetStr("message", body)
	e.SetStrs("event.type", typeConnection...)
	e.SetStr("network.protocol", "dns")
	rest := body
	if strings.HasPrefix(rest, "[") {
		if i := strings.Index(rest, "] "); i >= 0 {
			rest = rest[i+2:]
		}
	}
	level, text, ok := strings.Cut(rest, ": ")
	if !ok {
		return
	}
	for _, l := range unboundLogLevel {
		if level == l {
			e.SetStr("log.level", level)
		}
	}
	var buf [6]string
	ws := buf[:0]
	for w := range strings.FieldsSeq(text) {
		if len(ws) == cap(ws) {
			return
		}
		ws = append(ws, w)
	}
	if len(ws) != 4 {
		return
	}
	if _, isIP := normalize.ParseIP(ws[0]); !isIP || !strings.HasSuffix(ws[1], ".") {
		return
	}
	name := strings.TrimSuffix(ws[1], ".")
	e.SetIP("source.ip", ws[0])
	e.SetStr("dns.type", "question")
	e.SetStr("dns.question.name", name)
	e.SetStr("dns.question.type", ws[2])
	e.SetStr("dns.question.class", ws[3])
	e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(name))
}
