// Package conventions checks the house rules of STYLE.md that a machine
// can check: dependency direction between stages, file and package names,
// formatting, package docs and banned imports (CoreDNS test/presubmit_test.go,
// tailscale tstest/deptest).
package conventions

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// repo is the parsed source tree: every Go package under internal/ and
// cmd/, keyed by its path relative to the repository root.
type repo struct {
	root   string
	module string
	pkgs   map[string]*pkg
}

type pkg struct {
	dir     string   // relative, slash-separated: internal/flow
	name    string   // package name
	imports []string // non-test imports
	files   []*ast.File
	docs    int // files with a package doc comment
}

func loadRepo(t *testing.T) *repo {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	r := &repo{root: dir, pkgs: map[string]*pkg{}}
	for _, line := range strings.Split(string(gomod), "\n") {
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			r.module = strings.TrimSpace(rest)
		}
	}
	if r.module == "" {
		t.Fatal("no module line in go.mod")
	}
	fset := token.NewFileSet()
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(dir, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.ImportsOnly)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			rel, _ := filepath.Rel(dir, filepath.Dir(path))
			rel = filepath.ToSlash(rel)
			p := r.pkgs[rel]
			if p == nil {
				p = &pkg{dir: rel, name: f.Name.Name}
				r.pkgs[rel] = p
			}
			p.files = append(p.files, f)
			if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package "+f.Name.Name+" ") {
				p.docs++
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !slices.Contains(p.imports, path) {
					p.imports = append(p.imports, path)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if len(r.pkgs) == 0 {
		t.Fatal("no packages found")
	}
	return r
}

// internalDeps returns the packages of this module that p imports,
// directly or not, as repository-relative directories.
func (r *repo) internalDeps(dir string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(d string) {
		p := r.pkgs[d]
		if p == nil {
			return
		}
		for _, imp := range p.imports {
			rel, ok := strings.CutPrefix(imp, r.module+"/")
			if !ok || seen[rel] {
				continue
			}
			seen[rel] = true
			walk(rel)
		}
	}
	walk(dir)
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func under(dir, prefix string) bool { return dir == prefix || strings.HasPrefix(dir, prefix+"/") }

// dependencyViolations applies STYLE.md R1: record (and communityid, a
// leaf helper) import nothing internal; the edge stages never reach the
// storage and serving side; a stage never imports a later stage or the
// wiring that runs it; and dissectors never import each other. Imports are
// followed transitively. It returns one message per violation and how many
// packages a rule applied to.
func dependencyViolations(r *repo) (msgs []string, checked int) {
	serving := []string{"internal/store", "internal/query", "internal/api", "internal/web"}
	rules := []struct {
		from      string
		forbidden []string
	}{
		{"internal/capture", append([]string{"internal/flow", "internal/pipeline", "internal/dissect", "internal/edge"}, serving...)},
		{"internal/decode", append([]string{"internal/capture", "internal/flow", "internal/pipeline", "internal/dissect", "internal/edge"}, serving...)},
		{"internal/flow", append([]string{"internal/capture", "internal/pipeline", "internal/dissect", "internal/edge"}, serving...)},
		{"internal/dissect", append([]string{"internal/pipeline", "internal/edge"}, serving...)},
		{"internal/edge", append([]string{"internal/pipeline"}, serving...)},
		{"internal/collect", serving},
		{"internal/normalize", serving},
	}
	leaves := []string{"internal/record", "internal/communityid"}
	dirs := make([]string, 0, len(r.pkgs))
	for dir := range r.pkgs {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		deps := r.internalDeps(dir)
		if slices.Contains(leaves, dir) {
			checked++
			if len(deps) > 0 {
				msgs = append(msgs, fmt.Sprintf("%s imports %v; it must import nothing internal", dir, deps))
			}
		}
		for _, rule := range rules {
			if !under(dir, rule.from) {
				continue
			}
			checked++
			for _, dep := range deps {
				for _, bad := range rule.forbidden {
					if under(dep, bad) {
						msgs = append(msgs, fmt.Sprintf("%s imports %s (directly or not); %s must not depend on %s", dir, dep, rule.from, bad))
					}
				}
			}
		}
		// dissect/<proto> packages never import each other, except the
		// edges in dissectImportsAllowed.
		if parts := strings.Split(dir, "/"); len(parts) == 3 && parts[1] == "dissect" && parts[2] != "all" {
			for _, dep := range deps {
				if dp := strings.Split(dep, "/"); len(dp) >= 3 && dp[1] == "dissect" && dp[2] != parts[2] &&
					!dissectEngineLibraries[dp[2]] && dissectImportsAllowed[parts[2]+"->"+dp[2]] == "" {
					msgs = append(msgs, fmt.Sprintf("%s imports %s: dissectors must not import each other", dir, dep))
				}
			}
		}
	}
	return msgs, checked
}

// dissectEngineLibraries are the engine's own packages under dissect/:
// every dissector reaches them through the engine it registers with.
var dissectEngineLibraries = map[string]bool{"appid": true, "reassembly": true}

// dissectImportsAllowed lists the dissector-to-dissector imports that are
// allowed, each with its reason. Keep it short: shared code belongs in a
// library package outside dissect/.
var dissectImportsAllowed = map[string]string{
	"quic->tls": "a QUIC handshake is a TLS 1.3 handshake (RFC 9001): QUIC feeds its CRYPTO frames to the TLS parser",
}

func TestDependencyDirection(t *testing.T) {
	r := loadRepo(t)
	msgs, checked := dependencyViolations(r)
	for _, m := range msgs {
		t.Error(m)
	}
	if checked < 5 {
		t.Errorf("only %d packages checked; the layout changed under the test", checked)
	}
}

// TestDependencyRulesCatch makes sure the checker is not vacuous: made-up
// edges (decode → pipeline, which reaches flow; record → decode) are
// reported, transitively.
func TestDependencyRulesCatch(t *testing.T) {
	r := loadRepo(t)
	for _, dir := range []string{"internal/decode", "internal/record"} {
		if r.pkgs[dir] == nil {
			t.Fatalf("%s not found", dir)
		}
	}
	r.pkgs["internal/decode"].imports = append(r.pkgs["internal/decode"].imports, r.module+"/internal/pipeline")
	r.pkgs["internal/record"].imports = append(r.pkgs["internal/record"].imports, r.module+"/internal/decode")
	msgs, _ := dependencyViolations(r)
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"internal/decode imports internal/pipeline",
		"internal/decode imports internal/flow", // through pipeline
		"internal/record imports [",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no violation %q reported; got:\n%s", want, all)
		}
	}
}

