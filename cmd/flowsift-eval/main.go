// Command flowsift-eval compares flowsift's flows with the ground truth of
// the shared corpus (nDPI's flow lists and Zeek's conn.log baselines),
// prints the figures and the first disagreements of each class, and exits
// with status 1 when a figure is under its bar. make eval runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/flowsift/flowsift/internal/eval"
)

func main() {
	var opt eval.Options
	flag.StringVar(&opt.Corpus, "corpus", "../shared/corpus", "the shared corpus directory (holds pcap/ and truth/)")
	flag.StringVar(&opt.Only, "only", "", "evaluate only captures whose name contains this")
	flag.IntVar(&opt.Parallel, "parallel", 0, "captures read at once (0: one per CPU)")
	verbose := flag.Bool("v", false, "print every disagreement, not the first few of each class")
	first := flag.Int("n", 5, "disagreements printed per class")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := eval.Run(ctx, opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowsift-eval:", err)
		os.Exit(2)
	}
	n := *first
	if *verbose {
		n = -1
	}
	if err := rep.WriteText(os.Stdout, n); err != nil {
		fmt.Fprintln(os.Stderr, "flowsift-eval:", err)
		os.Exit(2)
	}
	if err := rep.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "flowsift-eval: under the bar:", err)
		os.Exit(1)
	}
}
