// Package sensortest runs the real sensor path (pcap file → decode → flow
// → dissect with every registered dissector) over captures for tests, and
// compares the records with golden files. It lives apart from testutil
// because it links every dissector: the dissectors' own in-package tests
// import testutil, and would import themselves through it.
package sensortest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/dissect"
	_ "github.com/flowsift/flowsift/internal/dissect/all" // every dissector
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/record"
)

var update = flag.Bool("update", false, "rewrite golden files")

type sink struct{ out []map[string]any }

func (s *sink) Consume(batch []record.Record) {
	for i := range batch {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(batch[i].AppendJSON(nil)))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			panic(err)
		}
		s.out = append(s.out, m)
	}
}

// Result is what a run produced.
type Result struct {
	Records []map[string]any // decoded JSON of every record, in output order
	Stats   pipeline.Stats
	Dissect dissect.Stats
}

// Run reads the captures through the sensor path with default settings.
func Run(tb testing.TB, files ...string) Result {
	tb.Helper()
	return RunConfig(tb, dissect.DefaultConfig(), files...)
}

// RunConfig is Run with a dissect configuration.
func RunConfig(tb testing.TB, cfg dissect.Config, files ...string) Result {
	tb.Helper()
	src, err := pcapfile.Open(files...)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	s := &sink{}
	var engines []*dissect.Engine
	deps := flow.Deps{Sink: s, Observer: "test", Tenant: "default", NewInspector: func() flow.Inspector {
		e, err := dissect.New(cfg, dissect.Deps{OnPanic: func(name string, stack []byte) {
			tb.Errorf("dissector %s panicked: %s", name, stack)
		}})
		if err != nil {
			tb.Fatal(err)
		}
		engines = append(engines, e)
		return e
	}}
	st, err := pipeline.New(pipeline.DefaultConfig(), deps).Run(context.Background(), src)
	if err != nil {
		tb.Fatal(err)
	}
	res := Result{Records: s.out, Stats: st}
	for _, e := range engines {
		res.Dissect.Add(e.Stats())
	}
	return res
}

// Datasets returns the records of the given datasets.
func (r Result) Datasets(ds ...record.Dataset) []map[string]any {
	var out []map[string]any
	for _, m := range r.Records {
		ev, _ := m["event"].(map[string]any)
		for _, d := range ds {
			if ev["dataset"] == string(d) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Get returns the value at a dotted path of a decoded record, or nil.
func Get(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		o, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = o[p]
	}
	return cur
}

// volatile are the fields that change from run to run or machine to
// machine; golden files leave them out.
var volatile = []string{"event.id", "observer.name"}

// Golden compares records with a golden JSONL file (one canonical JSON
// object a line, sorted keys, volatile fields removed); with -update it
// rewrites the file instead.
func Golden(tb testing.TB, path string, recs []map[string]any) {
	tb.Helper()
	var b bytes.Buffer
	for _, m := range recs {
		c := clone(m)
		for _, v := range volatile {
			del(c, v)
		}
		line, err := json.Marshal(c) // maps marshal with sorted keys
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil { //nolint:gosec // a test fixture
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(b.String(), "\n")); diff != "" {
		tb.Errorf("%s differs (-want +got); rerun with -update if the change is right:\n%s", path, diff)
	}
}

func clone(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		if o, ok := v.(map[string]any); ok {
			v = clone(o)
		}
		c[k] = v
	}
	return c
}

func del(m map[string]any, path string) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		o, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = o
	}
	delete(m, parts[len(parts)-1])
	// Empty parents are left: they make no difference to the comparison.
}

// Keys returns the sorted top-level keys, for messages.
func Keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
