package query

import (
	"net/netip"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/record"
)

// Dialect writes the SQL of one database. The compiler decides what a
// query means; a dialect only spells it. Field names reach the SQL text
// only through Column and IPNumColumn, which derive them from the schema
// table, and values only through Params. A dialect for another database is
// one added file implementing this interface.
//
// This interface is larger than our usual one to three methods: it is the
// list of SQL forms the compiler needs, and splitting it would only scatter
// one database's spelling over several types.
type Dialect interface {
	// Column returns the quoted column holding f's value.
	Column(f *record.Field) string
	// IPNumColumn returns the quoted column holding the IP field f as a
	// number that sorts as the addresses do (see IPNum).
	IPNumColumn(f *record.Field) string
	// Placeholder returns the marker of the n-th bound argument, from 1.
	Placeholder(n int) string
	// IPNum binds the address a, in the numeric form of IPNumColumn, and
	// returns the expression that reads it.
	IPNum(p *Params, a netip.Addr) string
	// Time binds t (UTC) and returns the expression that reads it.
	Time(p *Params, t time.Time) string
	// Lower returns the expression for expr lower-cased.
	Lower(expr string) string
	// ILike returns a case-insensitive LIKE of expr against the pattern
	// in ph, where \ escapes %, _ and itself.
	ILike(expr, ph string) string
	// Contains returns whether the lower-cased expr contains the
	// (lower-cased) string in ph.
	Contains(expr, ph string) string
	// ListContains returns whether the list column col holds the value in
	// ph.
	ListContains(col, ph string) string
	// ListAny returns whether some element of the list column col
	// satisfies cond, which is given the name of the element variable.
	ListAny(col string, cond func(elem string) string) string
	// TextColumn returns the quoted column of the store's search text
	// (see TextFields), or "" when the store keeps none and free text
	// looks into every column.
	TextColumn() string
	// ContainsLowered returns whether the already lower-cased expr
	// contains the (lower-cased) string in ph.
	ContainsLowered(expr, ph string) string
}

// TextSeparator joins the values of a record's search text, so that a
// free-text term cannot match across two fields.
const TextSeparator = "\x1f"

// TextFields are the fields a store may join, lower-cased and separated by
// TextSeparator, into one search-text column for fast free text: every
// string, MAC and string-list field free text looks into. IP fields are
// left out: free text reads them column by column, matching an address
// or range by value.
func TextFields() []*record.Field {
	var out []*record.Field
	for i := range record.Fields {
		if f := &record.Fields[i]; inText(f) {
			out = append(out, f)
		}
	}
	return out
}

func inText(f *record.Field) bool {
	return searchedByText(f) && f.Type != record.TypeIP
}

// Params collects the arguments bound by a compilation.
type Params struct {
	d    Dialect
	Args []any
}

// Add binds v and returns its placeholder.
func (p *Params) Add(v any) string {
	p.Args = append(p.Args, v)
	return p.d.Placeholder(len(p.Args))
}

// Options scope a compiled query.
type Options struct {
	// Tenant is the tenant searched; it is required.
	Tenant string
	// From and To, when not zero, keep records with From <= @timestamp <
	// To: the API's relative time (--since 24h) and absolute time range.
	From, To time.Time
	// Dialect spells the SQL; nil means DuckDB.
	Dialect Dialect
}

// SQL is a compiled query: a WHERE condition (without the keyword) and
// the arguments for its placeholders, in order.
type SQL struct {
	Where string
	Args  []any
}

// Compile compiles a query into a SQL condition with bound arguments. The
// condition always starts with the tenant: tenant_id = ?. Values of the
// query never appear in the SQL text, only in Args.
func Compile(n Node, opts Options) (SQL, error) {
	if opts.Tenant == "" {
		return SQL{}, ErrNoTenant
	}
	d := opts.Dialect
	if d == nil {
		d = DuckDB{}
	}
	c := &compiler{d: d, p: &Params{d: d}}
	tenant, _ := record.Lookup("tenant.id")
	ts, _ := record.Lookup("@timestamp")
	parts := []string{d.Column(tenant) + " = " + c.p.Add(opts.Tenant)}
	if !opts.From.IsZero() {
		parts = append(parts, d.Column(ts)+" >= "+d.Time(c.p, opts.From.UTC()))
	}
	if !opts.To.IsZero() {
		parts = append(parts, d.Column(ts)+" < "+d.Time(c.p, opts.To.UTC()))
	}
	if _, all := n.(*All); !all {
		expr, err := c.node(n, 0)
		if err != nil {
			return SQL{}, err
		}
		parts = append(parts, "("+expr+")")
	}
	return SQL{Where: strings.Join(parts, " AND "), Args: c.p.Args}, nil
}

