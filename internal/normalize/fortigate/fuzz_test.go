package fortigate

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, `date=2024-05-06 logid="1" tz="+9999" eventtime=99999999999999999999 ipaddr=", ,1.1.1.1"`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
