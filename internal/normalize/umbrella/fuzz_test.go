package umbrella

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`"2024-05-06 07:08:09","(@)","(@),,,","","","","1 (","","","",",,,","a,b,c,d",",,,,"`,
		`"2024-05-06 07:08:09","a","a","10.0.0.5","203.0.113.9","Allowed","1 (A)","NOERROR","x.","","","`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
