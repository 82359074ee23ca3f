package query

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/record"
)

// operand is a value interpreted for the type of its field. Exactly one
// of the string or ordered forms is used.
type operand struct {
	// String comparison (strings, string lists, MAC addresses, wildcards
	// on IP addresses), ignoring case.
	str   bool
	lower string // literal value, lower-cased; used when glob is empty
	glob  string // glob syntax (see Value.Glob) when the value has wildcards

	// Ordered comparison (numbers, number lists, times, IP addresses).
	iv interval

	// Boolean equality.
	boolean bool
}

// bound is one end of an interval. v is an int64, a netip.Addr in its
// 16-byte form or a time.Time in UTC.
type bound struct {
	v    any
	incl bool
}

// interval is the set of values between two optional bounds.
type interval struct {
	lo, hi *bound
}

// after returns the bound just above b: the lower bound of "> b".
func (b *bound) after() *bound { return &bound{v: b.v, incl: !b.incl} }

// kindName returns "long", "ip", ... with the field name, for messages.
func fieldDesc(f *record.Field) string {
	return fmt.Sprintf("%s (%s)", f.Name, f.Type)
}

// ordered reports whether the field's values can be compared and ranged.
func ordered(t record.Type) bool {
	switch t {
	case record.TypeInt, record.TypeIntList, record.TypeTime, record.TypeIP:
		return true
	}
	return false
}

// matchOperand interprets v as the operand of field:v.
func matchOperand(f *record.Field, v Value) (operand, error) {
	switch f.Type {
	case record.TypeString, record.TypeStringList:
		if f.Type == record.TypeString && !v.Quoted && !v.Wild() && strings.Contains(v.Text, "/") {
			if _, err := netip.ParsePrefix(v.Text); err == nil {
				return operand{}, errorf(v.At, "%s: CIDR %q needs an IP field such as %s (quote it to search the text)",
					fieldDesc(f), v.Text, ipFieldNames())
			}
		}
		return stringOperand(v), nil
	case record.TypeMAC:
		if v.Wild() {
			return operand{str: true, glob: strings.ReplaceAll(v.Glob, ":", "-")}, nil
		}
		hw, err := net.ParseMAC(v.Text)
		if err != nil || len(hw) != 6 {
			return operand{}, errorf(v.At, "%s: %q is not a MAC address (write 00-1a-2b-3c-4d-5e)", fieldDesc(f), short(v.Text))
		}
		var m [6]byte
		copy(m[:], hw)
		return operand{str: true, lower: strings.ToLower(formatMAC(m))}, nil
	case record.TypeBool:
		if v.Wild() {
			return operand{}, errorf(v.At, "%s: wildcards need a text field, not %q", fieldDesc(f), short(v.Text))
		}
		switch strings.ToLower(v.Text) {
		case "true":
			return operand{boolean: true}, nil
		case "false":
			return operand{boolean: false}, nil
		}
		return operand{}, errorf(v.At, "%s: %q is not true or false", fieldDesc(f), short(v.Text))
	case record.TypeIP:
		if v.Wild() {
			return operand{str: true, glob: v.Glob}, nil
		}
	}
	lo, hi, err := orderedValue(f, v)
	if err != nil {
		return operand{}, err
	}
	return operand{iv: interval{lo: lo, hi: hi}}, nil
}

func stringOperand(v Value) operand {
	if v.Wild() {
		return operand{str: true, glob: v.Glob}
	}
	return operand{str: true, lower: strings.ToLower(v.Text)}
}

// orderedValue interprets v on a number, time or IP field as the closed or
// half-open set of values it covers: one number, one address or a CIDR's
// addresses, the day or second a time names.
func orderedValue(f *record.Field, v Value) (lo, hi *bound, err error) {
	if v.Wild() {
		return nil, nil, errorf(v.At, "%s: wildcards need a text field, not %q", fieldDesc(f), short(v.Text))
	}
	switch f.Type {
	case record.TypeInt, record.TypeIntList:
		n, err := strconv.ParseInt(v.Text, 10, 64)
		if err != nil {
			return nil, nil, errorf(v.At, "%s: %q is not a number", fieldDesc(f), short(v.Text))
		}
		return &bound{v: n, incl: true}, &bound{v: n, incl: true}, nil
	case record.TypeIP:
		first, last, ok := parseIPRange(v.Text)
		if !ok {
			return nil, nil, errorf(v.At, "%s: %q is not an IP address or CIDR", fieldDesc(f), short(v.Text))
		}
		return &bound{v: first, incl: true}, &bound{v: last, incl: true}, nil
	case record.TypeTime:
		t0, t1, ok := parseTime(v.Text)
		if !ok {
			return nil, nil, errorf(v.At, "%s: %q is not a date (write 2026-11-01, 2026-11-01T10:00 or 2026-11-01T10:00:00Z)", fieldDesc(f), short(v.Text))
		}
		return &bound{v: t0, incl: true}, &bound{v: t1, incl: false}, nil
	}
	return nil, nil, errorf(v.At, "%s: comparisons and ranges need a number, date or IP field", fieldDesc(f))
}

