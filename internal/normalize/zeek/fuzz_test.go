package zeek

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"ts":1e400,"uid":"C","id.orig_h":"10.0.0.1","duration":92233720368.5,"rtt":-1,"conn_state":"SF"}`,
		`{"ts":"2024-05-06T07:08:09Z","uid":"C","query":"x","answers":["a",1,null,{}],"TTLs":[1.5,"x"]}`,
		`{"ts":1.0,"uid":"C","_path":"notice","note":"N","src":"10.0.0.1","answers":[`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
