package junipersrx

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, `<14>1 - h a - RT_FLOW_SESSION_CLOSE [junos@1 elapsed-time="99999999999999" application-risk="NaN"]`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
