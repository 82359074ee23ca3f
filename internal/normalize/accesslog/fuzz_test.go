package accesslog

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`, , , - - [06/May/2024:07:08:12 +0000] "GET http:// HTTP/" - - "\" "\\"`,
		`a b c [99/Zzz/0000:99:99:99 +9999] "`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
