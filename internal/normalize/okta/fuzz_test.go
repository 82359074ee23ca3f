package okta

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"eventType":"x","published":"2024","target":[1,{"type":"User"}]}`,
		`{"eventType":"x","published":"2024-05-06T07:08:09Z","client":{"userAgent":"ua"}}`,
		`{"eventType":"x","published":"2024-05-06T07:08:09Z","debugContext":{"debugData":{"risk":"{level=`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
