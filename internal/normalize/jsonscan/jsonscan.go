package jsonscan

import (
	"errors"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/flowsift/flowsift/internal/normalize"
)

// Errors of a scan. ErrTruncated is the usual one: a record cut by the
// line limit or by a broken sender.
var (
	ErrNotObject = errors.New("jsonscan: not a JSON object")
	ErrNotArray  = errors.New("jsonscan: not a JSON array")
	ErrSyntax    = errors.New("jsonscan: syntax error")
	ErrTruncated = errors.New("jsonscan: truncated")
)

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of Value; Invalid is the zero Value's.
const (
	Invalid Kind = iota
	String
	Number
	Bool
	Null
	Object
	Array
)

// Value is one JSON value as a slice of the scanned text: a string's
// content between its quotes with its escapes still in, or the text of a
// number, literal, object or array.
type Value struct {
	Kind Kind
	raw  string
}

// Raw returns the value's text: a string's content still escaped, an
// object's or array's text with its brackets.
func (v Value) Raw() string { return v.raw }

// Str returns a string's content unescaped ("" for other kinds). It is a
// substring of the text unless the string has escapes, when it is a copy.
func (v Value) Str() string {
	if v.Kind != String {
		return ""
	}
	if strings.IndexByte(v.raw, '\\') < 0 {
		return v.raw
	}
	return unescape(v.raw)
}

// Text returns a string's content or the text of a number or boolean, ""
// for null, objects and arrays: what a field of either type holds, as
// text.
func (v Value) Text() string {
	switch v.Kind {
	case String:
		return v.Str()
	case Number, Bool:
		return v.raw
	}
	return ""
}

// IsNull reports whether the value is JSON null.
func (v Value) IsNull() bool { return v.Kind == Null }

