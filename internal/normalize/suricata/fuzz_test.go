package suricata

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		`{"timestamp":"2024-05-06T07:08:09.1+0000","event_type":"dns","dns":{"answers":[{"rdata":"192.0.2.1"},{"rdata":`,
		`{"timestamp":"x","event_type":"alert","alert":[],"flow":"a","dns":{"grouped":{"A":{}}}}`,
		`{"timestamp":"2024-05-06T07:08:09Z","event_type":"flow","flow":{"start":"2024-05-06T07:08:10Z","end":"2024-05-06T07:08:09Z","bytes_toserver":9223372036854775807,"bytes_toclient":1}}`)
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
