package query

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/flowsift/flowsift/internal/record"
)

// sqlWords is everything the compiler may write besides quoted columns,
// placeholders and punctuation.
var sqlWords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "COALESCE": true, "FALSE": true, "TRUE": true,
	"IS": true, "NULL": true, "BETWEEN": true, "CAST": true, "AS": true, "UHUGEINT": true,
	"TIMESTAMP": true, "ILIKE": true, "ESCAPE": true, "lower": true, "contains": true,
	"len": true, "list_filter": true, "list_contains": true, "lambda": true, "x": true, "0": true,
}

// checkSQL fails unless the SQL text is made only of the compiler's own
// words, quoted schema columns, placeholders, punctuation and the one
// literal '\'; that is, unless no value of the query reached it.
func checkSQL(t testing.TB, q string, s SQL) {
	t.Helper()
	columns := map[string]bool{TextColumnName: true}
	for i := range record.Fields {
		columns[ColumnName(&record.Fields[i])] = true
		columns[IPNumColumnName(&record.Fields[i])] = true
	}
	w := s.Where
	placeholders := 0
	for i := 0; i < len(w); {
		c := w[i]
		switch {
		case c == ' ' || c == '(' || c == ')' || c == ',' || c == '=' || c == '<' || c == '>' || c == ':':
			i++
		case c == '?':
			placeholders++
			i++
		case c == '"':
			end := strings.IndexByte(w[i+1:], '"')
			if end < 0 || !columns[w[i+1:i+1+end]] {
				t.Fatalf("query %q: SQL has a quoted name that is not a column at %d: %s", q, i, w)
			}
			i += end + 2
		case strings.HasPrefix(w[i:], `'\'`):
			i += 3
		case c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || c == '_'):
			j := i
			for j < len(w) && (unicode.IsLetter(rune(w[j])) || unicode.IsDigit(rune(w[j])) || w[j] == '_') {
				j++
			}
			if !sqlWords[w[i:j]] {
				t.Fatalf("query %q: SQL has the word %q that the compiler does not write: %s", q, w[i:j], w)
			}
			i = j
		default:
			t.Fatalf("query %q: SQL has %q at %d: %s", q, c, i, w)
		}
	}
	if placeholders != len(s.Args) {
		t.Fatalf("query %q: %d placeholders but %d args", q, placeholders, len(s.Args))
	}
}

// hostile values: quotes, statement ends, comment markers, unicode, NULs.
var hostile = []string{
	`'`, `''`, `' OR '1'='1`, `'; DROP TABLE flows; --`, `"; DROP TABLE flows; --`,
	`--`, `/*`, `*/`, `/* x */`, `\'`, `\\`, `%`, `_`, `$1`, `?`, `@p1`, "\x00", "a\x00b",
	"\u2028", "\u202eevil", "ßtraße", "日本語", "\xff\xfe", "`", "x`; DROP", "0x27", "1;SELECT 1",
	`source_ip" = '1' OR "x`, "ILIKE", "lambda x: true",
}

// hostileQueries places each hostile string where a user can put text:
// free text, a quoted phrase, a field value, a wildcard, a range bound and
// a field name.
func hostileQueries(v string) []string {
	q := quote(v)
	e := escapeWord(v, ctxValue, false)
	return []string{
		q,
		`network.transport:` + q,
		`network.transport:` + e,
		`network.transport:*` + e + `*`,
		`flow.tunnel.types:` + q,
		`source.ip:` + q,
		`source.port:` + q,
		`@timestamp:[` + q + ` TO *]`,
		q + `:x`,
		v + `:x`,
		`_exists_:` + v,
		`(` + q + ` OR NOT ` + q + `)`,
	}
}

func TestInjection(t *testing.T) {
	for _, v := range hostile {
		for _, q := range hostileQueries(v) {
			t.Run(fmt.Sprintf("%q", q), func(t *testing.T) {
				n, err := Parse(q)
				if err != nil {
					// Rejected: unknown field, not a number, ... Field
					// names never get through unchecked.
					if _, ok := err.(*Error); !ok {
						t.Fatalf("error %v is not *Error", err)
					}
					return
				}
				s, err := Compile(n, Options{Tenant: v})
				if err != nil {
					t.Fatal(err)
				}
				checkSQL(t, q, s)
				if s.Args[0] != v {
					t.Errorf("tenant arg %q, want %q", s.Args[0], v)
				}
			})
		}
	}
}

// An unknown field is an error whatever it holds; none reaches the SQL.
func TestInjectionFieldNames(t *testing.T) {
	for _, name := range []string{`source_ip`, `source.ip;`, `x/**/`, `tenant_id`, `source.ip--`, "source.ip\x00", `sourceߐip`, `source.ip'`} {
		_, err := Parse(name + `:1`)
		if err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("field %q: err = %v, want unknown field", name, err)
		}
	}
}
