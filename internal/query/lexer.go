package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF      tokKind = iota
	tWord             // bare word; may hold "field:" and escapes
	tPhrase           // "quoted phrase", text already unescaped
	tLParen           // (
	tRParen           // )
	tLBracket         // [
	tRBracket         // ]
	tLBrace           // {
	tRBrace           // }
	tAnd              // AND, &&
	tOr               // OR, ||
	tNot              // NOT
	tTo               // TO
	tPlus             // + before a term
	tMinus            // - before a term
)

var tokNames = [...]string{
	tEOF: "end of query", tWord: "word", tPhrase: "quoted phrase",
	tLParen: "'('", tRParen: "')'", tLBracket: "'['", tRBracket: "']'", tLBrace: "'{'", tRBrace: "'}'",
	tAnd: "AND", tOr: "OR", tNot: "NOT", tTo: "TO", tPlus: "'+'", tMinus: "'-'",
}

func (k tokKind) String() string { return tokNames[k] }

// token is one lexeme. Positions are byte offsets into the query; errors
// convert them to columns.
type token struct {
	kind tokKind
	off  int    // byte offset of the first character
	end  int    // byte offset after the last character
	text string // tWord: raw source (escapes kept); tPhrase: unescaped content
	// space reports whether white space precedes the token.
	space bool
}

// special reports whether r ends a bare word when not escaped.
func special(r rune) bool {
	switch r {
	case '(', ')', '[', ']', '{', '}', '"':
		return true
	}
	return unicode.IsSpace(r)
}

// lex splits q into tokens. It fails only on a dangling escape or an
// unterminated phrase.
func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	space := false
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += size
			space = true
			continue
		}
		t := token{off: i, space: space}
		space = false
		switch r {
		case '(':
			t.kind = tLParen
		case ')':
			t.kind = tRParen
		case '[':
			t.kind = tLBracket
		case ']':
			t.kind = tRBracket
		case '{':
			t.kind = tLBrace
		case '}':
			t.kind = tRBrace
		case '"':
			end, text, err := lexPhrase(q, i)
			if err != nil {
				return nil, err
			}
			t.kind, t.end, t.text = tPhrase, end, text
			toks = append(toks, t)
			i = end
			continue
		case '+', '-':
			// A sign directly followed by a term is an operator; alone it
			// is a word.
			if i+1 < len(q) {
				next, _ := utf8.DecodeRuneInString(q[i+1:])
				if !unicode.IsSpace(next) && next != ')' {
					t.kind = tMinus
					if r == '+' {
						t.kind = tPlus
					}
					t.end = i + 1
					toks = append(toks, t)
					i++
					continue
				}
			}
		}
		if t.kind != tEOF {
			t.end = i + size
			toks = append(toks, t)
			i += size
			continue
		}
		end, err := lexWord(q, i)
		if err != nil {
			return nil, err
		}
		t.kind, t.end, t.text = tWord, end, q[i:end]
		switch strings.ToUpper(t.text) {
		case "AND", "&&":
			t.kind = tAnd
		case "OR", "||":
			t.kind = tOr
		case "NOT":
			t.kind = tNot
		case "TO":
			t.kind = tTo
		}
		toks = append(toks, t)
		i = end
	}
	toks = append(toks, token{kind: tEOF, off: len(q), end: len(q), space: space})
	return toks, nil
}

// lexWord returns the end of the bare word starting at i. A backslash
// escapes the character after it, white space included.
func lexWord(q string, i int) (int, error) {
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		if r == '\\' {
			if i+1 >= len(q) {
				return 0, errorf(column(q, i), "dangling '\\' at the end of the query (write '\\\\' for a backslash)")
			}
			_, n := utf8.DecodeRuneInString(q[i+1:])
			i += 1 + n
			continue
		}
		if special(r) {
			break
		}
		i += size
	}
	return i, nil
}

// lexPhrase reads the quoted phrase opening at i and returns its end and
// unescaped content.
func lexPhrase(q string, i int) (int, string, error) {
	var b strings.Builder
	j := i + 1
	for j < len(q) {
		c := q[j]
		switch c {
		case '"':
			return j + 1, b.String(), nil
		case '\\':
			if j+1 >= len(q) {
				return 0, "", errorf(column(q, i), "unterminated quoted phrase")
			}
			_, n := utf8.DecodeRuneInString(q[j+1:])
			b.WriteString(q[j+1 : j+1+n])
			j += 1 + n
		default:
			b.WriteByte(c)
			j++
		}
	}
	return 0, "", errorf(column(q, i), "unterminated quoted phrase (add the closing '\"')")
}

// column converts a byte offset into a 1-based column in characters.
func column(q string, off int) int {
	if off > len(q) {
		off = len(q)
	}
	return utf8.RuneCountInString(q[:off]) + 1
}

// unescapeWord removes the escapes of a bare word. When the word holds
// unescaped * or ?, glob is the word in glob syntax (\ escapes only *, ?
// and \) and wild is true.
func unescapeWord(raw string) (text, glob string, wild bool) {
	if !strings.ContainsAny(raw, `\*?`) {
		return raw, "", false
	}
	var t, g strings.Builder
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw):
			_, n := utf8.DecodeRuneInString(raw[i+1:])
			lit := raw[i+1 : i+1+n]
			t.WriteString(lit)
			if lit == "*" || lit == "?" || lit == `\` {
				g.WriteByte('\\')
			}
			g.WriteString(lit)
			i += 1 + n
		case c == '*' || c == '?':
			wild = true
			t.WriteByte(c)
			g.WriteByte(c)
			i++
		default:
			t.WriteByte(c)
			g.WriteByte(c)
			i++
		}
	}
	if !wild {
		return t.String(), "", false
	}
	return t.String(), g.String(), true
}

// firstColon returns the byte index of the first unescaped ':' in a raw
// word, or -1.
func firstColon(raw string) int {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case ':':
			return i
		}
	}
	return -1
}
