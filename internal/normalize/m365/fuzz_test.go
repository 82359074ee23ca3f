package m365

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"CreationTime":"2024-05-06T07:08:09","RecordType":1,"Operation":"x","Parameters":[1,{"Name":"a b","Value":"v"},{"Name":"ok"}]}`,
		`{"CreationTime":"x","RecordType":"15","Operation":"UserLoggedIn","ClientIP":"[2001:db8::1","OriginatingServer":"x (y"}`,
		`{"CreationTime":"2024-05-06T07:08:09","RecordType":1,"Operation":"x","Parameters":[{"Name":"a","Value":"`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
