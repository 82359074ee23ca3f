package infoblox

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Infoblox NIOS named lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors for lines that start like a query line but are not complete.
var (
	ErrNoClient = errors.New("infoblox: no client address")
	ErrNoQuery  = errors.New("infoblox: incomplete query")
)

// Name returns "infoblox".
func (Parser) Name() string { return "infoblox" }

// Detect accepts named's query/response lines (": query: ... response: ",
// which stock BIND does not write) and, from a sender whose syslog tag is
// named, "query failed" lines. Plain query-log lines are the bind
// parser's.
func (Parser) Detect(m *normalize.Message) bool {
	s := m.Body
	if len(s) < 30 {
		return false
	}
	switch {
	case s[0] == 'c':
		if !strings.HasPrefix(s, "client ") {
			return false
		}
	case normalize.IsBINDTime(s):
		i := strings.Index(s[:min(len(s), 80)], "client ")
		if i < 0 || s[i-1] != ' ' {
			return false
		}
		s = s[i:]
	default:
		return false
	}
	if q := strings.Index(s, ": query: "); q > 0 {
		return strings.Contains(s[q:], " response: ")
	}
	return m.AppName == "named" && strings.Contains(s, "): query failed ")
}

// DNS header flags, in the alphabetical order the peer lists them.
const (
	flagAA = 1 << iota
	flagCD
	flagDO
	flagRA
	flagRD
)

var flagNames = [...]string{"AA", "CD", "DO", "RA", "RD"}

// flagSets holds one list per combination of flags, so that an event
// gets a shared slice instead of a new one.
var flagSets = func() (sets [1 << len(flagNames)][]string) {
	for mask := range sets {
		for i, name := range flagNames {
			if mask&(1<<i) != 0 {
				sets[mask] = append(sets[mask], name)
			}
		}
	}
	return sets
}()

var (
	catNetwork   = []string{"network"}
	typeProtocol = []string{"protocol"}
)

// Parse fills e from a named line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	s := m.Body
	if t, n := normalize.BINDTime(s, env.Loc()); n > 0 {
		e.Time = t
		s = normalize.TrimSpace(s[n:])
	}
	e.Dataset = "log.infoblox.dns"
	e.SetTime("event.created", m.Time)
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	e.SetStrs("event.type", typeProtocol...)
	e.SetStr("host.domain", m.Hostname)
	e.SetIntStr("process.pid", m.ProcID)
	e.SetStr("network.protocol", "dns")
	e.SetStr("infoblox_nios.log.type", "DNS")
	e.SetStr("infoblox_nios.log.service_name", m.AppName)
	if !strings.HasPrefix(s, "client ") {
		e.SetStr("message", s) // another named message: kept whole
		return nil
	}
	rest, err := client(s[len("client "):], e)
	if err != nil {
		return err
	}
	if msg, ok := strings.CutPrefix(rest, "query failed "); ok {
		e.SetStr("message", s)
		e.SetStr("infoblox_nios.log.dns.message", msg)
		return nil
	}
	if v, after, ok := strings.Cut(rest, ": "); ok && strings.HasPrefix(v, "view ") {
		e.SetStr("infoblox_nios.log.dns.view", v[len("view "):])
		rest = after
	}
	switch {
	case strings.HasPrefix(rest, "UDP: "):
		e.SetStr("network.transport", "udp")
		rest = rest[len("UDP: "):]
	case strings.HasPrefix(rest, "TCP: "):
		e.SetStr("network.transport", "tcp")
		rest = rest[len("TCP: "):]
	}
	q, ok := strings.CutPrefix(rest, "query: ")
	if !ok {
		e.SetStr("message", s)
		return nil
	}
	q, resp, isResp := strings.Cut(q, " response: ")
	var f [5]string
	n := normalize.Words(q, f[:])
	if n < 3 {
		return ErrNoQuery
	}
	e.SetStr("dns.question.name", f[0])
	e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(f[0]))
	e.SetStr("dns.question.class", f[1])
	e.SetStr("dns.question.type", f[2])
	if isResp {
		e.SetStr("dns.type", "answer")
		return response(resp, e)
	}
	// The query log: "NAME CLASS TYPE FLAGS (SERVER)".
	e.SetStr("dns.type", "query")
	if n == 5 {
		e.SetStrEmpty("infoblox_nios.log.dns.header_flags", f[3]) // "-" too: no flag set
		e.SetStrs("dns.header_flags", flagSets[flags(f[3], false)]...)
	}
	if last := f[n-1]; n >= 4 && len(last) > 2 && last[0] == '(' && last[len(last)-1] == ')' {
		e.SetIP("server.ip", last[1:len(last)-1])
	}
	return nil
}

