package cloudtrail

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"Records":[{"eventVersion":"1.08","eventSource":"s","eventName":"n"},{}]}`,
		`{"eventVersion":"1.08","eventSource":"s","eventName":"n","userIdentity":{"sessionContext":{"attributes":[]}}}`,
		`{"Records":[1]}`, `{"Records":[{"eventVersion":"1","eventSource":"s","eventName":"n"`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
