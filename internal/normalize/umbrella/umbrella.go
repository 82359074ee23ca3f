package umbrella

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Umbrella DNS log CSV lines. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors for lines that start like a DNS log line but are not one.
var (
	ErrShort = errors.New("umbrella: fewer than 10 fields")
	ErrTime  = errors.New("umbrella: bad timestamp")
	// ErrTruncated marks a line that does not end with the closing quote
	// of its last field: it was cut.
	ErrTruncated = errors.New("umbrella: last field not closed")
)

// Name returns "umbrella".
func (Parser) Name() string { return "umbrella" }

// Detect accepts a body that starts with a quoted "yyyy-mm-dd hh:mm:ss"
// field and whose seventh field is a query type such as "1 (A)", which
// tells the DNS log from Umbrella's proxy and firewall logs.
func (Parser) Detect(m *normalize.Message) bool {
	s := m.Body
	if len(s) < 60 || s[0] != '"' || s[5] != '-' || s[8] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':' ||
		s[20] != '"' || s[21] != ',' || s[1] != '2' {
		return false
	}
	c := normalize.NewCSV(s)
	for range 6 {
		if _, ok := c.Next(); !ok {
			return false
		}
	}
	qt, ok := c.Next()
	if !ok || qt == "" || qt[0] < '0' || qt[0] > '9' {
		return false
	}
	i := 1
	for i < len(qt) && qt[i] >= '0' && qt[i] <= '9' {
		i++
	}
	return i+1 < len(qt) && qt[i] == ' ' && qt[i+1] == '(' && qt[len(qt)-1] == ')'
}

// The columns of the DNS log.
const (
	colTime = iota
	colIdentity
	colIdentities
	colInternalIP
	colExternalIP
	colAction
	colQueryType
	colRcode
	colDomain
	colCategories
	colPolicyIdentityType
	colIdentityTypes
	colBlockedCategories
	nCols
)

var (
	catNetwork  = []string{"network"}
	typeAllowed = []string{"allowed", "connection"}
	typeDenied  = []string{"denied", "connection"}
	typeConn    = []string{"connection"}
)

// Parse fills e from a DNS log line.
func (Parser) Parse(m *normalize.Message, _ *normalize.Env, e *normalize.Event) error {
	if !strings.HasSuffix(m.Body, `"`) {
		return ErrTruncated
	}
	var buf [nCols + 1]string
	f := normalize.SplitCSV(m.Body, buf[:0], len(buf))
	if len(f) < colCategories+1 {
		return ErrShort
	}
	for len(f) < nCols {
		f = append(f, "")
	}
	t, ok := normalize.LocalDateTime(f[colTime], time.UTC) // Umbrella writes UTC
	if !ok {
		return ErrTime
	}
	e.Dataset = "log.umbrella.dns"
	e.Time = t
	e.SetStr("event.kind", "event")
	e.SetStrs("event.category", catNetwork...)
	e.SetStr("observer.vendor", "Cisco")
	e.SetStr("observer.product", "Umbrella")
	e.SetStr("observer.type", "dns")
	e.SetStr("dns.type", "query")
	action := f[colAction]
	switch action {
	case "Allowed":
		e.SetStrs("event.type", typeAllowed...)
		e.SetStr("event.action", "dns-request-Allowed")
	case "Blocked":
		e.SetStrs("event.type", typeDenied...)
		e.SetStr("event.action", "dns-request-Blocked")
	default:
		e.SetStrs("event.type", typeConn...)
		if action != "" {
			e.SetStr("event.action", "dns-request-"+action)
		}
	}
	e.SetIP("source.ip", f[colInternalIP])
	e.SetIP("source.nat.ip", f[colExternalIP])
	e.SetStr("dns.question.type", f[colQueryType])
	e.SetStr("dns.response_code", f[colRcode])
	name := strings.TrimSuffix(f[colDomain], ".")
	e.SetStr("dns.question.name", name)
	e.SetStr("dns.question.registered_domain", normalize.RegisteredDomain(name))
	e.SetStr("cisco.umbrella.identity", normalize.UnquoteCSV(f[colIdentity]))
	e.SetStr("cisco.umbrella.policy_identity_type", f[colPolicyIdentityType])

	// The lists share one backing array.
	lists := make([]string, 0, 4+strings.Count(f[colIdentities], ",")+strings.Count(f[colIdentityTypes], ",")+
		strings.Count(f[colCategories], ",")+strings.Count(f[colBlockedCategories], ","))
	var ids, types []string
	lists, ids = split(lists, f[colIdentities])
	lists, types = split(lists, f[colIdentityTypes])
	lists, cats := split(lists, f[colCategories])
	_, blocked := split(lists, f[colBlockedCategories])
	e.SetStrs("cisco.umbrella.identities", ids...)
	e.SetStrs("cisco.umbrella.identity_types", types...)
	e.SetStrs("cisco.umbrella.categories", cats...)
	e.SetStrs("cisco.umbrella.blocked_categories", blocked...)
	identities(e, ids, types)
	return nil
}

// split appends the comma-separated, trimmed, non-empty items of s to
// dst and returns dst and the items' slice of it.
func split(dst []string, s string) ([]string, []string) {
	start := len(dst)
	for s != "" {
		item, rest, _ := strings.Cut(s, ",")
		if item = normalize.TrimSpace(item); item != "" {
			dst = append(dst, item)
		}
		s = rest
	}
	return dst, dst[start:len(dst):len(dst)]
}

// identities maps each identity by its type, the two lists being
// parallel: users to user.*, computers to host.name (lower case),
// networks and sites to network.name.
func identities(e *normalize.Event, ids, types []string) {
	var nets []string
	for i := 0; i < len(ids) && i < len(types); i++ {
		id := ids[i]
		switch types[i] {
		case "AD Users", "Users", "Chromebook Users", "G Suite Users", "Google Workspace Users":
			if !e.Has("user.name") {
				setUser(e, id)
			}
		case "Roaming Computers", "AD Computers", "Anyconnect Roaming Client", "Mobile Devices", "Chromebooks":
			if !e.Has("host.name") {
				e.SetStr("host.name", normalize.Lower(id))
			}
		case "Networks", "Internal Networks", "Sites", "Network Devices", "Network Tunnels", "Tunnels":
			if nets == nil {
				nets = make([]string, 0, len(ids)-i)
			}
			nets = append(nets, id)
		}
	}
	e.SetStrs("network.name", nets...)
}

// setUser reads "Full Name (login@domain)", "login@domain" or "login".
func setUser(e *normalize.Event, id string) {
	if open := strings.LastIndexByte(id, '('); open > 0 && strings.HasSuffix(id, ")") {
		e.SetStr("user.full_name", normalize.TrimSpace(id[:open]))
		id = id[open+1 : len(id)-1]
	}
	if login, domain, ok := strings.Cut(id, "@"); ok && login != "" && domain != "" {
		e.SetStr("user.email", id)
		e.SetStr("user.id", id)
		e.SetStr("user.name", login)
		e.SetStr("user.domain", domain)
		return
	}
	e.SetStr("user.name", id)
}
