package normalize

import (
	"strconv"
	"strings"
)

// Helpers for vendor parsers: they cut fields out of the line by hand, as
// substrings, because regular expressions and strings.Split cost more
// than the rest of a parse.

// Atoi parses a decimal integer with an optional sign. Unlike
// strconv.ParseInt it allocates nothing on failure (no *NumError), which
// matters when most tries fail. Spaces around s are not allowed.
func Atoi(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	switch s[0] {
	case '-', '+':
		neg = s[0] == '-'
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	if len(s) > 18 { // may overflow: let strconv decide
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false
		}
		if neg {
			n = -n
		}
		return n, true
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// AtoiHex parses a hexadecimal integer, with or without a "0x" prefix.
func AtoiHex(s string) (int64, bool) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	if s == "" || len(s) > 16 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	return int64(n), true
}

// Atof parses a decimal floating-point number; failures allocate nothing.
func Atof(s string) (float64, bool) {
	if s == "" || len(s) > 64 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Cut returns the text before and after the first sep, like strings.Cut,
// for a byte separator.
func Cut(s string, sep byte) (before, after string, found bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// TrimSpace removes ASCII spaces and tabs at both ends (cheaper than
// strings.TrimSpace, which also handles Unicode spaces).
func TrimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// KV iterates over the key=value pairs of a line such as FortiOS, SFOS or
// SonicOS write: pairs separated by spaces, values either double-quoted or
// bare. A bare value runs up to the next space that is followed by
// another key= (so `id=C4431- P29PUA next=1` gives "C4431- P29PUA"), and
// may be empty (`a= b=1`). A quoted value ends at a quote followed by a
// space or the end of the line; a quoted value that never ends runs to the
// end of the line and sets Unterminated. Words without '=' are skipped.
// Keys and values are substrings of the line.
type KV struct {
	s            string
	i            int
	sep          byte
	Unterminated bool // a quoted value had no closing quote
}

// NewKV returns an iterator over s with '=' between key and value.
func NewKV(s string) KV { return KV{s: s, sep: '='} }

// NewKVSep returns an iterator with another separator between key and value.
func NewKVSep(s string, sep byte) KV { return KV{s: s, sep: sep} }

// Rest returns the text not yet consumed.
func (k *KV) Rest() string { return k.s[k.i:] }

// Next returns the next pair; ok is false at the end of the line.
func (k *KV) Next() (key, value string, ok bool) {
	s := k.s
	n := len(s)
	for k.i < n {
		for k.i < n && (s[k.i] == ' ' || s[k.i] == '\t') {
			k.i++
		}
		start := k.i
		j := start
		for j < n && s[j] != k.sep && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j == n {
			k.i = n
			return "", "", false
		}
		if s[j] != k.sep || j == start { // a stray word, or "=x"
			k.i = j + 1
			continue
		}
		key = s[start:j]
		j++
		if j < n && s[j] == '"' {
			q := j + 1
			for {
				idx := strings.IndexByte(s[q:], '"')
				if idx < 0 {
					k.Unterminated = true
					k.i = n
					return key, s[j+1:], true
				}
				e := q + idx
				if e+1 == n || s[e+1] == ' ' || s[e+1] == '\t' {
					k.i = e + 1
					return key, s[j+1 : e], true
				}
				q = e + 1
			}
		}
		e := j
		for {
			sp := strings.IndexByte(s[e:], ' ')
			if sp < 0 {
				k.i = n
				return key, TrimSpace(s[j:]), true
			}
			e += sp
			if k.keyAt(e + 1) {
				k.i = e
				return key, TrimSpace(s[j:e]), true
			}
			e++
		}
	}
	return "", "", false
}

// keyAt reports whether a key followed by the separator starts at i
// (after optional spaces).
func (k *KV) keyAt(i int) bool {
	s := k.s
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	for i < len(s) {
		c := s[i]
		switch {
		case c == k.sep:
			return i > start
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.', c == ':', c == '@', c == '[', c == ']':
			i++
		default:
			return false
		}
	}
	return false
}

// CSV iterates over comma-separated fields. A field that starts with a
// double quote runs to the quote that is followed by a comma or the end
// (PAN-OS quotes fields holding commas); a doubled quote inside stays
// doubled unless the field is passed through UnquoteCSV.
type CSV struct {
	s    string
	i    int
	done bool
	sep  byte
}

// NewCSV returns an iterator over the comma-separated fields of s.
func NewCSV(s string) CSV { return CSV{s: s, sep: ','} }

// NewCSVSep returns an iterator over fields separated by sep.
func NewCSVSep(s string, sep byte) CSV { return CSV{s: s, sep: sep} }

// Next returns the next field; ok is false after the last one.
func (c *CSV) Next() (field string, ok bool) {
	if c.done {
		return "", false
	}
	s := c.s
	if c.i < len(s) && s[c.i] == '"' {
		q := c.i + 1
		for {
			idx := strings.IndexByte(s[q:], '"')
			if idx < 0 {
				break // unterminated: treat as a bare field
			}
			e := q + idx
			if e+1 == len(s) {
				field = s[c.i+1 : e]
				c.done = true
				return field, true
			}
			if s[e+1] == c.sep {
				field = s[c.i+1 : e]
				c.i = e + 2
				return field, true
			}
			q = e + 1
			if s[q] == '"' { // doubled quote
				q++
			}
			if q >= len(s) {
				break
			}
		}
	}
	idx := strings.IndexByte(s[c.i:], c.sep)
	if idx < 0 {
		c.done = true
		return s[c.i:], true
	}
	field = s[c.i : c.i+idx]
	c.i += idx + 1
	return field, true
}

// SplitCSV appends the comma-separated fields of s to dst, at most max of
// them (the last holds the rest of the line), and returns dst. Pass a
// stack array's slice as dst (var buf [64]string; f := SplitCSV(s, buf[:0], 64))
// to split without allocating.
func SplitCSV(s string, dst []string, max int) []string {
	c := NewCSV(s)
	for n := 1; n < max; n++ {
		f, ok := c.Next()
		if !ok {
			return dst
		}
		dst = append(dst, f)
	}
	if !c.done {
		dst = append(dst, s[c.i:])
	}
	return dst
}

// UnquoteCSV turns the doubled quotes of a quoted CSV field into single
// ones (allocating only when there are some).
func UnquoteCSV(s string) string {
	if !strings.Contains(s, `""`) {
		return s
	}
	return strings.ReplaceAll(s, `""`, `"`)
}

// Lower returns s in ASCII lower case, allocating only when s has an
// upper-case letter.
func Lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// FormatMAC returns a MAC address in ECS's form, upper-case hex pairs
// separated by dashes ("4C-55-41-A0-FA-99"), from the colon, dash or dot
// forms devices print; "" when s is not a 48- or 64-bit address.
func FormatMAC(s string) string {
	var out [23]byte
	n, digits := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'F':
		case c >= 'a' && c <= 'f':
			c -= 'a' - 'A'
		case c == ':' || c == '-' || c == '.':
			continue
		default:
			return ""
		}
		if digits > 0 && digits%2 == 0 {
			if n >= len(out) {
				return ""
			}
			out[n] = '-'
			n++
		}
		if n >= len(out) {
			return ""
		}
		out[n] = c
		n++
		digits++
	}
	if digits != 12 && digits != 16 {
		return ""
	}
	return string(out[:n])
}

// Words splits s at runs of spaces into f, without allocating, and
// returns how many words it holds, or -1 when there are more than len(f).
func Words(s string, f []string) int {
	n := 0
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if n == len(f) {
			return -1
		}
		f[n] = s[i:j]
		n++
		i = j
	}
	return n
}
