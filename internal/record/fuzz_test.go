package record_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flowsift/flowsift/internal/record"
)

// replaceInvalid replaces each byte that is not part of valid UTF-8 by
// U+FFFD, as AppendJSON does.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// FuzzAppendJSON checks that any string, in a string field and in a string
// list, encodes to valid JSON that decodes back to the string (invalid
// UTF-8 bytes replaced), with the output bounded by 6 bytes per input byte.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `<script>alert("x")</script>`, "a\x00b\x1f\x7f", "\xff\xfe\xc3", "\u2028\u2029", `\"\\`, "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		r := record.Record{Event: record.Event{Dataset: record.DatasetFlow}, Observer: s, Tenant: "t"}
		r.Flow.Tunnel.Types = []string{s}
		out := r.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", s, out)
		}
		if len(out) > 2*6*len(s)+512 {
			t.Fatalf("output of %d bytes for %d input bytes", len(out), len(s))
		}
		if strings.ContainsAny(string(out), "<>&\u2028\u2029") {
			t.Fatalf("raw HTML-sensitive character in %s", out)
		}
		var got struct {
			Observer struct{ Name string }
			Flow     struct{ Tunnel struct{ Types []string } }
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		want := replaceInvalid(s)
		if s != "" && got.Observer.Name != want {
			t.Fatalf("observer.name = %q, want %q", got.Observer.Name, want)
		}
		if len(got.Flow.Tunnel.Types) != 1 || got.Flow.Tunnel.Types[0] != want {
			t.Fatalf("flow.tunnel.types = %q, want [%q]", got.Flow.Tunnel.Types, want)
		}
	})
}
