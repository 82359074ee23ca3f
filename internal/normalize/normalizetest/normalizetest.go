// Package normalizetest holds what the tests of normalize and its vendor
// parsers share: comparing an Event with expected ECS values (the
// corpus's expected.jsonl conventions), table tests of a parser, and the
// invariants every fuzz target checks.
//
// Place in the pipeline: none; it is imported by _test.go files only.
package normalizetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flowsift/flowsift/internal/normalize"
)

// Compare checks e against want, a flattened ECS object as in the
// corpus's expected.jsonl, and returns one line per disagreement (nil
// when all match) and the number of keys compared.
//
// Rules: "@timestamp" is e.Time, compared as an instant; an expected
// string must be our string, IP or time (IPs compared as addresses,
// times as instants); an expected number must be our Int or Float,
// numerically equal; an expected array must be our string list,
// element-wise (numbers against numeric strings), and an empty array
// matches an absent field; an expected object is
// compared key by key under "key.sub", and an array of objects as the
// arrays of each of its keys; "_absent" lists keys that must not be set;
// other keys starting with "_" are remarks.
func Compare(e *normalize.Event, want map[string]any) (mismatches []string, total int) {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := want[k]
		if k == "_absent" {
			list, _ := w.([]any)
			for _, a := range list {
				name, _ := a.(string)
				total++
				if name == "@timestamp" && !e.Time.IsZero() || e.Has(name) {
					got, _ := e.Get(name)
					mismatches = append(mismatches, fmt.Sprintf("%s: want absent, got %s", name, show(got)))
				}
			}
			continue
		}
		if strings.HasPrefix(k, "_") {
			continue
		}
		m, n := compareKey(e, k, w)
		mismatches = append(mismatches, m...)
		total += n
	}
	return mismatches, total
}

func compareKey(e *normalize.Event, k string, w any) ([]string, int) {
	if k == "@timestamp" {
		s, _ := w.(string)
		if e.Time.IsZero() {
			return []string{fmt.Sprintf("@timestamp: want %s, got none", s)}, 1
		}
		if !sameInstant(s, e.Time) {
			return []string{fmt.Sprintf("@timestamp: want %s, got %s", s, e.Time.UTC().Format(time.RFC3339Nano))}, 1
		}
		return nil, 1
	}
	got, ok := e.Get(k)
	switch w := w.(type) {
	case map[string]any:
		if !ok { // an object: compare its flattened keys
			var out []string
			total := 0
			for sub, v := range w {
				m, n := compareKey(e, k+"."+sub, v)
				out = append(out, m...)
				total += n
			}
			return out, total
		}
	case []any:
		if !ok && len(w) > 0 {
			if _, isObj := w[0].(map[string]any); isObj { // array of objects: per-key arrays
				cols := map[string][]any{}
				for _, el := range w {
					obj, _ := el.(map[string]any)
					for sub, v := range obj {
						cols[sub] = append(cols[sub], v)
					}
				}
				var out []string
				total := 0
				for sub, v := range cols {
					m, n := compareKey(e, k+"."+sub, v)
					out = append(out, m...)
					total += n
				}
				return out, total
			}
		}
	}
	if !ok {
		if list, isList := w.([]any); isList && len(list) == 0 {
			return nil, 1 // an empty array is no value: Elasticsearch indexes nothing for it
		}
		return []string{fmt.Sprintf("%s: want %s, got none", k, jsonText(w))}, 1
	}
	if !Equal(w, got) {
		return []string{fmt.Sprintf("%s: want %s, got %s", k, jsonText(w), show(got))}, 1
	}
	return nil, 1
}

// Equal reports whether our value equals an expected JSON value (decoded
// with UseNumber or not) by the rules of Compare.
func Equal(want any, got normalize.Value) bool {
	switch w := want.(type) {
	case string:
		switch got.Kind {
		case normalize.KindString:
			return got.Str == w
		case normalize.KindIP:
			ip, err := netip.ParseAddr(w)
			return err == nil && ip.Unmap() == got.IP.Unmap()
		case normalize.KindTime:
			return sameInstant(w, got.Time)
		}
		return false
	case json.Number, float64, int, int64:
		f, ok := number(w)
		if !ok {
			return false
		}
		switch got.Kind {
		case normalize.KindInt:
			if n, err := strconv.ParseInt(fmt.Sprint(w), 10, 64); err == nil {
				return n == got.Int
			}
			return closeTo(float64(got.Int), f)
		case normalize.KindFloat:
			return closeTo(got.Float, f)
		}
		return false
	case bool:
		return got.Kind == normalize.KindBool && got.Bool == w
	case []any:
		if got.Kind != normalize.KindStrings || len(got.Strs) != len(w) {
			return false
		}
		for i, el := range w {
			s := got.Strs[i]
			switch el := el.(type) {
			case string:
				if s != el {
					if ip, err := netip.ParseAddr(el); err != nil || ip.String() != s {
						return false
					}
				}
			default:
				f, ok := number(el)
				g, err := strconv.ParseFloat(s, 64)
				if !ok || err != nil || !closeTo(g, f) {
					return false
				}
			}
		}
		return true
	case nil:
		return false
	}
	return false
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func sameInstant(s string, t time.Time) bool {
	w, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && w.Equal(t)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func show(v normalize.Value) string {
	switch v.Kind {
	case normalize.KindString:
		return strconv.Quote(v.Str)
	case normalize.KindStrings:
		b, _ := json.Marshal(v.Strs)
		return string(b)
	}
	return v.Kind.String() + " " + v.String()
}

// Case is one line of a parser's table test.
type Case struct {
	Name    string
	Line    string
	Dataset string         // expected Event.Dataset ("" to skip)
	Err     bool           // Parse must fail
	Want    map[string]any // expected values, compared with Compare
}

// Decode turns a JSON object literal into a Want map (numbers kept exact).
func Decode(tb testing.TB, s string) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		tb.Fatalf("decode %s: %v", s, err)
	}
	return m
}