// Int returns an integer held by a number or a numeric string; a number
// written with a fraction or exponent ("119.0", "1e3") counts when its
// value is integral and fits in an int64.
func (v Value) Int() (int64, bool) {
	var s string
	switch v.Kind {
	case Number:
		s = v.raw
	case String:
		s = normalize.TrimSpace(v.raw)
	default:
		return 0, false
	}
	if n, ok := normalize.Atoi(s); ok {
		return n, true
	}
	f, ok := normalize.Atof(s)
	if !ok || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// Float returns the number held by a number or a numeric string; NaN and
// infinities are refused.
func (v Value) Float() (float64, bool) {
	var s string
	switch v.Kind {
	case Number:
		s = v.raw
	case String:
		s = normalize.TrimSpace(v.raw)
	default:
		return 0, false
	}
	f, ok := normalize.Atof(s)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Bool returns a boolean held by a JSON boolean or the strings "true" and
// "false" (any case).
func (v Value) Bool() (val, ok bool) {
	switch v.Kind {
	case Bool:
		return v.raw == "true", true
	case String:
		switch {
		case strings.EqualFold(v.raw, "true"):
			return true, true
		case strings.EqualFold(v.raw, "false"):
			return false, true
		}
	}
	return false, false
}

// Members returns an iterator over an object value's members; for other
// kinds the iterator is empty and its Err is ErrNotObject.
func (v Value) Members() Iter {
	if v.Kind != Object {
		return Iter{err: ErrNotObject, done: true}
	}
	return Iter{s: v.raw, i: 1}
}

// Each runs fn over the members of an object value, stopping at fn's
// first error; null is an empty object, any other kind is ErrNotObject,
// and a damaged object gives the iterator's error.
func (v Value) Each(fn func(k string, v Value) error) error {
	if v.IsNull() {
		return nil
	}
	it := v.Members()
	for {
		k, m, ok := it.Next()
		if !ok {
			break
		}
		if err := fn(k, m); err != nil {
			return err
		}
	}
	return it.Err()
}

// Elems returns an iterator over an array value's elements; for other
// kinds the iterator is empty and its Err is ErrNotArray.
func (v Value) Elems() Elems {
	if v.Kind != Array {
		return Elems{err: ErrNotArray, done: true}
	}
	return Elems{s: v.raw, i: 1}
}

// Members returns an iterator over the members of the object s holds
// (spaces around it allowed, anything after its closing brace ignored).
func Members(s string) Iter {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return Iter{err: ErrNotObject, done: true}
	}
	return Iter{s: s, i: i + 1}
}

// Iter walks the members of one object. The zero Iter is empty.
type Iter struct {
	s    string
	i    int
	n    int
	err  error
	done bool
}

// Next returns the next member, ok false at the end of the object or on
// an error (see Err). Keys are unescaped; values are as in Value.
func (it *Iter) Next() (key string, v Value, ok bool) {
	if it.done {
		return "", Value{}, false
	}
	s := it.s
	i := skipSpace(s, it.i)
	if i < len(s) && s[i] == '}' {
		it.done = true
		return "", Value{}, false
	}
	if it.n > 0 {
		if i >= len(s) {
			return it.fail(ErrTruncated)
		}
		if s[i] != ',' {
			return it.fail(ErrSyntax)
		}
		i = skipSpace(s, i+1)
	}
	if i >= len(s) {
		return it.fail(ErrTruncated)
	}
	if s[i] != '"' {
		return it.fail(ErrSyntax)
	}
	end := stringEnd(s, i+1)
	if end < 0 {
		return it.fail(ErrTruncated)
	}
	key = s[i+1 : end]
	if strings.IndexByte(key, '\\') >= 0 {
		key = unescape(key)
	}
	i = skipSpace(s, end+1)
	if i >= len(s) {
		return it.fail(ErrTruncated)
	}
	if s[i] != ':' {
		return it.fail(ErrSyntax)
	}
	v, i, err := value(s, skipSpace(s, i+1))
	if err != nil {
		return it.fail(err)
	}
	it.i = i
	it.n++
	return key, v, true
}

func (it *Iter) fail(err error) (string, Value, bool) {
	it.err = err
	it.done = true
	return "", Value{}, false
}

// Err returns the error that ended the iteration, nil at a well-formed
// end.
func (it *Iter) Err() error { return it.err }

// Elems walks the elements of one array. The zero Elems is empty.
type Elems struct {
	s    string
	i    int
	n    int
	err  error
	done bool
}

// Next returns the next element, ok false at the end of the array or on
// an error (see Err).
func (it *Elems) Next() (Value, bool) {
	if it.done {
		return Value{}, false
	}
	s := it.s
	i := skipSpace(s, it.i)
	if i < len(s) && s[i] == ']' {
		it.done = true
		return Value{}, false
	}
	if it.n > 0 {
		if i >= len(s) {
			return it.fail(ErrTruncated)
		}
		if s[i] != ',' {
			return it.fail(ErrSyntax)
		}
		i = skipSpace(s, i+1)
	}
	v, i, err := value(s, i)
	if err != nil {
		return it.fail(err)
	}
	it.i = i
	it.n++
	return v, true
}

func (it *Elems) fail(err error) (Value, bool) {
	it.err = err
	it.done = true
	return Value{}, false
}

// Err returns the error that ended the iteration, nil at a well-formed
// end.
func (it *Elems) Err() error { return it.err }

// Count returns the number of elements read so far.
func (it *Elems) Count() int { return it.n }

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// value reads the value starting at s[i] and returns it with the index
// after it.
func value(s string, i int) (Value, int, error) {
	if i >= len(s) {
		return Value{}, i, ErrTruncated
	}
	switch c := s[i]; c {
	case '"':
		end := stringEnd(s, i+1)
		if end < 0 {
			return Value{}, i, ErrTruncated
		}
		return Value{Kind: String, raw: s[i+1 : end]}, end + 1, nil
	case '{', '[':
		end := skipNested(s, i)
		if end < 0 {
			return Value{}, i, ErrTruncated
		}
		k := Object
		if c == '[' {
			k = Array
		}
		return Value{Kind: k, raw: s[i:end]}, end, nil
	case 't':
		return literal(s, i, "true", Bool)
	case 'f':
		return literal(s, i, "false", Bool)
	case 'n':
		return literal(s, i, "null", Null)
	}
	j := i
	for j < len(s) && numberByte(s[j]) {
		j++
	}
	if j == i {
		return Value{}, i, ErrSyntax
	}
	if j == len(s) {
		return Value{}, i, ErrTruncated // a number is never the last byte of a record
	}
	return Value{Kind: Number, raw: s[i:j]}, j, nil
}

func literal(s string, i int, lit string, k Kind) (Value, int, error) {
	if strings.HasPrefix(s[i:], lit) {
		return Value{Kind: k, raw: lit}, i + len(lit), nil
	}
	if strings.HasPrefix(lit, s[i:]) {
		return Value{}, i, ErrTruncated
	}
	return Value{}, i, ErrSyntax
}

func numberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// stringEnd returns the index of the quote closing the string whose
// content starts at s[start], -1 when there is none.
func stringEnd(s string, start int) int {
	j := start
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		b := q - 1
		for b >= start && s[b] == '\\' {
			b--
		}
		if (q-1-b)%2 == 0 {
			return q
		}
		j = q + 1
	}
}

