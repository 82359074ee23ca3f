package normalize

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/communityid"
	"github.com/flowsift/flowsift/internal/record"
)

// Recorder turns normalized events into records. Not safe for
// concurrent use: one per goroutine.
type Recorder struct {
	Observer string // observer.name when the line names none
	Tenant   string
	ids      *record.IDGenerator
	cid      *communityid.Hasher
}

// NewRecorder returns a Recorder stamping records with observer and
// tenant.
func NewRecorder(observer, tenant string) *Recorder {
	return &Recorder{Observer: observer, Tenant: tenant, ids: record.NewIDGenerator(), cid: communityid.New(0)}
}

// Record fills r from e. recv is when the line was received: the
// record's time when the line carries none. The record's strings are
// copies, so it outlives the line.
//
// Every field goes into r.Log, typed as the schema types it (a value the
// field's type cannot hold is kept under its name as the parser gave it,
// outside the schema); a TCP or UDP line with both addresses and ports
// gets a Community ID, so it joins the flows of the same connection.
func (rc *Recorder) Record(e *Event, recv time.Time, r *record.Record) {
	*r = record.Record{}
	r.Timestamp = e.Time.UTC()
	if e.Time.IsZero() || !Encodable(e.Time) {
		r.Timestamp = recv.UTC()
	}
	r.Event.Dataset = record.Dataset(strings.Clone(e.Dataset))
	r.Event.ID = rc.ids.Next(r.Timestamp)
	r.Tenant, r.Observer = rc.Tenant, rc.Observer
	l := &record.Log{Fields: make([]record.LogField, 0, len(e.Attrs)+1)}
	for i := range e.Attrs {
		a := &e.Attrs[i]
		switch a.Name {
		case "@timestamp", "event.dataset", "event.id", "tenant.id":
			continue // the record's own
		}
		if a.Value.Kind == KindTime && !Encodable(a.Value.Time) {
			continue
		}
		l.Fields = append(l.Fields, logField(a))
	}
	r.Log = l
	if _, ok := l.Get("network.community_id"); !ok {
		if id := rc.communityID(l); id != "" {
			i, _ := record.LookupIndex("network.community_id")
			l.Fields = append(l.Fields, record.LogField{Field: i, Name: "network.community_id", Type: record.TypeString, Value: record.Value{Str: id}})
		}
	}
}

// communityID hashes the connection a line describes, if it names one.
func (rc *Recorder) communityID(l *record.Log) string {
	ip := func(name string) netip.Addr {
		f, _ := l.Get(name)
		return f.Value.IP
	}
	num := func(name string) (int64, bool) {
		f, ok := l.Get(name)
		return f.Value.Int, ok && f.Type == record.TypeInt
	}
	src, dst := ip("source.ip"), ip("destination.ip")
	if !src.IsValid() || !dst.IsValid() {
		return ""
	}
	proto, ok := num("network.iana_number")
	if !ok {
		t, _ := l.Get("network.transport")
		switch strings.ToLower(t.Value.Str) {
		case "tcp":
			proto, ok = 6, true
		case "udp":
			proto, ok = 17, true
		case "icmp":
			proto, ok = 1, true
		case "ipv6-icmp", "icmpv6":
			proto, ok = 58, true
		case "sctp":
			proto, ok = 132, true
		}
	}
	if !ok || proto < 0 || proto > 255 {
		return ""
	}
	sp, hasSP := num("source.port")
	dp, hasDP := num("destination.port")
	if (proto == 6 || proto == 17 || proto == 132) && (!hasSP || !hasDP) {
		return ""
	}
	if sp < 0 || sp > 65535 || dp < 0 || dp > 65535 {
		return ""
	}
	return rc.cid.Sum(src, dst, uint8(proto), uint16(sp), uint16(dp)) //nolint:gosec // checked above
}