type compiler struct {
	d Dialect
	p *Params
}

// node compiles n. Conditions on an absent field are NULL in SQL; NOT maps
// NULL to FALSE first, so that a negated condition matches records without
// the field, as the predicate does. AND and OR need no such care: NULL
// behaves as FALSE through them.
func (c *compiler) node(n Node, depth int) (string, error) {
	if depth > 2*MaxDepth+MaxTerms {
		return "", errorf(n.Pos(), "query nested too deeply")
	}
	switch n := n.(type) {
	case *And:
		return c.list(n.Nodes, " AND ", depth)
	case *Or:
		return c.list(n.Nodes, " OR ", depth)
	case *Not:
		x, err := c.node(n.X, depth+1)
		if err != nil {
			return "", err
		}
		return "NOT COALESCE(" + x + ", FALSE)", nil
	case *All:
		return "TRUE", nil
	case *Exists:
		return c.d.Column(n.Field) + " IS NOT NULL", nil
	case *Text:
		return c.text(n.Value), nil
	case *Match:
		op, err := matchOperand(n.Field, n.Value)
		if err != nil {
			return "", err
		}
		return c.operand(n.Field, op), nil
	case *Compare:
		iv, err := compareInterval(n)
		if err != nil {
			return "", err
		}
		return c.operand(n.Field, operand{iv: iv}), nil
	case *Range:
		iv, err := rangeInterval(n)
		if err != nil {
			return "", err
		}
		return c.operand(n.Field, operand{iv: iv}), nil
	case nil:
		return "", errorf(0, "nil node")
	}
	return "", errorf(n.Pos(), "unknown node %T", n)
}

func (c *compiler) list(nodes []Node, sep string, depth int) (string, error) {
	if len(nodes) == 0 {
		return "", errorf(0, "empty %s", strings.TrimSpace(sep))
	}
	parts := make([]string, len(nodes))
	for i, x := range nodes {
		s, err := c.node(x, depth+1)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, sep) + ")", nil
}

// operand compiles a condition on one field.
func (c *compiler) operand(f *record.Field, op operand) string {
	col := c.d.Column(f)
	switch f.Type {
	case record.TypeBool:
		return col + " = " + c.p.Add(op.boolean)
	case record.TypeString, record.TypeMAC:
		return c.str(col, op, true)
	case record.TypeIP:
		if op.str {
			return c.str(col, op, true)
		}
		return c.ordered(c.d.IPNumColumn(f), f.Type, op.iv)
	case record.TypeStringList:
		return c.d.ListAny(col, func(x string) string { return c.str(x, op, true) })
	case record.TypeIntList:
		if lo, hi := op.iv.lo, op.iv.hi; lo != nil && hi != nil && lo.incl && hi.incl && lo.v == hi.v {
			return c.d.ListContains(col, c.p.Add(lo.v))
		}
		return c.d.ListAny(col, func(x string) string { return c.ordered(x, f.Type, op.iv) })
	}
	return c.ordered(col, f.Type, op.iv)
}

// str compiles a case-insensitive string comparison on expr: whole value
// when anchored, substring otherwise.
func (c *compiler) str(expr string, op operand, anchored bool) string {
	switch {
	case op.glob != "":
		return c.d.ILike(expr, c.p.Add(likePattern(op.glob, anchored)))
	case anchored:
		return c.d.Lower(expr) + " = " + c.p.Add(op.lower)
	}
	return c.d.Contains(expr, c.p.Add(op.lower))
}

