package sshd

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`May  6 07:08:09 h sshd[1]: Accepted a for  from  port  ssh2: `,
		`May  6 07:08:09 h sudo:  : ; ; =; COMMAND=`,
		`May  6 07:08:09 h sshd[1]: pam_unix(x): session opened for user (uid=0) by (`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
