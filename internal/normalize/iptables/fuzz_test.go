package iptables

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, `[--]IN= OUT= SRC=1.1.1.1 [ DST=2.2.2.2`, `[a-b-c-]IN=x OUT=y SRC=::1 MAC=zz`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
