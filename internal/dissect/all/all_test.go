package all_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect"
	_ "github.com/flowsift/flowsift/internal/dissect/all"
)

// TestComplete fails when a dissector package (a folder of internal/dissect
// whose code calls dissect.Register) is not imported by all.go.
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
		if !d.IsDir() || d.Name() == "all" {
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
			if strings.Contains(string(b), "dissect.Register(") {
				registers = true
			}
		}
		imp := `"github.com/flowsift/flowsift/internal/dissect/` + d.Name() + `"`
		if registers && !strings.Contains(string(src), imp) {
			t.Errorf("all.go does not import %s", imp)
		}
	}
	var names []string
	for _, r := range dissect.Registered() {
		names = append(names, r.Name)
		if r.Doc == "" {
			t.Errorf("dissector %s has no Doc", r.Name)
		}
	}
	if !slices.Contains(names, "dns") {
		t.Errorf("registered dissectors %v lack dns", names)
	}
}
