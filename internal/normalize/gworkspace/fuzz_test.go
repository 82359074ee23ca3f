package gworkspace

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"kind":"admin#reports#activity","events":[{"name":"a"},{"name":"b"}]}`,
		`{"kind":"admin#reports#activity","events":{"name":"a","parameters":[{"name":"x","multiValue":[1,"a",null]},{"name":"","value":"v"},{"name":"timestamp","intValue":"-5"}]},"id":{"applicationName":"login"}}`,
		`{"kind":"admin#reports#activity","events":{"name":"a","parameters":[{"name":"x","value":"`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
