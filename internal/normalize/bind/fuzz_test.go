package bind

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, `99-Xyz-9999 99:99:99.9 client :#: (: query: ( ) (`, `client ::::::#1 (x): query: a b c d e f g (::)`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
