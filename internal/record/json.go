package record

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// node is one level of the nested JSON object built from dotted names.
type node struct {
	key      string
	quoted   []byte // "key": ready to write
	field    *Field // leaf
	children []*node
}

var jsonTree = buildTree(Fields)

// datasetTrees are jsonTree cut down to the fields each known dataset
// carries, so encoding a record does not visit (and call the getters of)
// the hundreds of fields of other datasets.
var datasetTrees = func() map[Dataset]*node {
	seen := map[Dataset]bool{}
	for _, f := range Fields {
		for _, d := range f.Datasets {
			seen[d] = true
		}
	}
	trees := map[Dataset]*node{}
	for d := range seen {
		var fs []Field
		for _, f := range Fields {
			if f.AppliesTo(d) {
				fs = append(fs, f)
			}
		}
		trees[d] = buildTree(fs)
	}
	return trees
}()

func buildTree(fields []Field) *node {
	root := &node{}
	for i := range fields {
		f := &fields[i]
		parts := strings.Split(f.Name, ".")
		n := root
		for j, p := range parts {
			var child *node
			for _, c := range n.children {
				if c.key == p {
					child = c
					break
				}
			}
			if child == nil {
				child = &node{key: p, quoted: append(appendString(nil, p), ':')}
				n.children = append(n.children, child)
			}
			if j == len(parts)-1 {
				if child.field != nil || len(child.children) > 0 {
					panic("record: field " + f.Name + " collides with another field")
				}
				child.field = f
			} else if child.field != nil {
				panic("record: field " + f.Name + " nests under leaf " + child.field.Name)
			}
			n = child
		}
	}
	return root
}

// AppliesTo reports whether records of dataset ds carry f.
func (f *Field) AppliesTo(ds Dataset) bool {
	if f.Datasets == nil || ds.IsLog() { // a log line may carry any field
		return true
	}
	for _, d := range f.Datasets {
		if d == ds {
			return true
		}
	}
	return false
}

// AppendJSON appends the record as one JSON object (no newline) to dst.
// Strings are escaped (control characters, quotes, HTML-sensitive <>&,
// invalid UTF-8 becomes U+FFFD), so the output is safe to embed.
func (r *Record) AppendJSON(dst []byte) []byte {
	v := valuePool.Get().(*Value)
	tree, ok := datasetTrees[r.Event.Dataset]
	if !ok {
		tree = jsonTree
	}
	dst, _ = appendNode(dst, tree, r, v)
	if r.Log != nil {
		dst = appendLogExtras(dst, r.Log)
	}
	*v = Value{scratch: v.scratch[:0]} // drop references to the record
	valuePool.Put(v)
	return dst
}

// valuePool holds scratch values: a Value handed to the getters escapes,
// so reusing one saves an allocation per record.
var valuePool = sync.Pool{New: func() any { return new(Value) }}

// appendNode writes the children of n as an object; it reports whether any
// member was written (empty objects are left out by the caller).
func appendNode(dst []byte, n *node, r *Record, v *Value) ([]byte, bool) {
	dst = append(dst, '{')
	wrote := false
	for _, c := range n.children {
		mark := len(dst)
		if wrote {
			dst = append(dst, ',')
		}
		dst = append(dst, c.quoted...)
		if c.field != nil {
			if !c.field.AppliesTo(r.Event.Dataset) || !c.field.Get(r, v) {
				dst = dst[:mark]
				continue
			}
			dst = appendValue(dst, c.field.Type, v)
		} else {
			var any bool
			dst, any = appendNode(dst, c, r, v)
			if !any {
				dst = dst[:mark]
				continue
			}
		}
		wrote = true
	}
	return append(dst, '}'), wrote
}

const hexDigits = "0123456789abcdef"

func appendValue(dst []byte, t Type, v *Value) []byte {
	switch t {
	case TypeString:
		return appendString(dst, v.Str)
	case TypeInt:
		return strconv.AppendInt(dst, v.Int, 10)
	case TypeBool:
		return strconv.AppendBool(dst, v.Bool)
	case TypeIP:
		dst = append(dst, '"')
		dst = v.IP.AppendTo(dst)
		return append(dst, '"')
	case TypeTime:
		dst = append(dst, '"')
		dst = appendTime(dst, v.Time)
		return append(dst, '"')
	case TypeMAC:
		dst = append(dst, '"')
		for i, b := range v.MAC {
			if i > 0 {
				dst = append(dst, '-')
			}
			dst = append(dst, upperHex[b>>4], upperHex[b&15])
		}
		return append(dst, '"')
	case TypeIntList:
		dst = append(dst, '[')
		for i, x := range v.Ints {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(x), 10)
		}
		return append(dst, ']')
	case TypeStringList:
		dst = append(dst, '[')
		for i, s := range v.Strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

const upperHex = "0123456789ABCDEF"

// appendString writes s as a JSON string. Attacker-controlled bytes are
// made safe: control characters and <, >, & are \u-escaped and invalid
// UTF-8 is replaced by U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&15])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonSafe marks the ASCII bytes that are written as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendTime writes t in UTC as 2006-01-02T15:04:05.000000Z, faster than
// time.AppendFormat (it is written several times per record).
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	}
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond()/1000, 6)
	return append(dst, 'Z')
}

func appendDigits(dst []byte, v, width int) []byte {
	var b [8]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:width]...)
}
