package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMembers(t *testing.T) {
	const rec = ` { "a" : "x\/y\\z\u00e9\ud83d\ude00" , "n":-12.5e1,"i":42,"b":true,"z":null,` +
		`"o":{"k":[1,{"x":"]}"},"\""]},"arr":["p", "q" ,3], "k\"ey":""} trailing`
	it := Members(rec)
	got := map[string]Value{}
	var order []string
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		got[k] = v
		order = append(order, k)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if want := "a n i b z o arr k\"ey"; strings.Join(order, " ") != want {
		t.Fatalf("keys %q, want %q", order, want)
	}
	if s := got["a"].Str(); s != "x/y\\zé😀" {
		t.Errorf("a = %q", s)
	}
	if f, ok := got["n"].Float(); !ok || f != -125 {
		t.Errorf("n = %v %v", f, ok)
	}
	if n, ok := got["n"].Int(); !ok || n != -125 {
		t.Errorf("n as int = %v %v", n, ok)
	}
	if n, ok := got["i"].Int(); !ok || n != 42 {
		t.Errorf("i = %v %v", n, ok)
	}
	if b, ok := got["b"].Bool(); !ok || !b {
		t.Errorf("b = %v %v", b, ok)
	}
	if !got["z"].IsNull() || got["z"].Text() != "" {
		t.Errorf("z = %+v", got["z"])
	}
	if got["o"].Raw() != `{"k":[1,{"x":"]}"},"\""]}` {
		t.Errorf("o = %q", got["o"].Raw())
	}
	sub := got["o"].Members()
	k, v, ok := sub.Next()
	if !ok || k != "k" || v.Kind != Array {
		t.Fatalf("o.k = %q %+v %v", k, v, ok)
	}
	el := v.Elems()
	var kinds []Kind
	for {
		e, ok := el.Next()
		if !ok {
			break
		}
		kinds = append(kinds, e.Kind)
	}
	if el.Err() != nil || len(kinds) != 3 || kinds[0] != Number || kinds[1] != Object || kinds[2] != String {
		t.Errorf("o.k elements %v, err %v", kinds, el.Err())
	}
	var texts []string
	arr := got["arr"].Elems()
	for {
		e, ok := arr.Next()
		if !ok {
			break
		}
		texts = append(texts, e.Text())
	}
	if strings.Join(texts, ",") != "p,q,3" {
		t.Errorf("arr = %q", texts)
	}
}

func TestErrors(t *testing.T) {
	for in, want := range map[string]error{
		``:                    ErrNotObject,
		`[1]`:                 ErrNotObject,
		`{"a":1`:              ErrTruncated,
		`{"a":"x`:             ErrTruncated,
		`{"a":{"b":[1,2}`:     ErrTruncated,
		`{"a" 1}`:             ErrSyntax,
		`{"a":1 "b":2}`:       ErrSyntax,
		`{a:1}`:               ErrSyntax,
		`{"a":tru`:            ErrTruncated,
		`{"a":nope}`:          ErrSyntax,
		`{"a":}`:              ErrSyntax,
		`{"a":"x\"}`:          ErrTruncated,
		`{"a":1,`:             ErrTruncated,
		`{"a":"\\"}`:          nil,
		`{}`:                  nil,
		`{"a":[],"b":{}}`:     nil,
		"{\"a\"\t:\n1\r\n}  ": nil,
	} {
		it := Members(in)
		for {
			if _, _, ok := it.Next(); !ok {
				break
			}
		}
		if !errors.Is(it.Err(), want) {
			t.Errorf("Members(%q): err %v, want %v", in, it.Err(), want)
		}
	}
	var v Value
	if it := v.Members(); it.Err() != ErrNotObject {
		t.Errorf("zero value Members err %v", it.Err())
	}
	if it := v.Elems(); it.Err() != ErrNotArray {
		t.Errorf("zero value Elems err %v", it.Err())
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		v    Value
		n    int64
		isOK bool
	}{
		{Value{Number, "119.0"}, 119, true},
		{Value{Number, "1e3"}, 1000, true},
		{Value{Number, "1.5"}, 0, false},
		{Value{Number, "1e400"}, 0, false},
		{Value{String, " 7 "}, 7, true},
		{Value{String, "x"}, 0, false},
		{Value{Bool, "true"}, 0, false},
		{Value{Number, "9223372036854775807"}, 9223372036854775807, true},
		{Value{Number, "9223372036854775808"}, 0, false},
	} {
		n, ok := c.v.Int()
		if n != c.n || ok != c.isOK {
			t.Errorf("%+v.Int() = %d %v", c.v, n, ok)
		}
	}
}

