// Command flowsift turns packets, flow exports and logs into one stream of
// searchable JSON records. See `flowsift --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries a process exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "flowsift",
		Short: "Turn packets, flow exports and logs into searchable JSON records",
		Long: `flowsift turns packet captures, flow exports and logs into one stream of
readable, searchable JSON records with context: richer than NetFlow, lighter
than PCAP.

Start with a capture file:

  flowsift read capture.pcap            # NDJSON flow records on stdout
  flowsift read -o flows.ndjson *.pcap  # several files, merged by time

Records follow the Elastic Common Schema where it has a name for a field;
docs/schema.md lists every field.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var cpuProfile string
	var profFile *os.File
	root.PersistentFlags().StringVar(&cpuProfile, "cpu-profile", "", "write a Go CPU profile to this file (for performance reports)")
	_ = root.PersistentFlags().MarkHidden("cpu-profile")
	var heapProfile string
	root.PersistentFlags().StringVar(&heapProfile, "heap-profile", "", "write a Go heap profile, taken when the live heap peaks, to this file")
	_ = root.PersistentFlags().MarkHidden("heap-profile")
	stopHeap := func() {}
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if heapProfile != "" {
			stopHeap = watchHeap(heapProfile)
		}
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		profFile = f
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(*cobra.Command, []string) {
		stopHeap()
		if profFile != nil {
			pprof.StopCPUProfile()
			_ = profFile.Close()
		}
	}
	root.AddCommand(newReadCmd(), newSensorCmd(), newVersionCmd())
	root.AddCommand(newSearchCmd(), newExportCmd(), newStoreCmd(), newServeCmd(), newCollectCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "flowsift", version)
		},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowsift:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}