// skipNested returns the index after the object or array starting at
// s[i], -1 when it is not closed. Brackets are counted, not matched by
// kind: a record with "[}" is not worth an error of its own.
func skipNested(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			e := stringEnd(s, j+1)
			if e < 0 {
				return -1
			}
			j = e
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// unescape decodes the escapes of a JSON string's content. Bad escapes
// are kept as written; lone surrogates become U+FFFD.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				b.WriteString(s[i : i+2])
				i += 2
				continue
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, ok = hex4(s, i+2)
				}
				if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b.WriteRune(r)
			continue
		default:
			b.WriteString(s[i : i+2])
		}
		i += 2
	}
	return b.String()
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, ok := normalize.AtoiHex(s[i : i+4])
	if !ok || s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		return 0, false
	}
	return rune(n), true
}

// HasKey reports whether s has quoted (the key with its quotes, as in
// `"winlog"`) followed by a colon: a cheap test for Detect functions that
// does not take a string value for a key. It does not parse s. The search
// runs strings.IndexByte over the key's rarest byte in JSON text (an
// upper-case letter of a camelCase key, '_', '#', ...) and compares around
// each hit, which on a 2 KB record that lacks the key costs tens of
// nanoseconds rather than the hundreds of a substring search whose first
// byte is a quote.
func HasKey(s, quoted string) bool {
	if quoted == "" {
		return false
	}
	anchor := 0
	for i := 1; i < len(quoted); i++ {
		if rarity[quoted[i]] < rarity[quoted[anchor]] {
			anchor = i
		}
	}
	c := quoted[anchor]
	for i := anchor; i < len(s); {
		j := strings.IndexByte(s[i:], c)
		if j < 0 {
			return false
		}
		at := i + j - anchor
		i += j + 1
		if end := at + len(quoted); end <= len(s) && s[at:end] == quoted {
			k := skipSpace(s, end)
			if k < len(s) && s[k] == ':' {
				return true
			}
		}
	}
	return false
}

// rarity ranks bytes by how often they appear in JSON log records, rarest
// (lowest) first: upper-case letters, then punctuation seldom used, then
// lower-case letters by English frequency; quotes, digits, colons and
// commas are the most common.
var rarity = func() [256]uint8 {
	var r [256]uint8
	for i := range r {
		r[i] = 100
	}
	for c := 'A'; c <= 'Z'; c++ {
		r[c] = 10
	}
	for i, c := range "#@$!~^|`" {
		r[c] = uint8(20 + i)
	}
	for i, c := range "zqxjkvbpygfwmuclhdrsnioate" { // rarest lower-case letters first
		r[c] = uint8(30 + i)
	}
	r['_'] = 60
	r['.'] = 61
	r['-'] = 62
	r['/'] = 63
	for c := '0'; c <= '9'; c++ {
		r[c] = 90
	}
	r[' '], r[','], r[':'], r['"'] = 95, 96, 97, 99
	return r
}()