// FuzzMembers checks the scanner against encoding/json: on a valid object
// it yields the same keys and string values; on anything it never panics.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{"a":"b","c":[1,2,{"d":null}],"e":{"f":"\u0041\/"},"g":-1.5e3,"h":true}`,
		`{"x":"\ud800","y":"\udc00\ud800\udc00"}`, `{"a":"\\\"\\"}`, `{`, `{"a":[`, `{"\u00e9":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, key := range []string{`"a"`, `"eventVersion"`, `"ts"`, `x`} {
			if HasKey(s, key) != hasKeySlow(s, key) {
				t.Fatalf("HasKey(%q, %q) = %v", s, key, !hasKeySlow(s, key))
			}
		}
		it := Members(s)
		got := map[string]string{}
		kinds := map[string]Kind{}
		for {
			k, v, ok := it.Next()
			if !ok {
				break
			}
			got[k] = v.Str()
			kinds[k] = v.Kind
			if v.Kind == Object {
				sub := v.Members()
				for {
					if _, _, ok := sub.Next(); !ok {
						break
					}
				}
			}
			if v.Kind == Array {
				el := v.Elems()
				for {
					if _, ok := el.Next(); !ok {
						break
					}
				}
			}
			_, _ = v.Int()
			_, _ = v.Float()
		}
		var want map[string]any
		if !utf8.ValidString(s) { // encoding/json replaces bad bytes, we keep them
			return
		}
		if json.Unmarshal([]byte(s), &want) != nil || want == nil {
			return
		}
		if it.Err() != nil {
			t.Fatalf("Members(%q): %v on valid JSON", s, it.Err())
		}
		if len(got) != len(want) {
			t.Fatalf("Members(%q): %d keys, encoding/json %d", s, len(got), len(want))
		}
		for k, w := range want {
			if ws, ok := w.(string); ok {
				if kinds[k] != String || got[k] != ws && !strings.ContainsRune(ws, '\uFFFD') {
					t.Fatalf("Members(%q): %q = %q, encoding/json %q", s, k, got[k], ws)
				}
			}
		}
	})
}

func TestHasKey(t *testing.T) {
	for _, c := range []struct {
		s, key string
		want   bool
	}{
		{`{"a":"winlog","winlog" : {}}`, `"winlog"`, true},
		{`{"a":"winlog"}`, `"winlog"`, false},
		{`{"a":["winlog"]}`, `"winlog"`, false},
		{`{"winlog"`, `"winlog"`, false},
	} {
		if got := HasKey(c.s, c.key); got != c.want {
			t.Errorf("HasKey(%q, %q) = %v", c.s, c.key, got)
		}
	}
}

func TestHasKeyAnchors(t *testing.T) {
	rec := `{"eventType":"x","eventVersion":"1.08","a_b":1,"ts" :2,"zz":"\"eventSource\":"}`
	for key, want := range map[string]bool{
		`"eventVersion"`: true, `"eventType"`: true, `"a_b"`: true, `"ts"`: true, `"eventSource"`: false,
		`"version"`: false, `"Type"`: false, `"zz"`: true, `"z"`: false, ``: false,
	} {
		if got := HasKey(rec, key); got != want {
			t.Errorf("HasKey(%q) = %v", key, got)
		}
	}
}

// hasKeySlow is HasKey written the obvious way, for the fuzz target.
func hasKeySlow(s, quoted string) bool {
	for i := 0; i+len(quoted) <= len(s); i++ {
		if s[i:i+len(quoted)] == quoted {
			k := skipSpace(s, i+len(quoted))
			if k < len(s) && s[k] == ':' {
				return true
			}
		}
	}
	return false
}
