package ciscoasa

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

func FuzzParse(f *testing.F) {
	normalizetest.Seeds(f, cases,
		"%ASA-6-302016: Teardown UDP connection 1 for a:b to c:d duration 99999999999:00:00 bytes x",
		"%FTD-1-430002: A: , B: x, : ",
		"%ASA-6-302020: Built outbound ICMP connection for faddr 1.1.1.1/0 gaddr 2.2.2.2/0 laddr 3.3.3.3/0")
	f.Fuzz(func(t *testing.T, line string) { normalizetest.FuzzParse(t, Parser{}, line) })
}
