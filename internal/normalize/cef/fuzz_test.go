package cef

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, `CEF:0|\|\\|||||x|a=\=b=\ c==d rt=99999999999999999999 start=Jan 32 2024 25:00:00`, "CEF:0|a|b|c|d|e|f|=x  =y k=")
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}

func FuzzParseLEEF(f *testing.F) {
	normalizetest.Seeds(f, leefCases, "LEEF:2.0|a|b|c|d|0x00|x=1", "LEEF:1.0|a|b|c|d|devTime=\tsev=99999999999999999999")
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, LEEF{}, line) })
}
