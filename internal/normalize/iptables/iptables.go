package iptables

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses netfilter log lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoAddresses marks a line without SRC= and DST=.
var ErrNoAddresses = errors.New("iptables: no SRC= or DST=")

// Name returns "iptables".
func (Parser) Name() string { return "iptables" }

// Detect accepts a body with "IN=" (at a word start or after a "[...]"
// prefix) followed by " OUT=" and " SRC=".
func (Parser) Detect(m *normalize.Message) bool {
	_, _, ok := split(m.Body)
	return ok
}

// split returns the log prefix and the fields from IN= on.
func split(b string) (prefix, fields string, ok bool) {
	head := b[:min(len(b), 256)]
	for off := 0; ; {
		i := strings.Index(head[off:], "IN=")
		if i < 0 {
			return "", "", false
		}
		i += off
		if i == 0 || b[i-1] == ' ' || b[i-1] == ']' || b[i-1] == ':' {
			rest := b[i:]
			if strings.Contains(rest[:min(len(rest), 64)], " OUT=") && strings.Contains(rest, " SRC=") {
				return b[:i], rest, true
			}
		}
		off = i + 3
	}
}

var (
	catNetwork  = []string{"network"}
	typeDenied  = []string{"denied", "connection"}
	typeAllowed = []string{"allowed", "connection"}
	typeConn    = []string{"connection"}
)

var tcpFlagNames = map[string]bool{"CWR": true, "ECE": true, "URG": true, "ACK": true, "PSH": true, "RST": true, "SYN": true, "FIN": true}

// Parse fills e from a netfilter line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	prefix, body, ok := split(m.Body)
	if !ok {
		return ErrNoAddresses
	}
	e.Dataset = "log.iptables"
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	e.SetStr("observer.name", m.Hostname)
	action := prefixAction(prefix, m.AppName, e)
	var tcpFlags, fragFlags []string
	var srcOK, dstOK bool
	inner := false // inside the [ ... ] copy of the packet an ICMP error quotes
	for w := range strings.FieldsSeq(body) {
		if inner {
			inner = !strings.HasSuffix(w, "]")
			continue
		}
		if strings.HasPrefix(w, "[") {
			inner = !strings.HasSuffix(w, "]")
			continue
		}
		k, v, hasValue := strings.Cut(w, "=")
		if !hasValue {
			switch {
			case tcpFlagNames[w]:
				tcpFlags = append(tcpFlags, w)
			case w == "DF" || w == "MF" || w == "CE":
				fragFlags = append(fragFlags, w)
			}
			continue
		}
		switch k {
		case "IN":
			e.SetStrEmpty("iptables.input_device", v)
		case "OUT":
			e.SetStrEmpty("iptables.output_device", v)
		case "PHYSIN":
			e.SetStr("iptables.physical_input_device", v)
		case "PHYSOUT":
			e.SetStr("iptables.physical_output_device", v)
		case "MAC":
			setMACs(e, v)
		case "SRC":
			srcOK = e.SetIP("source.ip", v)
			if srcOK {
				if strings.IndexByte(v, ':') >= 0 {
					e.SetStr("network.type", "ipv6")
				} else {
					e.SetStr("network.type", "ipv4")
				}
			}
		case "DST":
			dstOK = e.SetIP("destination.ip", v)
		case "LEN":
			if !e.Has("iptables.length") {
				e.SetIntStr("iptables.length", v)
			} else {
				e.SetIntStr("iptables.udp.length", v)
			}
		case "TOS":
			e.SetStr("iptables.tos", v)
		case "PREC":
			e.SetStr("iptables.precedence_bits", v)
		case "TTL", "HOPLIMIT":
			e.SetIntStr("iptables.ttl", v)
		case "ID":
			e.SetIntStr("iptables.id", v)
		case "TC":
			e.SetStr("iptables.tos", v)
		case "FLOWLBL":
			e.SetIntStr("iptables.flow_label", v)
		case "PROTO":
			e.SetStr("network.transport", normalize.Lower(v))
		case "SPT":
			e.SetIntStr("source.port", v)
		case "DPT":
			e.SetIntStr("destination.port", v)
		case "WINDOW":
			e.SetIntStr("iptables.tcp.window", v)
		case "RES":
			e.SetStr("iptables.tcp.reserved_bits", v)
		case "URGP":
			e.SetIntStr("iptables.tcp.urgent_pointer", v)
		case "SEQ":
			e.SetIntStr("iptables.tcp.seq", v)
		case "ACK":
			e.SetIntStr("iptables.tcp.ack", v)
		case "TYPE":
			e.SetIntStr("iptables.icmp.type", v)
		case "CODE":
			e.SetIntStr("iptables.icmp.code", v)
		case "MARK":
			e.SetStr("iptables.mark", v)
		case "UID":
			e.SetStr("user.id", v)
		case "GID":
			e.SetStr("group.id", v)
		}
	}
	if !srcOK && !dstOK {
		return ErrNoAddresses
	}
	if len(tcpFlags) > 0 {
		e.SetStrs("iptables.tcp.flags", tcpFlags...)
	}
	if len(fragFlags) > 0 {
		e.SetStrs("iptables.fragment_flags", fragFlags...)
	}
	switch {
	case action == "":
		e.SetStrs("event.type", typeConn...)
	case strings.Contains(action, "accept") || strings.Contains(action, "allow") || strings.Contains(action, "pass"):
		e.SetStrs("event.type", typeAllowed...)
	default:
		e.SetStrs("event.type", typeDenied...)
	}
	return nil
}

