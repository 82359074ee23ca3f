package eval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/flowsift/flowsift/internal/flow"
)

// Bars the evaluation must reach.
const (
	NDPIBar = 99.0 // % of nDPI's TCP/UDP flows with the same endpoints and total packets
	ZeekBar = 98.0 // % of Zeek conn.log rows with the same packets and IP bytes per direction
)

// Options select what to evaluate.
type Options struct {
	Corpus   string // the shared corpus directory
	Only     string // evaluate only captures whose name contains this
	Parallel int    // captures read at once; 0 means GOMAXPROCS
}

// Report holds the figures of one evaluation.
type Report struct {
	NDPI          NDPIResult
	DPI           *DPIResult
	Zeek          ZeekResult
	CaptureErrors []string // captures that could not be read to the end
}

// Run reads every capture with truth and compares flowsift's flows with it.
func Run(ctx context.Context, opt Options) (*Report, error) {
	ndpi, err := LoadNDPI(filepath.Join(opt.Corpus, "truth", "ndpi-flows.jsonl"))
	if err != nil {
		return nil, err
	}
	zeek, err := LoadZeek(opt.Corpus)
	if err != nil {
		return nil, err
	}
	var ndpiNames []string
	for name := range ndpi {
		if strings.Contains(name, opt.Only) {
			ndpiNames = append(ndpiNames, name)
		}
	}
	sort.Strings(ndpiNames)
	zeek = slices.DeleteFunc(zeek, func(t ZeekTrace) bool { return !strings.Contains(t.Trace, opt.Only) })

	// nDPI's flows are compared with flowsift configured as ndpiReader
	// reads files (no expiry), Zeek's with flowsift's defaults, which are
	// Zeek's timeouts.
	runs := make([]capRun, 0, len(ndpiNames)+len(zeek))
	for _, n := range ndpiNames {
		runs = append(runs, capRun{NDPICapturePath(opt.Corpus, n), NDPIFlowConfig()})
	}
	for _, t := range zeek {
		runs = append(runs, capRun{filepath.Join(opt.Corpus, t.Pcap), flow.DefaultConfig()})
	}
	flows, errs := runAll(ctx, runs, opt.Parallel)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	rep := &Report{DPI: newDPIResult()}
	rep.NDPI.ClassCounts = make(map[string]int)
	rep.Zeek.ClassCounts = make(map[string]int)
	for i, n := range ndpiNames {
		if errs[i] != nil {
			rep.CaptureErrors = append(rep.CaptureErrors, errs[i].Error())
		}
		if err := CompareNDPI(n, ndpi[n], flows[i], &rep.NDPI, rep.DPI); err != nil {
			return nil, err
		}
	}
	for i := range zeek {
		k := len(ndpiNames) + i
		if errs[k] != nil {
			rep.CaptureErrors = append(rep.CaptureErrors, errs[k].Error())
		}
		if err := CompareZeek(&zeek[i], flows[k], &rep.Zeek); err != nil {
			return nil, err
		}
	}
	if rep.NDPI.Captures > 0 {
		rep.NDPI.MacroPercent /= float64(rep.NDPI.Captures)
	} else {
		rep.NDPI.MacroPercent = 100
	}
	for _, d := range rep.NDPI.Disagreements {
		rep.NDPI.ClassCounts[d.Class]++
	}
	for _, d := range rep.Zeek.Disagreements {
		rep.Zeek.ClassCounts[d.Class]++
	}
	return rep, nil
}

type capRun struct {
	path string
	cfg  flow.Config
}

