package zscaler

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"sourcetype":"zscalernss-web","event":{"time":"Fri Dec 31 07:07:07","eurl":"/","riskscore":"99999999999999999999"}}`,
		`{"sourcetype":"zscalernss-web","event":{"eurl":"a.b:8080?x#y","time":"Zzz Dec 31 07:07:07 2021"}}`,
		`{"sourcetype":"zscalernss-web","event":{"eurl":"x`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
