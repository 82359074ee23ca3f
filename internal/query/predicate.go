package query

import (
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flowsift/flowsift/internal/record"
)

// Predicate reports whether a record matches a query. It is safe for
// concurrent use.
type Predicate func(r *record.Record) bool

// NewPredicate compiles a query into a Go predicate with the same meaning
// as the SQL [Compile] produces, tenant and time range included. It filters
// live records, and it is the reference the SQL is tested against.
//
// A field is absent from a record when its Get reports no value or when
// the record's dataset does not carry it; the store writes NULL for
// exactly those.
func NewPredicate(n Node, opts Options) (Predicate, error) {
	if opts.Tenant == "" {
		return nil, ErrNoTenant
	}
	match, err := predicate(n, 0)
	if err != nil {
		return nil, err
	}
	tenant, from, to := opts.Tenant, opts.From, opts.To
	// The store keeps microseconds; compare as it does.
	from, to = from.Truncate(time.Microsecond), to.Truncate(time.Microsecond)
	return func(r *record.Record) bool {
		if r.Tenant != tenant {
			return false
		}
		ts := r.Timestamp.Truncate(time.Microsecond)
		if !from.IsZero() && (r.Timestamp.IsZero() || ts.Before(from)) {
			return false
		}
		if !to.IsZero() && (r.Timestamp.IsZero() || !ts.Before(to)) {
			return false
		}
		return match(r)
	}, nil
}

