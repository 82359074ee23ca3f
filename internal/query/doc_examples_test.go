package query

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The queries of docs/query.md's cheat sheet parse (except those naming
// fields that have not landed in the schema yet), and its table of error
// messages is what Parse says.
func TestDocExamples(t *testing.T) {
	f, err := os.Open("../../docs/query.md")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	example := regexp.MustCompile("^\\| [^|]+ \\| `([^`]+)` \\|$")
	errRow := regexp.MustCompile("^\\| `([^`]+)` \\| `(.+)` \\|$")
	sc := bufio.NewScanner(f)
	section := ""
	examples, errs := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = line
		}
		switch {
		case strings.Contains(section, "cheat sheet"):
			m := example.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			examples++
			if _, err := Parse(m[1]); err != nil {
				if strings.Contains(err.Error(), `unknown field "dns.`) || strings.Contains(err.Error(), `unknown field "tls.`) {
					continue
				}
				t.Errorf("docs/query.md example %q: %v", m[1], err)
			}
		case strings.Contains(section, "Error messages"):
			m := errRow.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			errs++
			_, err := Parse(m[1])
			if err == nil || err.Error() != "query: "+m[2] {
				t.Errorf("docs/query.md error for %q:\n doc: query: %s\n got: %v", m[1], m[2], err)
			}
		}
	}
	if examples < 10 || errs < 10 {
		t.Errorf("found only %d examples and %d errors in docs/query.md", examples, errs)
	}
}
