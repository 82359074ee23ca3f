package query

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits that bound the work one query can cause. A query is attacker
// controlled when it arrives through the API, so its size, its nesting and
// the number of conditions it compiles to are all capped.
const (
	// MaxLength is the longest query accepted, in bytes.
	MaxLength = 8 << 10
	// MaxDepth is the deepest nesting of parentheses and NOT accepted.
	MaxDepth = 32
	// MaxTerms is the largest number of terms (field conditions and free
	// text) in one query.
	MaxTerms = 256
)

// ErrNoTenant is returned by [Compile] and [NewPredicate] when the options
// name no tenant: every search is scoped to exactly one tenant.
var ErrNoTenant = errors.New("query: no tenant given")

// Error is a syntax or type error in a query. Pos is the 1-based column,
// counted in characters, where the problem was found, so a UI can point at
// it.
type Error struct {
	Pos int
	Msg string
}

// Error returns "query: column N: message".
func (e *Error) Error() string {
	return fmt.Sprintf("query: column %d: %s", e.Pos, e.Msg)
}

// Caret renders the query with a caret under the column of the error, for
// terminals. Control characters are shown as spaces so the caret lines up.
func (e *Error) Caret(q string) string {
	var b strings.Builder
	for _, r := range q {
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		b.WriteRune(r)
	}
	b.WriteByte('\n')
	if e.Pos > 1 {
		b.WriteString(strings.Repeat(" ", e.Pos-1))
	}
	b.WriteByte('^')
	return b.String()
}

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// short clips user text quoted in an error message.
func short(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
