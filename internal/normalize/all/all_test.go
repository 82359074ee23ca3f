package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	_ "github.com/flowsift/flowsift/internal/normalize/all"
)

// TestComplete fails when a parser package (a folder of internal/normalize
// whose code calls normalize.Register) is not imported by all.go, and
// when a registered parser has no README.md.
func TestComplete(t *testing.T) {
	src, err := os.ReadFile("all.go")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "all" || d.Name() == "testdata" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join("..", d.Name(), "*.go"))
		registers := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "normalize.Register(") {
				registers = true
			}
		}
		if !registers {
			continue
		}
		imp := `"github.com/flowsift/flowsift/internal/normalize/` + d.Name() + `"`
		if !strings.Contains(string(src), imp) {
			t.Errorf("all.go does not import %s", imp)
		}
		if _, err := os.Stat(filepath.Join("..", d.Name(), "README.md")); err != nil {
			t.Errorf("parser folder %s has no README.md", d.Name())
		}
	}
	for _, p := range normalize.Parsers() {
		if p.Name() == normalize.UnparsedName {
			t.Errorf("parser %T registers the reserved name", p)
		}
	}
}
