package winsec

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"winlog":{"event_id":4688,"event_data":{"NewProcessId":"0xffffffffffffffffff","ProcessId":"-1","CommandLine":""}}}`,
		`{"EventID":4728,"Channel":"Security","MemberName":"CN=a\\,b,OU=x","TargetUserName":"g","Bad Key":"v","":"x"}`,
		`{"winlog":{"event_id":4624,"keywords":"x","event_data":{"TargetUserName":"a"`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
