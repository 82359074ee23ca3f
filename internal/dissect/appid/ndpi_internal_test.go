package appid

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAliasesErrors(t *testing.T) {
	const head = "ndpi_app,application\n"
	for _, tc := range []struct {
		name, in string
		is       error
		want     string
	}{
		{"header", "ndpi,app\n", ErrMalformed, "line 1"},
		{"fields", head + "A\n", nil, "line 2"},
		{"empty nDPI name", head + ",google\n", ErrMalformed, "line 2"},
		{"bad application", head + "GoogleServices,Google\n", ErrMalformed, `line 2: malformed alias "GoogleServices" -> "Google"`},
		{"case only", head + "NetFlix,netflix\n", ErrMalformed, "only by case"},
		{"duplicate", head + "GoogleServices,google\ngoogleservices,google\n", ErrDuplicate, `line 3: duplicate nDPI name "googleservices"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseAliases(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