// runAll reads the captures concurrently, one pipeline each.
func runAll(ctx context.Context, runs []capRun, parallel int) ([][]Flow, []error) {
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	flows := make([][]Flow, len(runs))
	errs := make([]error, len(runs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, max(len(runs), 1)) {
		wg.Go(func() {
			for i := range next {
				flows[i], errs[i] = RunCapture(ctx, runs[i].path, runs[i].cfg)
			}
		})
	}
	for i := range runs {
		next <- i
	}
	close(next)
	wg.Wait()
	return flows, errs
}

// Err returns an error naming the bars that were missed, or nil.
func (r *Report) Err() error {
	var errs []error
	if p := r.NDPI.Percent(); p < NDPIBar {
		errs = append(errs, fmt.Errorf("nDPI flows: %.2f%% matched, bar %.0f%%", p, NDPIBar))
	}
	if p := r.Zeek.Percent(); p < ZeekBar {
		errs = append(errs, fmt.Errorf("zeek conn rows: %.2f%% matched, bar %.0f%%", p, ZeekBar))
	}
	if r.DPI != nil {
		errs = append(errs, r.DPI.Err()...)
	}
	return errors.Join(errs...)
}

// WriteText prints the figures and, per class, the first n disagreements
// (all of them when n < 0).
func (r *Report) WriteText(w io.Writer, n int) error {
	ew := &errWriter{w: w}
	mark := func(p, bar float64) string {
		if p >= bar {
			return "ok"
		}
		return "FAIL"
	}
	ew.printf("%-46s %10s %8s %6s %s\n", "figure", "matched", "%", "bar", "")
	ew.printf("%-46s %10s %7.2f%% %5.0f%% %s\n", "nDPI TCP/UDP flows (endpoints + total packets)",
		fmt.Sprintf("%d/%d", r.NDPI.Matched, r.NDPI.Flows), r.NDPI.Percent(), NDPIBar, mark(r.NDPI.Percent(), NDPIBar))
	ew.printf("%-46s %10s %7.2f%%\n", "nDPI per capture (macro mean)",
		fmt.Sprintf("%d caps", r.NDPI.Captures), r.NDPI.MacroPercent)
	ew.printf("%-46s %10s %7.2f%%\n", "nDPI captures with every flow matched",
		fmt.Sprintf("%d/%d", r.NDPI.CapturesAllMatched, r.NDPI.Captures), percent(r.NDPI.CapturesAllMatched, r.NDPI.Captures))
	ew.printf("%-46s %10s %7.2f%%\n", "nDPI flows inside tunnels",
		fmt.Sprintf("%d/%d", r.NDPI.TunnelledFlowMatches, r.NDPI.TunnelledFlows), percent(r.NDPI.TunnelledFlowMatches, r.NDPI.TunnelledFlows))
	ew.printf("%-46s %10s %7.2f%% %5.0f%% %s\n", "Zeek conn rows (pkts + IP bytes per direction)",
		fmt.Sprintf("%d/%d", r.Zeek.Matched, r.Zeek.Rows), r.Zeek.Percent(), ZeekBar, mark(r.Zeek.Percent(), ZeekBar))
	ew.printf("%-46s %10s %7.2f%%\n", "  of which full (non -b) runs",
		fmt.Sprintf("%d/%d", r.Zeek.FullMatched, r.Zeek.FullRows), percent(r.Zeek.FullMatched, r.Zeek.FullRows))
	ew.printf("%-46s %10s %7.2f%%\n", "  of which bare (-b) runs",
		fmt.Sprintf("%d/%d", r.Zeek.Matched-r.Zeek.FullMatched, r.Zeek.Rows-r.Zeek.FullRows),
		percent(r.Zeek.Matched-r.Zeek.FullMatched, r.Zeek.Rows-r.Zeek.FullRows))
	ew.printf("(%d Zeek traces with counted conn.log rows)\n", r.Zeek.Traces)
	for _, e := range r.CaptureErrors {
		ew.printf("capture error: %s\n", e)
	}
	writeClasses(ew, "nDPI", r.NDPI.Disagreements, n)
	writeClasses(ew, "Zeek", r.Zeek.Disagreements, n)
	if r.DPI != nil && ew.err == nil {
		ew.printf("\n")
		r.DPI.write(ew.w, n)
	}
	return ew.err
}

func writeClasses(ew *errWriter, source string, ds []Disagreement, n int) {
	byClass := make(map[string][]Disagreement)
	for _, d := range ds {
		byClass[d.Class] = append(byClass[d.Class], d)
	}
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	slices.SortFunc(classes, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(byClass[b]), len(byClass[a])), strings.Compare(a, b))
	})
	for _, c := range classes {
		list := byClass[c]
		ew.printf("\n%s disagreements: %s (%d)\n", source, c, len(list))
		for i, d := range list {
			if n >= 0 && i >= n {
				ew.printf("  … %d more (-v for all)\n", len(list)-n)
				break
			}
			ew.printf("  %s: %s\n      want %s\n      got  %s\n", d.Pcap, d.Tuple, d.Want, d.Got)
		}
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
