package bind

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses BIND query-log lines. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors for lines that look like the query log but are not complete.
var (
	ErrNoClient = errors.New("bind: no client address")
	ErrNoQuery  = errors.New("bind: no query")
)

// Name returns "bind".
func (Parser) Name() string { return "bind" }

// Detect accepts a body that is a query-log line: "client " either at
// the start or after BIND's "dd-Mon-yyyy hh:mm:ss.mmm" timestamp (and
// category and severity), then ": query: " and a final "(server)". Lines
// that also log the response (Infoblox NIOS) are left to that parser.
func (Parser) Detect(m *normalize.Message) bool {
	s := m.Body
	if len(s) < 30 || s[len(s)-1] != ')' {
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
	q := strings.Index(s, ": query: ")
	return q > 0 && !strings.Contains(s[q:], " response: ")
}

// DNS header flags, in the alphabetical order the peers list them.
const (
	flagCD = 1 << iota
	flagDO
	flagRD
)

var flagNames = [...]string{"CD", "DO", "RD"}

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

var severities = map[string]bool{
	"critical": true, "error": true, "warning": true, "notice": true, "info": true, "debug": true, "dynamic": true,
}

// Parse fills e from a query-log line.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	s := m.Body
	var ts string
	if t, n := normalize.BINDTime(s, env.Loc()); n > 0 {
		e.Time = t
		ts = s[:n]
		s = s[n:]
	}
	i := strings.Index(s, "client ")
	if i < 0 {
		return ErrNoClient
	}
	// Between the timestamp and "client ": "category: severity: ", either
	// of which BIND may be told not to print.
	for pre := normalize.TrimSpace(s[:i]); pre != ""; {
		word, rest, _ := strings.Cut(pre, ": ")
		word = strings.TrimSuffix(word, ":")
		if severities[word] || strings.HasPrefix(word, "debug ") {
			e.SetStr("log.level", word)
		}
		pre = normalize.TrimSpace(rest)
	}
	s = s[i+len("client "):]
	if strings.HasPrefix(s, "@0x") { // the client object's address (9.11+)
		_, s, _ = strings.Cut(s, " ")
	}
	end := strings.IndexAny(s, " :")
	for end > 0 && s[end] == ':' && strings.IndexByte(s[:end], '#') < 0 { // IPv6: the colon is the address's
		next := strings.IndexAny(s[end+1:], " :")
		if next < 0 {
			end = -1
			break
		}
		end += 1 + next
	}
	if end <= 0 {
		return ErrNoClient
	}
	addr, port, ok := cutLast(s[:end], '#')
	if !ok || !e.SetIP("client.ip", addr) {
		return ErrNoClient
	}
	e.SetIntStr("client.port", port)
	s = s[end:]
	if strings.HasPrefix(s, " (") {
		if j := strings.Index(s, "): "); j > 0 {
			e.SetStr("bind.log.question.name", s[2:j])
			s = s[j+1:]
		}
	}
	q := strings.Index(s, "query: ")
	if q < 0 {
		return ErrNoQuery
	}
	if v := strings.Index(s[:q], "view "); v >= 0 {
		e.SetStr("bind.log.view", strings.TrimSuffix(normalize.TrimSpace(s[v+len("view "):q]), ":"))
	}
	var f [6]string
	n := normalize.Words(s[q+len("query: "):], f[:])
	if n < 4 || f[n-1][0] != '(' || f[n-1][len(f[n-1])-1] != ')' {
		return ErrNoQuery
	}
	e.Dataset = "log.bind.query"
	e.SetStr("timestamp", ts) // Logstash keeps the text before its date filter
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	e.SetStrs("event.type", typeProtocol...)
	e.SetStr("network.protocol", "dns")
	e.SetStr("dns.type", "query")
	e.SetStr("dns.question.name", f[0])
	e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(f[0]))
	e.SetStr("dns.question.class", f[1])
	e.SetStr("dns.question.type", f[2])
	if n >= 5 {
		flags := f[3]
		e.SetStr("bind.log.question.flags", flags)
		setFlags(e, flags)
	}
	e.SetIP("server.ip", f[n-1][1:len(f[n-1])-1])
	return nil
}

// setFlags decodes the query flags BIND prints: '+' recursion desired,
// 'S' signed, 'E(n)' EDNS, 'T' TCP, 'D' DNSSEC OK, 'C' checking disabled,
// 'K'/'V' cookies.
func setFlags(e *normalize.Event, flags string) {
	mask := 0
	tcp := false
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case '+':
			mask |= flagRD
		case 'D':
			mask |= flagDO
		case 'C':
			mask |= flagCD
		case 'T':
			tcp = true
		case '(': // the EDNS version
			if j := strings.IndexByte(flags[i:], ')'); j > 0 {
				i += j
			}
		}
	}
	e.SetStrs("dns.header_flags", flagSets[mask]...)
	if tcp {
		e.SetStr("network.transport", "tcp")
	} else {
		e.SetStr("network.transport", "udp")
	}
}

func cutLast(s string, sep byte) (before, after string, ok bool) {
	if i := strings.LastIndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}
