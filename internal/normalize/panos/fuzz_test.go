package panos

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases, "1,2023/03/02 10:00:00,0,TRAFFIC,", "1,2023/03/02 10:00:00,0,THREAT,url,0,x,,,,,,,,,,,,,,,,,,,,,,,,,\"")
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
