package main

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/flowsift/flowsift/internal/dissect"
	_ "github.com/flowsift/flowsift/internal/dissect/all" // every dissector
	"github.com/flowsift/flowsift/internal/flow"
)

// dpiFlags set up payload inspection.
type dpiFlags struct {
	cfg dissect.Config
	off bool

	mu      sync.Mutex
	engines []*dissect.Engine
}

func (d *dpiFlags) register(cmd *cobra.Command) {
	d.cfg = dissect.DefaultConfig()
	var names []string
	for _, r := range dissect.Registered() {
		names = append(names, r.Name)
	}
	fl := cmd.Flags()
	fl.BoolVar(&d.off, "no-dpi", false, "no payload inspection: flow records only, without network.protocol and transactions (fastest)")
	fl.StringSliceVar(&d.cfg.Disable, "dpi-disable", nil, "dissectors not to run, comma-separated: "+strings.Join(names, ", "))
	fl.IntVar(&d.cfg.Reassembly.MaxBufferedPerStream, "reassembly-stream-bytes", d.cfg.Reassembly.MaxBufferedPerStream,
		"out-of-order TCP bytes held per direction of a connection; past it the hole is skipped")
	fl.IntVar(&d.cfg.Reassembly.MaxBufferedTotal, "reassembly-total-bytes", d.cfg.Reassembly.MaxBufferedTotal,
		"out-of-order TCP bytes held per worker in all")
}

func (d *dpiFlags) validate() error {
	if d.off {
		return nil
	}
	return d.cfg.Validate()
}

// attach sets the flow tables' inspector factory.
func (d *dpiFlags) attach(deps *flow.Deps) {
	if d.off {
		return
	}
	deps.NewInspector = func() flow.Inspector {
		e, err := dissect.New(d.cfg, dissect.Deps{OnPanic: func(name string, stack []byte) {
			slog.Error("recovered from a panic in a dissector", "dissector", name, "stack", string(stack))
		}})
		if err != nil {
			panic(err) // the config was validated
		}
		d.mu.Lock()
		d.engines = append(d.engines, e)
		d.mu.Unlock()
		return e
	}
}

// stats sums the engines' counters. Call it when the pipeline has stopped.
func (d *dpiFlags) stats() dissect.Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	var s dissect.Stats
	for _, e := range d.engines {
		s.Add(e.Stats())
	}
	return s
}

func (d *dpiFlags) printSummary(w io.Writer, fs flow.Stats) {
	if d.off {
		return
	}
	s := d.stats()
	type pc struct {
		name string
		n    uint64
	}
	var ps []pc
	var errs, panics uint64
	for name, p := range s.Protocols {
		if p.Flows > 0 {
			ps = append(ps, pc{name, p.Flows})
		}
		errs += p.Malformed + p.Truncated + p.TooLarge
		panics += p.Panics
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].n > ps[j].n || ps[i].n == ps[j].n && ps[i].name < ps[j].name })
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, " %s %d", p.name, p.n)
	}
	fmt.Fprintf(w, "  dpi: %d transactions; flows by protocol:%s; unknown %d\n", s.Transactions, b.String(), s.Unknown)
	fmt.Fprintf(w, "  dpi: %d packets inspected, %d skipped after their flow was complete; %d parse errors, %d gap bytes",
		fs.Inspected, fs.NotInspected, errs, s.GapBytes)
	if panics+s.Panics > 0 {
		fmt.Fprintf(w, ", %d dissector panics (please report)", s.Panics)
	}
	fmt.Fprintln(w)
}
