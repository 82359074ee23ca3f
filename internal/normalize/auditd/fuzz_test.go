package auditd

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`type=TTY msg=audit(1.1:1): data=00017F1F msg='msg='x' data="`,
		`type=X msg=audit(99999999999.9:): cmd=2020 proctitle=00 key=01 exe='`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