// Run runs the cases through p's Detect and Parse (after ParseHeader, as
// the Normalizer does) with env.
func Run(t *testing.T, p normalize.Parser, env *normalize.Env, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var m normalize.Message
			var e normalize.Event
			normalize.ParseHeader(tc.Line, env, &m)
			if !p.Detect(&m) {
				t.Fatalf("Detect(%q) = false", tc.Line)
			}
			err := p.Parse(&m, env, &e)
			if tc.Err {
				if err == nil {
					t.Fatalf("Parse(%q) succeeded, want an error", tc.Line)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.Line, err)
			}
			if e.Time.IsZero() {
				e.Time = m.Time
			}
			if tc.Dataset != "" && e.Dataset != tc.Dataset {
				t.Errorf("dataset %q, want %q", e.Dataset, tc.Dataset)
			}
			if mm, _ := Compare(&e, tc.Want); len(mm) > 0 {
				t.Errorf("Parse(%q):\n  %s", tc.Line, strings.Join(mm, "\n  "))
			}
			if err := Check(&e, tc.Line); err != nil {
				t.Error(err)
			}
		})
	}
}

// Check is the invariant every parser's output keeps, which fuzz targets
// assert: names are non-empty, unique, and valid UTF-8 (they become JSON
// keys and column names); times are JSON-encodable (years 0-9999);
// list values are non-empty; and the output is bounded by the input
// (values at most 8 times the line plus 4 KiB, at most 1024 fields).
func Check(e *normalize.Event, line string) error {
	seen := make(map[string]bool, len(e.Attrs))
	size := 0
	if len(e.Attrs) > 1024 {
		return fmt.Errorf("%d fields from a %d-byte line", len(e.Attrs), len(line))
	}
	for _, a := range e.Attrs {
		if a.Name == "" || !utf8.ValidString(a.Name) {
			return fmt.Errorf("bad field name %q", a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("field %s set twice", a.Name)
		}
		seen[a.Name] = true
		size += len(a.Name)
		switch a.Value.Kind {
		case normalize.KindString:
			size += len(a.Value.Str)
		case normalize.KindStrings:
			if len(a.Value.Strs) == 0 {
				return fmt.Errorf("field %s: empty list", a.Name)
			}
			for _, s := range a.Value.Strs {
				size += len(s) + 1
			}
		case normalize.KindTime:
			if y := a.Value.Time.Year(); y < 0 || y > 9999 {
				return fmt.Errorf("field %s: year %d does not encode", a.Name, y)
			}
		case normalize.KindIP:
			if !a.Value.IP.IsValid() {
				return fmt.Errorf("field %s: invalid IP", a.Name)
			}
		case normalize.KindFloat:
			if math.IsNaN(a.Value.Float) || math.IsInf(a.Value.Float, 0) {
				return fmt.Errorf("field %s: %v does not encode", a.Name, a.Value.Float)
			}
		}
		size += 8
	}
	if y := e.Time.Year(); !e.Time.IsZero() && (y < 0 || y > 9999) {
		return fmt.Errorf("@timestamp year %d does not encode", y)
	}
	if size > 8*len(line)+4096 {
		return fmt.Errorf("%d bytes of fields from a %d-byte line", size, len(line))
	}
	return nil
}

// MaxFuzzInput caps fuzz inputs (Prometheus' maxInputSize idea): longer
// ones are skipped, since the Normalizer cuts lines at 64 KiB anyway.
const MaxFuzzInput = 64 << 10

// FuzzParse is the body of a parser's FuzzParse target: it runs line
// through ParseHeader, Detect and Parse, and fails on a panic or when an
// accepted line breaks Check.
func FuzzParse(t *testing.T, p normalize.Parser, line string) {
	if len(line) > MaxFuzzInput {
		t.Skip()
	}
	env := &normalize.Env{Year: 2024, KeepOriginal: true}
	var m normalize.Message
	var e normalize.Event
	normalize.ParseHeader(line, env, &m)
	p.Detect(&m)
	// Parse runs whatever Detect says: a forced parser gets every line.
	if err := p.Parse(&m, env, &e); err != nil {
		return
	}
	if err := Check(&e, line); err != nil {
		t.Fatalf("Parse(%q): %v", line, err)
	}
}

// Seeds adds the lines of a table test as fuzz seeds.
func Seeds(f *testing.F, cases []Case, more ...string) {
	for _, c := range cases {
		f.Add(c.Line)
	}
	for _, s := range more {
		f.Add(s)
	}
}

// EventJSON renders an event as one sorted JSON object, for messages.
func EventJSON(e *normalize.Event) string {
	m := map[string]any{}
	if !e.Time.IsZero() {
		m["@timestamp"] = e.Time.UTC().Format(time.RFC3339Nano)
	}
	for _, a := range e.Attrs {
		switch a.Value.Kind {
		case normalize.KindInt:
			m[a.Name] = a.Value.Int
		case normalize.KindFloat:
			m[a.Name] = a.Value.Float
		case normalize.KindBool:
			m[a.Name] = a.Value.Bool
		case normalize.KindStrings:
			m[a.Name] = a.Value.Strs
		default:
			m[a.Name] = a.Value.String()
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	return strings.TrimSpace(b.String())
}