// TestPackageLayout checks package names and depth (STYLE.md R1, R3).
func TestPackageLayout(t *testing.T) {
	r := loadRepo(t)
	for dir, p := range r.pkgs {
		if !strings.HasPrefix(dir, "internal/") {
			continue
		}
		if n := strings.Count(dir, "/"); n > 2 {
			t.Errorf("%s is deeper than internal/<stage>/<plugin>", dir)
		}
		switch p.name {
		case "util", "utils", "common", "helpers", "helper", "misc":
			t.Errorf("%s: package name %q says nothing about what it provides", dir, p.name)
		}
		if p.name != filepath.Base(dir) && p.name != "main" {
			t.Errorf("%s: package %s does not match its folder", dir, p.name)
		}
	}
}

// TestPackageDocs checks that every package under internal/ has a package
// doc comment ("Package x ...") in one of its files (STYLE.md R3).
func TestPackageDocs(t *testing.T) {
	r := loadRepo(t)
	for dir, p := range r.pkgs {
		if !strings.HasPrefix(dir, "internal/") {
			continue
		}
		if p.docs == 0 {
			t.Errorf("%s: no package doc comment (add doc.go: \"// Package %s …\")", dir, p.name)
		}
	}
}

// TestBannedImports applies STYLE.md R7/R8's depguard list to every Go
// file, tests included.
func TestBannedImports(t *testing.T) {
	r := loadRepo(t)
	fset := token.NewFileSet()
	banned := map[string]string{
		"github.com/stretchr/testify": "use the standard library and go-cmp",
		"github.com/pkg/errors":       "use errors and fmt.Errorf with %w",
		"io/ioutil":                   "use io and os",
	}
	walkGo(t, r.root, func(path, rel string) {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			for b, why := range banned {
				if ip == b || strings.HasPrefix(ip, b+"/") {
					t.Errorf("%s imports %s: %s", rel, ip, why)
				}
			}
			if ip == "log" && strings.HasPrefix(rel, "internal/") {
				t.Errorf("%s imports log: use an injected *slog.Logger", rel)
			}
		}
	})
}

// walkGo calls fn for every .go file of the repository outside testdata,
// vendor and hidden folders.
func walkGo(t *testing.T, root string, fn func(path, rel string)) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(root, path)
			fn(path, filepath.ToSlash(rel))
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no Go files found")
	}
}

// TestFileNames: no hyphens in Go file names (CoreDNS presubmit).
func TestFileNames(t *testing.T) {
	r := loadRepo(t)
	walkGo(t, r.root, func(_, rel string) {
		if base := filepath.Base(rel); strings.Contains(base, "-") {
			t.Errorf("%s: use underscores, not hyphens, in Go file names", rel)
		}
	})
}

// TestGofmt fails on any Go file that gofmt would change.
func TestGofmt(t *testing.T) {
	r := loadRepo(t)
	walkGo(t, r.root, func(path, rel string) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return
		}
		out, err := format.Source(src)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return
		}
		if !bytes.Equal(src, out) {
			t.Errorf("%s is not gofmt-formatted (run make fmt)", rel)
		}
	})
}
