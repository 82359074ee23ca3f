package store

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/record"
)

// AppendJSON appends the row as one JSON object nested as ECS nests it
// ({"source":{"ip":…}}), with absent fields left out, in the order of the
// row's fields. Strings are escaped as encoding/json escapes them
// (control characters, quotes, <, > and &), so the output is safe to
// embed.
func (r *Row) AppendJSON(dst []byte) []byte {
	type member struct {
		key  string
		leaf int // index into r.Values, or -1
		kids []*member
	}
	root := &member{leaf: -1}
	for i, f := range r.Fields {
		if !r.Present[i] {
			continue
		}
		n := root
		parts := strings.Split(f.Name, ".")
		for j, p := range parts {
			var c *member
			for _, k := range n.kids {
				if k.key == p && k.leaf < 0 {
					c = k
					break
				}
			}
			if c == nil || j == len(parts)-1 {
				c = &member{key: p, leaf: -1}
				n.kids = append(n.kids, c)
			}
			if j == len(parts)-1 {
				c.leaf = i
			}
			n = c
		}
	}
	var walk func(dst []byte, m *member) []byte
	walk = func(dst []byte, m *member) []byte {
		dst = append(dst, '{')
		for i, k := range m.kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k.key)
			dst = append(dst, ':')
			if k.leaf >= 0 {
				dst = AppendValueJSON(dst, r.Fields[k.leaf].Type, &r.Values[k.leaf])
			} else {
				dst = walk(dst, k)
			}
		}
		return append(dst, '}')
	}
	return walk(dst, root)
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

// AppendValueJSON appends one field value as JSON.
func AppendValueJSON(dst []byte, t record.Type, v *record.Value) []byte {
	switch t {
	case record.TypeInt:
		return strconv.AppendInt(dst, v.Int, 10)
	case record.TypeBool:
		return strconv.AppendBool(dst, v.Bool)
	case record.TypeIntList:
		dst = append(dst, '[')
		for i, x := range v.Ints {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(x), 10)
		}
		return append(dst, ']')
	case record.TypeStringList:
		dst = append(dst, '[')
		for i, x := range v.Strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, x)
		}
		return append(dst, ']')
	}
	return appendJSONString(dst, FormatValue(t, v))
}

// FormatValue renders a value as text, as it appears in JSON (times in
// RFC 3339 UTC, MACs as 00-1A-2B-3C-4D-5E, lists comma-separated).
func FormatValue(t record.Type, v *record.Value) string {
	switch t {
	case record.TypeString:
		return v.Str
	case record.TypeInt:
		return strconv.FormatInt(v.Int, 10)
	case record.TypeBool:
		return strconv.FormatBool(v.Bool)
	case record.TypeIP:
		return v.IP.String()
	case record.TypeTime:
		return v.Time.UTC().Format(time.RFC3339Nano)
	case record.TypeMAC:
		const hex = "0123456789ABCDEF"
		b := make([]byte, 0, 17)
		for i, x := range v.MAC {
			if i > 0 {
				b = append(b, '-')
			}
			b = append(b, hex[x>>4], hex[x&15])
		}
		return string(b)
	case record.TypeIntList:
		s := make([]string, len(v.Ints))
		for i, x := range v.Ints {
			s[i] = strconv.Itoa(int(x))
		}
		return strings.Join(s, ",")
	case record.TypeStringList:
		return strings.Join(v.Strs, ",")
	}
	return ""
}