// prefixAction reads the log prefix: Ubiquiti's "[ruleset-rule-A|D|R]",
// or a --log-prefix text ("iptables DROP_INPUT:"), whose last word becomes
// event.action; without a prefix, a syslog tag other than "kernel"
// ("DENY:") serves. It returns the action.
func prefixAction(prefix, app string, e *normalize.Event) string {
	p := strings.TrimSpace(prefix)
	// A kernel timestamp ("[ 1234.567890]") is not a prefix.
	if strings.HasPrefix(p, "[") {
		if end := strings.IndexByte(p, ']'); end > 0 && isClock(p[1:end]) {
			p = strings.TrimSpace(p[end+1:])
		}
	}
	if len(p) > 2 && p[0] == '[' && p[len(p)-1] == ']' {
		inner := p[1 : len(p)-1]
		last := strings.LastIndexByte(inner, '-')
		if last > 0 {
			act := inner[last+1:]
			rest := inner[:last]
			if i := strings.LastIndexByte(rest, '-'); i > 0 {
				set, num := rest[:i], rest[i+1:]
				e.SetStr("iptables.ubiquiti.rule_set", set)
				e.SetStr("iptables.ubiquiti.rule_number", num)
				e.SetStr("rule.name", set)
				e.SetStr("rule.id", num)
				if from, to, ok := strings.Cut(set, "-"); ok && !strings.Contains(to, "-") {
					e.SetStr("observer.ingress.zone", from)
					e.SetStr("observer.egress.zone", to)
				}
			}
			var action string
			switch act {
			case "A":
				action = "accept"
			case "D":
				action = "drop"
			case "R":
				action = "reject"
			}
			e.SetStr("event.action", action)
			return action
		}
	}
	word := p
	if i := strings.LastIndexByte(word, ' '); i >= 0 {
		word = word[i+1:]
	}
	word = strings.Trim(word, ":[]")
	if word == "" && app != "" && app != "kernel" {
		word = app
	}
	if word == "" {
		return ""
	}
	action := normalize.Lower(word)
	e.SetStr("event.action", action)
	return action
}

func isClock(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// setMACs splits MAC= (destination MAC, source MAC, EtherType).
func setMACs(e *normalize.Event, v string) {
	if len(v) < 35 || v[17] != ':' {
		return
	}
	e.SetStr("destination.mac", normalize.FormatMAC(v[:17]))
	e.SetStr("source.mac", normalize.FormatMAC(v[18:35]))
}