// logField converts one attribute, to the schema's type for its name when
// the schema has it and the value fits.
func logField(a *Attr) record.LogField {
	name := strings.Clone(a.Name)
	if i, ok := record.LookupIndex(a.Name); ok {
		t := record.Fields[i].Type
		if v, ok := convert(&a.Value, t); ok {
			return record.LogField{Field: i, Name: name, Value: v, Type: t}
		}
	}
	own := ownValue(&a.Value)
	return record.LogField{Field: -1, Name: name, Value: own.v, Type: own.t}
}

type typed struct {
	v record.Value
	t record.Type
}

// ownValue is a value in the type its kind suggests (floats as text).
func ownValue(v *Value) typed {
	switch v.Kind {
	case KindInt:
		return typed{record.Value{Int: v.Int}, record.TypeInt}
	case KindBool:
		return typed{record.Value{Bool: v.Bool}, record.TypeBool}
	case KindTime:
		return typed{record.Value{Time: v.Time.UTC()}, record.TypeTime}
	case KindIP:
		return typed{record.Value{IP: v.IP}, record.TypeIP}
	case KindStrings:
		return typed{record.Value{Strs: cloneStrs(v.Strs)}, record.TypeStringList}
	case KindFloat:
		return typed{record.Value{Str: strconv.FormatFloat(v.Float, 'f', -1, 64)}, record.TypeString}
	}
	return typed{record.Value{Str: strings.Clone(v.Str)}, record.TypeString}
}

func cloneStrs(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.Clone(s)
	}
	return out
}

// convert gives v the type t, when it can hold it.
func convert(v *Value, t record.Type) (record.Value, bool) {
	switch t {
	case record.TypeString:
		switch v.Kind {
		case KindString:
			return record.Value{Str: strings.Clone(v.Str)}, true
		case KindStrings:
			if len(v.Strs) == 1 {
				return record.Value{Str: strings.Clone(v.Strs[0])}, true
			}
			return record.Value{}, false
		case KindTime:
			return record.Value{}, false
		}
		return record.Value{Str: strings.Clone(v.String())}, true
	case record.TypeStringList:
		switch v.Kind {
		case KindStrings:
			return record.Value{Strs: cloneStrs(v.Strs)}, true
		case KindString:
			return record.Value{Strs: []string{strings.Clone(v.Str)}}, true
		}
	case record.TypeInt:
		switch v.Kind {
		case KindInt:
			return record.Value{Int: v.Int}, true
		case KindString:
			if n, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
				return record.Value{Int: n}, true
			}
		case KindFloat:
			if v.Float == float64(int64(v.Float)) {
				return record.Value{Int: int64(v.Float)}, true
			}
		}
	case record.TypeBool:
		if v.Kind == KindBool {
			return record.Value{Bool: v.Bool}, true
		}
	case record.TypeIP:
		switch v.Kind {
		case KindIP:
			return record.Value{IP: v.IP}, true
		case KindString:
			if a, ok := ParseIP(v.Str); ok {
				return record.Value{IP: a}, true
			}
		}
	case record.TypeTime:
		if v.Kind == KindTime {
			return record.Value{Time: v.Time.UTC()}, true
		}
	case record.TypeMAC:
		if v.Kind == KindString {
			if m, ok := parseMAC(v.Str); ok {
				return record.Value{MAC: m}, true
			}
		}
	}
	return record.Value{}, false
}

// parseMAC reads six hex bytes separated by ':', '-' or '.' groups.
func parseMAC(s string) ([6]byte, bool) {
	var m [6]byte
	hex := make([]byte, 0, 12)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			hex = append(hex, c)
		case c == ':' || c == '-' || c == '.':
		default:
			return m, false
		}
	}
	if len(hex) != 12 {
		return m, false
	}
	for i := range 6 {
		x, err := strconv.ParseUint(string(hex[2*i:2*i+2]), 16, 8)
		if err != nil {
			return m, false
		}
		m[i] = byte(x)
	}
	return m, true
}