// ordered compiles an interval condition on expr.
func (c *compiler) ordered(expr string, t record.Type, iv interval) string {
	bind := func(v any) string {
		switch v := v.(type) {
		case netip.Addr:
			return c.d.IPNum(c.p, v)
		case time.Time:
			return c.d.Time(c.p, v)
		}
		return c.p.Add(v)
	}
	lo, hi := iv.lo, iv.hi
	switch {
	case lo == nil && hi == nil:
		return expr + " IS NOT NULL"
	case lo != nil && hi != nil && lo.incl && hi.incl:
		if lo.v == hi.v {
			return expr + " = " + bind(lo.v)
		}
		return expr + " BETWEEN " + bind(lo.v) + " AND " + bind(hi.v)
	}
	var parts []string
	if lo != nil {
		op := " > "
		if lo.incl {
			op = " >= "
		}
		parts = append(parts, expr+op+bind(lo.v))
	}
	if hi != nil {
		op := " < "
		if hi.incl {
			op = " <= "
		}
		parts = append(parts, expr+op+bind(hi.v))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// text compiles free text: a substring of any text field, or, for an
// address or CIDR, the IP fields by value.
func (c *compiler) text(v Value) string {
	var op operand
	if v.Wild() {
		op = operand{str: true, glob: v.Glob}
	} else {
		op = operand{str: true, lower: strings.ToLower(v.Text)}
	}
	var ipIv *interval
	if !v.Wild() {
		if first, last, ok := parseIPRange(v.Text); ok {
			ipIv = &interval{lo: &bound{v: first, incl: true}, hi: &bound{v: last, incl: true}}
		}
	}
	var parts []string
	if !v.Wild() {
		fs, id := idTerm(v.Text)
		for _, f := range fs {
			parts = append(parts, c.d.Column(f)+" = "+c.p.Add(id))
		}
	}
	textCol := ""
	if !v.Wild() && !strings.Contains(op.lower, TextSeparator) {
		textCol = c.d.TextColumn()
	}
	if textCol != "" {
		parts = append(parts, c.d.ContainsLowered(textCol, c.p.Add(op.lower)))
	}
	for i := range record.Fields {
		f := &record.Fields[i]
		if !searchedByText(f) || textCol != "" && inText(f) {
			continue
		}
		col := c.d.Column(f)
		switch f.Type {
		case record.TypeString, record.TypeMAC:
			parts = append(parts, c.str(col, op, false))
		case record.TypeStringList:
			parts = append(parts, c.d.ListAny(col, func(x string) string { return c.str(x, op, false) }))
		case record.TypeIP:
			if ipIv != nil {
				parts = append(parts, c.ordered(c.d.IPNumColumn(f), f.Type, *ipIv))
			} else {
				parts = append(parts, c.str(col, op, false))
			}
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// searchedByText reports whether free text looks into f: every text-like
// field but the tenant, which every query is already scoped to; the
// record identifiers, which free text matches whole (idTerm); and the
// flow codes (history, TCP flags, packet directions), strings of letters
// that a word would match by accident: they are searched by field.
func searchedByText(f *record.Field) bool {
	switch f.Type {
	case record.TypeString, record.TypeMAC, record.TypeStringList, record.TypeIP:
		return f.Name != "tenant.id" && !identifiers[f.Name] && !codes[f.Name]
	}
	return false
}

// identifiers are the fields holding record identifiers: random strings
// nobody searches a part of, which would only weigh on the search text.
var identifiers = map[string]bool{"event.id": true, "flow.id": true, "flow.parent_id": true, "network.community_id": true}

// codes are the flow fields written in one-letter codes.
var codes = map[string]bool{"flow.history": true, "flow.source.tcp_flags": true, "flow.destination.tcp_flags": true, "flow.pattern.directions": true}

// idTerm returns the identifier fields a free-text term has the shape of,
// and the value as those fields spell it: a Community ID ("1:" and 28
// base64 characters), an event.id (26 characters of Crockford base32,
// upper case) or a flow.id (16 hex digits, lower case).
func idTerm(text string) ([]*record.Field, string) {
	look := func(names ...string) []*record.Field {
		var fs []*record.Field
		for _, n := range names {
			if f, ok := record.Lookup(n); ok {
				fs = append(fs, f)
			}
		}
		return fs
	}
	switch {
	case len(text) == 30 && strings.HasPrefix(text, "1:") && strings.HasSuffix(text, "=") && allIn(text[2:29], base64Chars):
		return look("network.community_id"), text
	case len(text) == 26 && allIn(strings.ToUpper(text), crockford):
		return look("event.id"), strings.ToUpper(text)
	case len(text) == 16 && allIn(strings.ToLower(text), "0123456789abcdef"):
		return look("flow.id", "flow.parent_id"), strings.ToLower(text)
	}
	return nil, ""
}

const (
	base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	crockford   = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}
