package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/store"
	_ "github.com/flowsift/flowsift/internal/store/all"
)

// TestComplete fails when a store folder is missing from all.go.
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
		if !strings.Contains(string(src), `"github.com/flowsift/flowsift/internal/store/`+d.Name()+`"`) {
			t.Errorf("all.go does not import store/%s", d.Name())
		}
		if _, err := store.Lookup(filepath.Base(d.Name())); err != nil {
			t.Errorf("store/%s does not register itself as %q: %v", d.Name(), d.Name(), err)
		}
	}
	if _, err := store.Lookup("nope"); err == nil || !strings.Contains(err.Error(), "duckdb") {
		t.Errorf("Lookup of an unknown name = %v, want an error listing duckdb", err)
	}
}
