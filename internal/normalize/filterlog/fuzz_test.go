package filterlog

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, "<134>Feb  5 06:07:08 filterlog[1]: ,,,,,,,,6,,,,,,,,,,,,,,,,,,,")
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
