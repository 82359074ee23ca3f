package normalize

import (
	"net/netip"
	"strings"
	"time"
)

// Kind is the type held by a Value.
type Kind uint8

// The kinds of Value. KindStrings is an ordered list of strings (ECS
// arrays such as event.category).
const (
	KindString Kind = iota
	KindInt
	KindFloat
	KindBool
	KindTime
	KindIP
	KindStrings
)

var kindNames = [...]string{"string", "int", "float", "bool", "time", "ip", "strings"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + itoa(int64(k)) + ")"
}

// Value is one typed field value. Only the member named by Kind is
// meaningful.
//
// Str and Strs may alias the line being normalized (they are substrings of
// it, never copies): a consumer that keeps a Value after the next call to
// Normalizer.Normalize, or after the caller reuses the line's buffer, must
// copy it (Event.Clone does).
type Value struct {
	Kind  Kind
	Str   string
	Int   int64
	Float float64
	Bool  bool
	Time  time.Time
	IP    netip.Addr
	Strs  []string
}

// String renders the value as text (times as RFC 3339 in UTC, lists joined
// with commas), for messages and tests.
func (v Value) String() string {
	switch v.Kind {
	case KindString:
		return v.Str
	case KindInt:
		return itoa(v.Int)
	case KindFloat:
		return formatFloat(v.Float)
	case KindBool:
		if v.Bool {
			return "true"
		}
		return "false"
	case KindTime:
		return v.Time.UTC().Format(time.RFC3339Nano)
	case KindIP:
		return v.IP.String()
	case KindStrings:
		return strings.Join(v.Strs, ",")
	}
	return ""
}

// Attr is one named field of an Event. Name is a flattened ECS dotted name
// ("source.nat.ip") or a vendor namespace name ("panw.panos.source.zone").
type Attr struct {
	Name  string
	Value Value
}

// Event is one normalized log line. It is reused from line to line: Reset
// keeps its storage. Values may alias the line (see Value); an Event is not
// safe for concurrent use.
type Event struct {
	Time    time.Time // @timestamp; zero means "use the receive time"
	Dataset string    // "log.<vendor>.<type>", e.g. "log.panos.traffic"; the fallback parser uses "log.unparsed"
	Attrs   []Attr    // in the order set; a name appears at most once (a later Set replaces)

	// seen is a 128-bit filter of the names set so far: a Set whose name
	// misses the filter appends without scanning Attrs, which keeps an
	// event of 60 fields from costing 60²/2 string comparisons.
	seen [2]uint64
}

// Reset empties the event and keeps its storage.
func (e *Event) Reset() {
	clear(e.Attrs) // drop references to the previous line
	e.Attrs = e.Attrs[:0]
	e.Time = time.Time{}
	e.Dataset = ""
	e.seen = [2]uint64{}
}

func nameBit(name string) (word int, bit uint64) {
	n := len(name)
	if n == 0 {
		return 0, 1
	}
	h := uint(n)*31 + uint(name[n-1])*7 + uint(name[n/2])*3 + uint(name[n/3])
	return int(h>>6) & 1, 1 << (h & 63)
}

// slot returns the value to fill for name: the earlier value of that
// name, zeroed, or a new attribute. Writing the fields of a slot in place
// costs less than copying a whole Value (Values are large and hold
// pointers, so a copy runs the GC's bulk write barrier).
func (e *Event) slot(name string) *Value {
	w, b := nameBit(name)
	if e.seen[w]&b != 0 {
		for i := range e.Attrs {
			if e.Attrs[i].Name == name {
				e.Attrs[i].Value = Value{}
				return &e.Attrs[i].Value
			}
		}
	}
	e.seen[w] |= b
	n := len(e.Attrs)
	if n < cap(e.Attrs) {
		// Slots past len are zero: Reset and Delete clear what they drop.
		e.Attrs = e.Attrs[:n+1]
	} else {
		e.Attrs = append(e.Attrs, Attr{})
	}
	a := &e.Attrs[n]
	a.Name = name
	return &a.Value
}

// set stores v under name, replacing an earlier value of that name.
func (e *Event) set(name string, v Value) { *e.slot(name) = v }

// Set stores a value of any kind under name.
func (e *Event) Set(name string, v Value) { e.set(name, v) }

// Get returns the value stored under name.
func (e *Event) Get(name string) (Value, bool) {
	w, b := nameBit(name)
	if e.seen[w]&b == 0 {
		return Value{}, false
	}
	for i := range e.Attrs {
		if e.Attrs[i].Name == name {
			return e.Attrs[i].Value, true
		}
	}
	return Value{}, false
}

// GetStr returns the string stored under name, or "" when there is none or
// it is not a string.
func (e *Event) GetStr(name string) string {
	v, ok := e.Get(name)
	if !ok || v.Kind != KindString {
		return ""
	}
	return v.Str
}

// Has reports whether name is set.
func (e *Event) Has(name string) bool {
	_, ok := e.Get(name)
	return ok
}