// present loads f's value from r and reports whether the record has it.
func present(f *record.Field, r *record.Record, v *record.Value) bool {
	if f.Datasets != nil {
		ok := false
		for _, d := range f.Datasets {
			if d == r.Event.Dataset {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return f.Get(r, v)
}

func predicate(n Node, depth int) (Predicate, error) {
	if depth > 2*MaxDepth+MaxTerms {
		return nil, errorf(n.Pos(), "query nested too deeply")
	}
	switch n := n.(type) {
	case *And:
		ps, err := predicates(n.Nodes, depth)
		if err != nil {
			return nil, err
		}
		return func(r *record.Record) bool {
			for _, p := range ps {
				if !p(r) {
					return false
				}
			}
			return true
		}, nil
	case *Or:
		ps, err := predicates(n.Nodes, depth)
		if err != nil {
			return nil, err
		}
		return func(r *record.Record) bool {
			for _, p := range ps {
				if p(r) {
					return true
				}
			}
			return false
		}, nil
	case *Not:
		p, err := predicate(n.X, depth+1)
		if err != nil {
			return nil, err
		}
		return func(r *record.Record) bool { return !p(r) }, nil
	case *All:
		return func(*record.Record) bool { return true }, nil
	case *Exists:
		f := n.Field
		return func(r *record.Record) bool {
			var v record.Value
			return present(f, r, &v)
		}, nil
	case *Text:
		return textPredicate(n.Value), nil
	case *Match:
		op, err := matchOperand(n.Field, n.Value)
		if err != nil {
			return nil, err
		}
		return fieldPredicate(n.Field, op), nil
	case *Compare:
		iv, err := compareInterval(n)
		if err != nil {
			return nil, err
		}
		return fieldPredicate(n.Field, operand{iv: iv}), nil
	case *Range:
		iv, err := rangeInterval(n)
		if err != nil {
			return nil, err
		}
		return fieldPredicate(n.Field, operand{iv: iv}), nil
	case nil:
		return nil, errorf(0, "nil node")
	}
	return nil, errorf(n.Pos(), "unknown node %T", n)
}

func predicates(nodes []Node, depth int) ([]Predicate, error) {
	if len(nodes) == 0 {
		return nil, errorf(0, "empty AND or OR")
	}
	ps := make([]Predicate, len(nodes))
	for i, x := range nodes {
		p, err := predicate(x, depth+1)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	return ps, nil
}

// fieldPredicate tests one field against an operand, as compiler.operand
// does in SQL.
func fieldPredicate(f *record.Field, op operand) Predicate {
	sm := newStringMatcher(op, true)
	return func(r *record.Record) bool {
		var v record.Value
		if !present(f, r, &v) {
			return false
		}
		switch f.Type {
		case record.TypeBool:
			return v.Bool == op.boolean
		case record.TypeString:
			return sm(v.Str)
		case record.TypeMAC:
			return sm(formatMAC(v.MAC))
		case record.TypeIP:
			if op.str {
				return sm(v.IP.String())
			}
			return op.iv.contains(ipKey(v.IP))
		case record.TypeStringList:
			for _, s := range v.Strs {
				if sm(s) {
					return true
				}
			}
			return false
		case record.TypeIntList:
			for _, x := range v.Ints {
				if op.iv.contains(int64(x)) {
					return true
				}
			}
			return false
		case record.TypeInt:
			return op.iv.contains(v.Int)
		case record.TypeTime:
			return op.iv.contains(v.Time.UTC().Truncate(time.Microsecond))
		}
		return false
	}
}

// textPredicate is free text, as compiler.text.
func textPredicate(val Value) Predicate {
	op := stringOperand(val)
	sm := newStringMatcher(op, false)
	var ipIv *interval
	if !val.Wild() {
		if first, last, ok := parseIPRange(val.Text); ok {
			ipIv = &interval{lo: &bound{v: first, incl: true}, hi: &bound{v: last, incl: true}}
		}
	}
	var fields []*record.Field
	for i := range record.Fields {
		if searchedByText(&record.Fields[i]) {
			fields = append(fields, &record.Fields[i])
		}
	}
	var ids []*record.Field
	var id string
	if !val.Wild() {
		ids, id = idTerm(val.Text)
	}
	return func(r *record.Record) bool {
		var v record.Value
		for _, f := range ids {
			if present(f, r, &v) && v.Str == id {
				return true
			}
		}
		for _, f := range fields {
			if !present(f, r, &v) {
				continue
			}
			switch f.Type {
			case record.TypeString:
				if sm(v.Str) {
					return true
				}
			case record.TypeMAC:
				if sm(formatMAC(v.MAC)) {
					return true
				}
			case record.TypeStringList:
				for _, s := range v.Strs {
					if sm(s) {
						return true
					}
				}
			case record.TypeIP:
				if ipIv != nil {
					if ipIv.contains(ipKey(v.IP)) {
						return true
					}
				} else if sm(v.IP.String()) {
					return true
				}
			}
		}
		return false
	}
}

// contains reports whether x (int64, netip.Addr or time.Time, as the
// bounds) lies in the interval.
func (iv interval) contains(x any) bool {
	if iv.lo != nil {
		c := compareAny(x, iv.lo.v)
		if c < 0 || (c == 0 && !iv.lo.incl) {
			return false
		}
	}
	if iv.hi != nil {
		c := compareAny(x, iv.hi.v)
		if c > 0 || (c == 0 && !iv.hi.incl) {
			return false
		}
	}
	return true
}

func compareAny(a, b any) int {
	switch a := a.(type) {
	case int64:
		b := b.(int64)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case netip.Addr:
		return a.Compare(b.(netip.Addr))
	case time.Time:
		return a.Compare(b.(time.Time))
	}
	return 0
}

// newStringMatcher returns a case-insensitive matcher for a string operand:
// the whole value when anchored, a substring otherwise, as the SQL's
// lower(x) = ?, contains(lower(x), ?) and ILIKE.
func newStringMatcher(op operand, anchored bool) func(string) bool {
	if op.glob == "" {
		want := op.lower
		if anchored {
			return func(s string) bool { return strings.ToLower(s) == want }
		}
		return func(s string) bool { return strings.Contains(strings.ToLower(s), want) }
	}
	g := compileGlob(strings.ToLower(op.glob), anchored)
	return func(s string) bool { return g.match(strings.ToLower(s)) }
}

// glob is a compiled wildcard pattern: * any run of characters, ? one
// character. It matches in O(len(s)·len(pattern)) time at worst.
type glob []globTok

type globTok struct {
	kind byte // 'l' literal rune, '?' one rune, '*' any run
	r    rune
}

func compileGlob(pattern string, anchored bool) glob {
	var g glob
	if !anchored {
		g = append(g, globTok{kind: '*'})
	}
	for i := 0; i < len(pattern); {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		switch {
		case r == '\\' && i+size < len(pattern):
			i += size
			r, size = utf8.DecodeRuneInString(pattern[i:])
			g = append(g, globTok{kind: 'l', r: r})
		case r == '*':
			if len(g) == 0 || g[len(g)-1].kind != '*' {
				g = append(g, globTok{kind: '*'})
			}
		case r == '?':
			g = append(g, globTok{kind: '?'})
		default:
			g = append(g, globTok{kind: 'l', r: r})
		}
		i += size
	}
	if !anchored && g[len(g)-1].kind != '*' {
		g = append(g, globTok{kind: '*'})
	}
	return g
}

// match is the classic two-pointer wildcard match with backtracking to the
// last star.
func (g glob) match(s string) bool {
	rs := []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(rs) {
		switch {
		case pi < len(g) && (g[pi].kind == '?' || (g[pi].kind == 'l' && g[pi].r == rs[si])):
			pi++
			si++
		case pi < len(g) && g[pi].kind == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(g) && g[pi].kind == '*' {
		pi++
	}
	return pi == len(g)
}
