package query

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flowsift/flowsift/internal/record"
)

// Node is a node of a parsed query. The concrete types are [And], [Or],
// [Not], [All], [Text], [Match], [Compare], [Range] and [Exists].
//
// String renders the node in the query language; parsing that text gives
// back an equal tree, so a normalized query can be shown to the user or
// logged.
type Node interface {
	// Pos returns the 1-based column where the node starts.
	Pos() int
	String() string
	node()
}

// And matches when every child matches.
type And struct {
	Nodes []Node
	At    int
}

// Or matches when at least one child matches.
type Or struct {
	Nodes []Node
	At    int
}

// Not matches when its child does not. A record lacking the field of a
// condition does not match the condition, so it does match its negation.
type Not struct {
	X  Node
	At int
}

// All matches every record of the tenant: the empty query and "*".
type All struct {
	At int
}

// Text is free text: it matches a record when any text field (strings,
// string lists, IP and MAC addresses in their text form) contains it,
// ignoring case. Text that is an IP address or CIDR also matches the IP
// fields by value.
type Text struct {
	Value Value
}

// Match is field:value. What "matches" means depends on the field type:
// whole-value comparison ignoring case with wildcards for strings, equality
// for numbers and booleans, the covered interval for times (a day, a
// minute…), address or CIDR for IPs, any element for lists.
type Match struct {
	Field *record.Field
	Value Value
	At    int
}

// Op is a comparison operator.
type Op uint8

// Comparison operators.
const (
	OpGT Op = iota + 1 // >
	OpGE               // >=
	OpLT               // <
	OpLE               // <=
)

var opNames = [...]string{OpGT: ">", OpGE: ">=", OpLT: "<", OpLE: "<="}

// String returns the operator as written in a query.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "?"
}

// Compare is field:>value, field:>=value, field:<value or field:<=value,
// on number, time and IP fields.
type Compare struct {
	Field *record.Field
	Op    Op
	Value Value
	At    int
}

// Range is field:[lo TO hi], with { } for exclusive bounds. A nil bound
// (written *) is open.
type Range struct {
	Field          *record.Field
	Lo, Hi         *Value
	LoIncl, HiIncl bool
	At             int
}

// Exists is _exists_:field (also written field:*): the record has a value
// for the field.
type Exists struct {
	Field *record.Field
	At    int
}

// Value is one value as the user typed it.
type Value struct {
	// Text is the value with escapes removed.
	Text string
	// Glob is set when the value holds unescaped wildcards: * matches any
	// run of characters and ? one character, while \ escapes a literal *,
	// ? or \.
	Glob string
	// Quoted reports a "quoted phrase". Quoted values have no wildcards,
	// and a quoted CIDR on a string field is searched as text.
	Quoted bool
	// At is the 1-based column of the value.
	At int
}

// Wild reports whether the value holds wildcards.
func (v Value) Wild() bool { return v.Glob != "" }

func (n *And) Pos() int     { return n.At }
func (n *Or) Pos() int      { return n.At }
func (n *Not) Pos() int     { return n.At }
func (n *All) Pos() int     { return n.At }
func (n *Text) Pos() int    { return n.Value.At }
func (n *Match) Pos() int   { return n.At }
func (n *Compare) Pos() int { return n.At }
func (n *Range) Pos() int   { return n.At }
func (n *Exists) Pos() int  { return n.At }

func (*And) node()     {}
func (*Or) node()      {}
func (*Not) node()     {}
func (*All) node()     {}
func (*Text) node()    {}
func (*Match) node()   {}
func (*Compare) node() {}
func (*Range) node()   {}
func (*Exists) node()  {}

func (n *And) String() string { return join(n.Nodes, " AND ") }
func (n *Or) String() string  { return join(n.Nodes, " OR ") }
func (n *Not) String() string { return "NOT " + n.X.String() }
func (n *All) String() string { return "*" }
func (n *Text) String() string {
	return n.Value.format(ctxText)
}

func (n *Match) String() string {
	return n.Field.Name + ":" + n.Value.format(ctxValue)
}

func (n *Compare) String() string {
	return n.Field.Name + ":" + n.Op.String() + n.Value.format(ctxValue)
}

func (n *Range) String() string {
	var b strings.Builder
	b.WriteString(n.Field.Name)
	b.WriteString(":")
	if n.LoIncl {
		b.WriteByte('[')
	} else {
		b.WriteByte('{')
	}
	b.WriteString(formatBound(n.Lo))
	b.WriteString(" TO ")
	b.WriteString(formatBound(n.Hi))
	if n.HiIncl {
		b.WriteByte(']')
	} else {
		b.WriteByte('}')
	}
	return b.String()
}

func (n *Exists) String() string { return "_exists_:" + n.Field.Name }

func join(nodes []Node, sep string) string {
	parts := make([]string, len(nodes))
	for i, c := range nodes {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func formatBound(v *Value) string {
	if v == nil {
		return "*"
	}
	return v.format(ctxBound)
}

// Contexts a value is printed in; each needs different characters escaped
// so that the text parses back to the same value.
const (
	ctxText  = iota // free text: ':' would make a field, a leading sign an operator
	ctxValue        // after field: a leading '<' or '>' would make a comparison
	ctxBound        // inside a range
)

func (v Value) format(ctx int) string {
	if v.Quoted {
		return quote(v.Text)
	}
	if v.Glob != "" {
		return escapeWord(v.Glob, ctx, true)
	}
	return escapeWord(v.Text, ctx, false)
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// escapeWord writes s as a bare word. For a glob, the escapes \*, \? and
// \\ are kept and the unescaped wildcards stay live.
func escapeWord(s string, ctx int, glob bool) string {
	if s == "" {
		return `""`
	}
	var b strings.Builder
	switch strings.ToUpper(s) {
	case "AND", "OR", "NOT", "TO", "&&", "||":
		b.WriteByte('\\')
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Keep invalid bytes as they are; an escape keeps them in the word.
			b.WriteByte('\\')
			b.WriteByte(s[i])
			i++
			continue
		}
		switch {
		case glob && r == '\\':
			_, n := utf8.DecodeRuneInString(s[i+1:])
			b.WriteString(s[i : i+1+n])
			i += 1 + n
			continue
		case glob && (r == '*' || r == '?'):
		case r == '\\' || r == '*' || r == '?' || special(r) || unicode.IsControl(r):
			b.WriteByte('\\')
		case i == 0 && (r == '-' || r == '+') && ctx == ctxText:
			b.WriteByte('\\')
		case i == 0 && (r == '<' || r == '>') && ctx == ctxValue:
			b.WriteByte('\\')
		case r == ':' && ctx == ctxText:
			b.WriteByte('\\')
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}