// Delete removes name from the event, keeping the order of the others.
func (e *Event) Delete(name string) {
	for i := range e.Attrs {
		if e.Attrs[i].Name == name {
			copy(e.Attrs[i:], e.Attrs[i+1:])
			e.Attrs[len(e.Attrs)-1] = Attr{}
			e.Attrs = e.Attrs[:len(e.Attrs)-1]
			return // the filter bit may stay set: it only costs a scan
		}
	}
}

// Empty reports whether s carries no value: empty, or the "-" that many
// formats write for "none".
func Empty(s string) bool { return s == "" || s == "-" }

// SetStr sets a string; empty strings and "-" are skipped.
func (e *Event) SetStr(name, v string) {
	if Empty(v) {
		return
	}
	p := e.slot(name)
	p.Kind, p.Str = KindString, v
}

// SetStrEmpty sets a string even when it is empty (a few peers keep empty
// values, such as iptables' "OUT=").
func (e *Event) SetStrEmpty(name, v string) {
	p := e.slot(name)
	p.Kind, p.Str = KindString, v
}

// SetInt sets an integer.
func (e *Event) SetInt(name string, v int64) {
	p := e.slot(name)
	p.Kind, p.Int = KindInt, v
}

// SetIntStr parses s as a decimal integer and sets it; s that is empty,
// "-" or not a number is skipped and reported false.
func (e *Event) SetIntStr(name, s string) bool {
	n, ok := Atoi(s)
	if ok {
		p := e.slot(name)
		p.Kind, p.Int = KindInt, n
	}
	return ok
}

// SetFloat sets a floating-point number.
func (e *Event) SetFloat(name string, v float64) {
	p := e.slot(name)
	p.Kind, p.Float = KindFloat, v
}

// SetBool sets a boolean.
func (e *Event) SetBool(name string, v bool) {
	p := e.slot(name)
	p.Kind, p.Bool = KindBool, v
}

// SetTime sets a time; the zero time is skipped.
func (e *Event) SetTime(name string, t time.Time) {
	if t.IsZero() || !Encodable(t) {
		return
	}
	p := e.slot(name)
	p.Kind, p.Time = KindTime, t
}

// SetStrs sets a list of strings. The slice is kept, not copied: pass a
// package-level slice for constant lists (no allocation) and do not modify
// it afterwards. An empty list is skipped.
func (e *Event) SetStrs(name string, v ...string) {
	if len(v) == 0 {
		return
	}
	p := e.slot(name)
	p.Kind, p.Strs = KindStrings, v
}

// AppendStr appends v to the list stored under name (creating it), for
// fields such as event.type that several steps contribute to. Empty values
// and "-" are skipped. The list is copied on first append so a shared
// package-level slice is never modified.
func (e *Event) AppendStr(name, v string) {
	if Empty(v) {
		return
	}
	for i := range e.Attrs {
		a := &e.Attrs[i]
		if a.Name == name && a.Value.Kind == KindStrings {
			s := make([]string, len(a.Value.Strs), len(a.Value.Strs)+2)
			copy(s, a.Value.Strs)
			a.Value.Strs = append(s, v)
			return
		}
	}
	e.set(name, Value{Kind: KindStrings, Strs: []string{v}})
}

// SetIP parses s as an IPv4 or IPv6 address and sets it. Brackets
// ("[::1]") are removed and a zone ("fe80::1%eth0") is kept. An empty,
// "-" or invalid s is not set and reported false.
func (e *Event) SetIP(name, s string) bool {
	ip, ok := ParseIP(s)
	if ok {
		p := e.slot(name)
		p.Kind, p.IP = KindIP, ip
	}
	return ok
}

// SetAddr sets an already parsed address; an invalid one is skipped.
func (e *Event) SetAddr(name string, ip netip.Addr) {
	if ip.IsValid() {
		p := e.slot(name)
		p.Kind, p.IP = KindIP, ip
	}
}

// ParseIP parses an IPv4 or IPv6 address, tolerating brackets and
// surrounding spaces. IPv4-mapped IPv6 addresses are unmapped.
func ParseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	if len(s) < 2 || len(s) > 64 {
		return netip.Addr{}, false
	}
	// A cheap test first: netip.ParseAddr builds an error (allocating) for
	// each word that is not an address.
	c := s[0]
	if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':') {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// Clone returns a deep copy of the event whose strings no longer alias the
// line, for a consumer that keeps events.
func (e *Event) Clone() *Event {
	c := &Event{Time: e.Time, Dataset: strings.Clone(e.Dataset), seen: e.seen}
	c.Attrs = make([]Attr, len(e.Attrs))
	for i, a := range e.Attrs {
		a.Name = strings.Clone(a.Name) // a vendor namespace name may be cut from the line
		a.Value.Str = strings.Clone(a.Value.Str)
		if a.Value.Strs != nil {
			s := make([]string, len(a.Value.Strs))
			for j, x := range a.Value.Strs {
				s[j] = strings.Clone(x)
			}
			a.Value.Strs = s
		}
		c.Attrs[i] = a
	}
	return c
}