// compareInterval returns the interval a comparison selects.
func compareInterval(n *Compare) (interval, error) {
	if !ordered(n.Field.Type) {
		return interval{}, errorf(n.At, "%s does not support %s: comparisons need a number, date or IP field", fieldDesc(n.Field), n.Op)
	}
	lo, hi, err := orderedValue(n.Field, n.Value)
	if err != nil {
		return interval{}, err
	}
	switch n.Op {
	case OpGT:
		return interval{lo: hi.after()}, nil
	case OpGE:
		return interval{lo: lo}, nil
	case OpLT:
		return interval{hi: lo.after()}, nil
	case OpLE:
		return interval{hi: hi}, nil
	}
	return interval{}, errorf(n.At, "unknown comparison operator %d", n.Op)
}

// rangeInterval returns the interval a range selects.
func rangeInterval(n *Range) (interval, error) {
	if !ordered(n.Field.Type) {
		return interval{}, errorf(n.At, "%s does not support ranges: they need a number, date or IP field", fieldDesc(n.Field))
	}
	var iv interval
	if n.Lo != nil {
		lo, hi, err := orderedValue(n.Field, *n.Lo)
		if err != nil {
			return interval{}, err
		}
		iv.lo = lo
		if !n.LoIncl {
			iv.lo = hi.after()
		}
	}
	if n.Hi != nil {
		lo, hi, err := orderedValue(n.Field, *n.Hi)
		if err != nil {
			return interval{}, err
		}
		iv.hi = hi
		if !n.HiIncl {
			iv.hi = lo.after()
		}
	}
	return iv, nil
}

func checkCompare(n *Compare) error {
	_, err := compareInterval(n)
	return err
}

func checkRange(n *Range) error {
	_, err := rangeInterval(n)
	return err
}

// parseIPRange parses an address or CIDR and returns its first and last
// addresses in 16-byte form (IPv4 as ::ffff:a.b.c.d).
func parseIPRange(s string) (first, last netip.Addr, ok bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return first, last, false
		}
		p = p.Masked()
		bits := p.Bits()
		if p.Addr().Is4() {
			bits += 96
		}
		b := p.Addr().As16()
		for i := bits; i < 128; i++ {
			b[i/8] |= 0x80 >> (i % 8)
		}
		return netip.AddrFrom16(p.Addr().As16()), netip.AddrFrom16(b), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return first, last, false
	}
	a = netip.AddrFrom16(a.As16()) // drops any zone
	return a, a, true
}

// ipKey returns the address in the 16-byte form the store sorts on.
func ipKey(a netip.Addr) netip.Addr { return netip.AddrFrom16(a.As16()) }

// timeLayouts are the date forms accepted, each with the length of the
// interval it names (0: given by the fractional digits).
var timeLayouts = []struct {
	layout string
	month  bool
	step   time.Duration
}{
	{"2006-01", true, 0},
	{"2006-01-02", false, 24 * time.Hour},
	{"2006-01-02T15", false, time.Hour},
	{"2006-01-02T15Z07:00", false, time.Hour},
	{"2006-01-02T15:04", false, time.Minute},
	{"2006-01-02T15:04Z07:00", false, time.Minute},
	{"2006-01-02T15:04:05", false, time.Second},
	{"2006-01-02T15:04:05Z07:00", false, time.Second},
}

// parseTime parses a date or time and returns the interval [t0, t1) it
// names, in UTC with microsecond precision (the store's). Times without a
// zone are UTC.
func parseTime(s string) (t0, t1 time.Time, ok bool) {
	if len(s) < 7 || len(s) > 40 {
		return t0, t1, false
	}
	s = strings.ToUpper(s)
	for _, l := range timeLayouts {
		t, err := time.Parse(l.layout, s)
		if err != nil {
			continue
		}
		t = t.UTC()
		step := l.step
		if l.month {
			return t, t.AddDate(0, 1, 0), true
		}
		if dot := strings.IndexByte(s, '.'); dot >= 0 && step == time.Second {
			digits := 0
			for _, c := range s[dot+1:] {
				if c < '0' || c > '9' {
					break
				}
				digits++
			}
			step = time.Second
			for i := 0; i < digits && step > time.Microsecond; i++ {
				step /= 10
			}
			t = t.Truncate(time.Microsecond)
		}
		return t, t.Add(step), true
	}
	return t0, t1, false
}

func formatMAC(m [6]byte) string {
	return fmt.Sprintf("%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1], m[2], m[3], m[4], m[5])
}

func ipFieldNames() string {
	var names []string
	for i := range record.Fields {
		if f := &record.Fields[i]; f.Type == record.TypeIP && !strings.Contains(f.Name, ".nat.") {
			names = append(names, record.Fields[i].Name)
			if len(names) == 2 {
				break
			}
		}
	}
	return strings.Join(names, " or ")
}

// likePattern converts a glob into a SQL LIKE pattern escaped with \.
// anchored=false wraps it in % for "contains".
func likePattern(glob string, anchored bool) string {
	var b strings.Builder
	if !anchored {
		b.WriteByte('%')
	}
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch c {
		case '\\':
			if i+1 < len(glob) {
				i++
				c = glob[i]
			}
			if c == '%' || c == '_' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if !anchored {
		b.WriteByte('%')
	}
	return b.String()
}