// client reads "[@0x...] IP#PORT[ (NAME)]: " and returns what follows.
func client(s string, e *normalize.Event) (string, error) {
	if strings.HasPrefix(s, "@0x") {
		_, s, _ = strings.Cut(s, " ")
	}
	end := strings.IndexAny(s, " :")
	for end > 0 && s[end] == ':' && strings.IndexByte(s[:end], '#') < 0 { // IPv6: the colon is the address's
		next := strings.IndexAny(s[end+1:], " :")
		if next < 0 {
			return "", ErrNoClient
		}
		end += 1 + next
	}
	if end <= 0 {
		return "", ErrNoClient
	}
	hash := strings.LastIndexByte(s[:end], '#')
	if hash < 0 || !e.SetIP("client.ip", s[:hash]) {
		return "", ErrNoClient
	}
	e.SetIntStr("client.port", s[hash+1:end])
	s = s[end:]
	if strings.HasPrefix(s, " (") {
		if j := strings.Index(s, "): "); j > 0 {
			s = s[j+1:]
		}
	}
	return normalize.TrimSpace(strings.TrimPrefix(s, ":")), nil
}

// response reads "RCODE FLAGS [NAME TTL CLASS TYPE DATA; ...]".
func response(s string, e *normalize.Event) error {
	rcode, s, _ := strings.Cut(normalize.TrimSpace(s), " ")
	e.SetStr("dns.response_code", rcode)
	fl, answers, _ := strings.Cut(normalize.TrimSpace(s), " ")
	if fl == "" {
		return nil
	}
	e.SetStrEmpty("infoblox_nios.log.dns.header_flags", fl) // "-" too: no flag set
	e.SetStrs("dns.header_flags", flagSets[flags(fl, true)]...)
	n := strings.Count(answers, ";")
	if n == 0 {
		return nil
	}
	if n > 1024 {
		n = 1024
	}
	// One backing array for the five parallel lists.
	cols := make([]string, 5*n)
	name, ttl, class, typ, data := cols[0:0:n], cols[n:n:2*n], cols[2*n:2*n:3*n], cols[3*n:3*n:4*n], cols[4*n:4*n:5*n]
	var ips []string
	for a := range strings.SplitSeq(answers, ";") {
		if len(name) == n {
			break
		}
		var w [4]string
		k := 0
		a = normalize.TrimSpace(a)
		for k < len(w) && a != "" {
			w[k], a, _ = strings.Cut(a, " ")
			a = normalize.TrimSpace(a)
			k++
		}
		if k < 4 || a == "" {
			continue // the stray '"' after the last ';', or a damaged record
		}
		if _, ok := normalize.Atoi(w[1]); !ok {
			continue
		}
		name, ttl, class, typ, data = append(name, w[0]), append(ttl, w[1]), append(class, w[2]), append(typ, w[3]), append(data, a)
		if w[3] == "A" || w[3] == "AAAA" {
			if _, ok := normalize.ParseIP(a); ok {
				ips = append(ips, a)
			}
		}
	}
	e.SetStrs("dns.answers.name", name...)
	e.SetStrs("dns.answers.ttl", ttl...)
	e.SetStrs("dns.answers.class", class...)
	e.SetStrs("dns.answers.type", typ...)
	e.SetStrs("dns.answers.data", data...)
	e.SetStrs("dns.resolved_ip", ips...)
	return nil
}

// flags decodes the flags named prints. On a response line '+' means
// recursion available and 'A' an authoritative answer; on a query line
// '+' means recursion desired. 'D' is DNSSEC OK and 'C' checking
// disabled on both; 'E(n)' (EDNS), 'S' (signed), 'T' (TCP) and 'K'/'V'
// (cookies) are not header flags.
func flags(s string, response bool) int {
	mask := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+':
			if response {
				mask |= flagRA
			} else {
				mask |= flagRD
			}
		case 'A':
			if response {
				mask |= flagAA
			}
		case 'D':
			mask |= flagDO
		case 'C':
			mask |= flagCD
		}
	}
	return mask
}
