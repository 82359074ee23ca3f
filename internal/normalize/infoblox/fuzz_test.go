package infoblox

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`client 1.1.1.1#1 UDP: query: a b c response: X + ;;;; a 1 b c d;`,
		`<30>May  6 07:08:11 gm named[9]: client :#: (x): query: a b c d (e)`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
