package query

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/flowsift/flowsift/internal/record"
)

// Parse parses a query into its syntax tree, checking every field name and
// value against the record schema. The empty query matches everything.
//
// Grammar, loosest binding first (keywords are case-insensitive):
//
//	query   = or
//	or      = and { "OR" and }
//	and     = unary { [ "AND" ] unary }          // juxtaposition is AND
//	unary   = ( "NOT" | "-" ) unary | "+" unary | primary
//	primary = "(" or ")" | field ":" spec | "_exists_:" field | word | phrase
//	spec    = value | op value | range | "(" values ")"
//	values  = the or/and/unary grammar with value, op value and range as terms
//	op      = ">" | ">=" | "<" | "<="
//	range   = ( "[" | "{" ) bound "TO" bound ( "]" | "}" )
//	bound   = value | "*"
//	value   = word | phrase
//
// Errors are of type [*Error] and give the column of the fault.
func Parse(q string) (Node, error) {
	if len(q) > MaxLength {
		return nil, errorf(column(q, MaxLength), "query longer than %d bytes", MaxLength)
	}
	if !utf8.ValidString(q) {
		// The store's text columns hold UTF-8 only; such a value could not
		// even be bound.
		off := 0
		for off < len(q) {
			r, size := utf8.DecodeRuneInString(q[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, errorf(column(q, off), "query is not valid UTF-8")
	}
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{q: q, toks: toks}
	if p.peek().kind == tEOF {
		return &All{At: 1}, nil
	}
	n, err := p.parseOr(nil, 0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, p.errAt(t, "unmatched ')'")
		}
		return nil, p.errAt(t, "unexpected %s", p.describe(t))
	}
	return n, nil
}

type parser struct {
	q     string
	toks  []token
	i     int
	terms int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) col(off int) int { return column(p.q, off) }

func (p *parser) errAt(t token, format string, args ...any) *Error {
	return errorf(p.col(t.off), format, args...)
}

func (p *parser) describe(t token) string {
	switch t.kind {
	case tWord:
		return fmt.Sprintf("%q", t.text)
	case tAnd, tOr, tNot, tTo:
		return fmt.Sprintf("keyword %q (quote it to search for the word)", t.text)
	}
	return t.kind.String()
}

// startsTerm reports whether t can begin a unary expression.
func startsTerm(t token) bool {
	switch t.kind {
	case tWord, tPhrase, tLParen, tNot, tPlus, tMinus, tLBracket, tLBrace:
		return true
	}
	return false
}

// The parse functions take the field of an enclosing field:( … ) group, or
// nil at the top level, where terms are field conditions and free text.

func (p *parser) parseOr(f *record.Field, depth int) (Node, error) {
	first := p.peek()
	n, err := p.parseAnd(f, depth)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tOr {
		return n, nil
	}
	nodes := []Node{n}
	for p.peek().kind == tOr {
		op := p.next()
		if !startsTerm(p.peek()) {
			return nil, p.errAt(op, "OR needs a term after it")
		}
		n, err := p.parseAnd(f, depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return &Or{Nodes: nodes, At: p.col(first.off)}, nil
}

func (p *parser) parseAnd(f *record.Field, depth int) (Node, error) {
	first := p.peek()
	if first.kind == tAnd || first.kind == tOr {
		return nil, p.errAt(first, "%s needs a term before it", first.kind)
	}
	n, err := p.parseUnary(f, depth)
	if err != nil {
		return nil, err
	}
	nodes := []Node{n}
	for {
		t := p.peek()
		if t.kind == tAnd {
			p.next()
			if !startsTerm(p.peek()) {
				return nil, p.errAt(t, "AND needs a term after it")
			}
		} else if !startsTerm(t) {
			break
		}
		n, err := p.parseUnary(f, depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return &And{Nodes: nodes, At: p.col(first.off)}, nil
}

func (p *parser) parseUnary(f *record.Field, depth int) (Node, error) {
	t := p.peek()
	switch t.kind {
	case tNot, tMinus:
		if depth+1 > MaxDepth {
			return nil, p.errAt(t, "query nested deeper than %d levels", MaxDepth)
		}
		p.next()
		if !startsTerm(p.peek()) {
			return nil, p.errAt(t, "%s needs a term after it", t.kind)
		}
		x, err := p.parseUnary(f, depth+1)
		if err != nil {
			return nil, err
		}
		return &Not{X: x, At: p.col(t.off)}, nil
	case tPlus:
		p.next()
		if !startsTerm(p.peek()) {
			return nil, p.errAt(t, "'+' needs a term after it")
		}
		return p.parseUnary(f, depth)
	}
	return p.parsePrimary(f, depth)
}

func (p *parser) parsePrimary(f *record.Field, depth int) (Node, error) {
	t := p.peek()
	switch t.kind {
	case tLParen:
		if depth+1 > MaxDepth {
			return nil, p.errAt(t, "query nested deeper than %d levels", MaxDepth)
		}
		p.next()
		if p.peek().kind == tRParen {
			return nil, p.errAt(t, "empty parentheses")
		}
		n, err := p.parseOr(f, depth+1)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			if p.peek().kind == tEOF {
				return nil, p.errAt(t, "unclosed '('")
			}
			return nil, p.errAt(p.peek(), "unexpected %s", p.describe(p.peek()))
		}
		p.next()
		return n, nil
	case tLBracket, tLBrace:
		if f == nil {
			return nil, p.errAt(t, "a range needs a field: write field:[low TO high]")
		}
		return p.parseRange(f, p.col(t.off))
	case tWord, tPhrase:
		if err := p.countTerm(t); err != nil {
			return nil, err
		}
		if f != nil {
			return p.parseSpecWord(f, p.col(t.off))
		}
		if t.kind == tPhrase {
			p.next()
			return &Text{Value: Value{Text: t.text, Quoted: true, At: p.col(t.off)}}, nil
		}
		return p.parseWord(depth)
	}
	return nil, p.errAt(t, "unexpected %s", p.describe(t))
}

func (p *parser) countTerm(t token) error {
	p.terms++
	if p.terms > MaxTerms {
		return p.errAt(t, "more than %d terms in the query", MaxTerms)
	}
	return nil
}

// parseWord parses a top-level bare word: free text, or field:spec.
func (p *parser) parseWord(depth int) (Node, error) {
	t := p.next()
	at := p.col(t.off)
	c := firstColon(t.text)
	if c < 0 || looksLikeIP(t.text) {
		text, glob, _ := unescapeWord(t.text)
		if glob == "*" {
			return &All{At: at}, nil
		}
		return &Text{Value: Value{Text: text, Glob: glob, At: at}}, nil
	}
	name := t.text[:c]
	if name == "" {
		return nil, errorf(at, "missing field name before ':'")
	}
	rest := t.text[c+1:]
	restAt := p.col(t.off + c + 1)
	if name == "_exists_" {
		fname := rest
		if fname == "" {
			nt := p.peek()
			if nt.kind != tWord {
				return nil, errorf(restAt, "_exists_ needs a field name")
			}
			p.next()
			fname, restAt = nt.text, p.col(nt.off)
		}
		fld, err := lookupField(fname, restAt)
		if err != nil {
			return nil, err
		}
		return &Exists{Field: fld, At: at}, nil
	}
	fld, err := lookupField(name, at)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return p.spec(fld, at, rest, restAt)
	}
	// "field:" followed by a phrase, a group, a range or (after white
	// space) a word.
	nt := p.peek()
	switch nt.kind {
	case tPhrase, tWord:
		return p.parseSpecWord(fld, at)
	case tLParen:
		return p.parsePrimary(fld, depth)
	case tLBracket, tLBrace:
		return p.parseRange(fld, at)
	}
	return nil, errorf(restAt, "missing value after %q", name+":")
}

// parseSpecWord parses a word or phrase that is a value of field f.
func (p *parser) parseSpecWord(f *record.Field, at int) (Node, error) {
	t := p.next()
	if t.kind == tPhrase {
		v := Value{Text: t.text, Quoted: true, At: p.col(t.off)}
		return p.match(f, at, v)
	}
	return p.spec(f, at, t.text, p.col(t.off))
}

// spec parses the raw text after "field:" (or a word inside a group): a
// comparison or a value.
func (p *parser) spec(f *record.Field, at int, raw string, rawAt int) (Node, error) {
	var op Op
	switch {
	case strings.HasPrefix(raw, ">="):
		op, raw = OpGE, raw[2:]
	case strings.HasPrefix(raw, "<="):
		op, raw = OpLE, raw[2:]
	case strings.HasPrefix(raw, ">"):
		op, raw = OpGT, raw[1:]
	case strings.HasPrefix(raw, "<"):
		op, raw = OpLT, raw[1:]
	}
	if op == 0 {
		text, glob, _ := unescapeWord(raw)
		if glob == "*" {
			return &Exists{Field: f, At: at}, nil
		}
		return p.match(f, at, Value{Text: text, Glob: glob, At: rawAt})
	}
	var v Value
	if raw != "" {
		text, glob, _ := unescapeWord(raw)
		v = Value{Text: text, Glob: glob, At: rawAt + len(op.String())}
	} else {
		nt := p.peek()
		switch nt.kind {
		case tWord:
			p.next()
			text, glob, _ := unescapeWord(nt.text)
			v = Value{Text: text, Glob: glob, At: p.col(nt.off)}
		case tPhrase:
			p.next()
			v = Value{Text: nt.text, Quoted: true, At: p.col(nt.off)}
		default:
			return nil, errorf(rawAt+len(op.String()), "missing value after %q", op.String())
		}
	}
	n := &Compare{Field: f, Op: op, Value: v, At: at}
	if err := checkCompare(n); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) match(f *record.Field, at int, v Value) (Node, error) {
	n := &Match{Field: f, Value: v, At: at}
	if _, err := matchOperand(f, v); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) parseRange(f *record.Field, at int) (Node, error) {
	open := p.next()
	n := &Range{Field: f, LoIncl: open.kind == tLBracket, At: at}
	lo, err := p.parseBound(open)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tTo {
		return nil, p.errAt(t, "range needs TO between its bounds, found %s", p.describe(t))
	}
	to := p.next()
	hi, err := p.parseBound(to)
	if err != nil {
		return nil, err
	}
	switch t := p.next(); t.kind {
	case tRBracket:
		n.HiIncl = true
	case tRBrace:
	default:
		return nil, p.errAt(t, "range needs ']' or '}' after its upper bound, found %s", p.describe(t))
	}
	n.Lo, n.Hi = lo, hi
	if err := checkRange(n); err != nil {
		return nil, err
	}
	return n, nil
}

// parseBound parses a range bound: a word, a phrase or * (open). A sign
// directly before a word belongs to it: [-5 TO 5].
func (p *parser) parseBound(prev token) (*Value, error) {
	t := p.next()
	sign := ""
	if (t.kind == tMinus || t.kind == tPlus) && p.peek().kind == tWord && !p.peek().space {
		sign = p.q[t.off:t.end]
		w := p.next()
		w.off = t.off
		w.text = sign + w.text
		t = w
	}
	switch t.kind {
	case tWord:
		text, glob, _ := unescapeWord(t.text)
		if glob == "*" {
			return nil, nil
		}
		return &Value{Text: text, Glob: glob, At: p.col(t.off)}, nil
	case tPhrase:
		return &Value{Text: t.text, Quoted: true, At: p.col(t.off)}, nil
	}
	return nil, p.errAt(t, "range needs a bound after %s, found %s", prev.kind, p.describe(t))
}

// looksLikeIP reports whether a bare word is an IPv6 address or CIDR,
// whose colons must not be read as a field separator.
func looksLikeIP(raw string) bool {
	if strings.ContainsAny(raw, `\*?`) {
		return false
	}
	if strings.Contains(raw, "/") {
		_, err := netip.ParsePrefix(raw)
		return err == nil
	}
	_, err := netip.ParseAddr(raw)
	return err == nil
}

// lookupField resolves a field name, or fails naming the closest fields.
func lookupField(name string, at int) (*record.Field, error) {
	if f, ok := record.Lookup(name); ok {
		return f, nil
	}
	if s := suggest(name); s != "" {
		return nil, errorf(at, "unknown field %q (did you mean %s?)", short(name), s)
	}
	if strings.Contains(name, ".") {
		return nil, errorf(at, "unknown field %q (docs/schema.md lists the fields)", short(name))
	}
	return nil, errorf(at, "unknown field %q (quote text that holds ':' to search for it)", short(name))
}

// suggest returns the known field names closest to name, quoted and joined
// with "or", or "".
func suggest(name string) string {
	lower := strings.ToLower(name)
	if f, ok := record.Lookup(lower); ok {
		return fmt.Sprintf("%q", f.Name)
	}
	best, bestD := []string(nil), len(name)/3+2
	for i := range record.Fields {
		fn := record.Fields[i].Name
		d := editDistance(lower, fn)
		switch {
		case d < bestD:
			best, bestD = []string{fn}, d
		case d == bestD:
			best = append(best, fn)
		}
	}
	if len(best) == 0 {
		// A bare last component (port, ip) names every field ending in it.
		for i := range record.Fields {
			fn := record.Fields[i].Name
			if strings.HasSuffix(fn, "."+lower) {
				best = append(best, fn)
			}
		}
	}
	if len(best) == 0 {
		return ""
	}
	if len(best) > 3 {
		best = best[:3]
	}
	quoted := make([]string, len(best))
	for i, b := range best {
		quoted[i] = fmt.Sprintf("%q", b)
	}
	return strings.Join(quoted, " or ")
}

// editDistance is the Levenshtein distance between a and b, in bytes.
// Field names are ASCII.
func editDistance(a, b string) int {
	if len(a) > 64 {
		return len(a) // too long to be a typo of a field name
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
