package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/flowsift/flowsift/internal/capture/afpacket"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/export/ndjson"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/telemetry"
)

func newSensorCmd() *cobra.Command {
	var ff flowFlags
	cfg := afpacket.DefaultConfig()
	var out, bpfRaw string
	var quiet bool
	blockSize := sizeValue(cfg.BlockSize)
	cmd := &cobra.Command{
		Use:   "sensor --interface IFACE [flags]",
		Short: "Capture live on an interface (AF_PACKET) and write flow records",
		Long: `Capture packets live on a Linux network interface and write one JSON record
per line, the same "flow" records as flowsift read, until interrupted
(Ctrl-C or SIGTERM). Every flow still open is then ended and written, and a
summary (packets, flows, records, kernel drops) goes to stderr.

Capture uses an AF_PACKET socket with a memory-mapped ring: no libpcap is
needed, but the socket needs the CAP_NET_RAW capability. Run as root, or
grant it once to the binary:

  sudo setcap cap_net_raw+ep "$(command -v flowsift)"

A capture filter keeps the kernel from handing over what you do not want.
--bpf takes tcpdump's filter syntax (man 7 pcap-filter) and is compiled
with tcpdump, which must be installed. Where it is not, compile the filter
on a machine that has it and pass the output with --bpf-raw:

  tcpdump -ddd -y EN10MB 'tcp port 443' > https.bpf    # RAW for tun/WireGuard
  flowsift sensor -i eth0 --bpf-raw @https.bpf

When the ring is full the kernel drops packets and counts them; the summary
shows that count. Make the ring bigger (--ring-blocks) or the filter
narrower if it is not zero.`,
		Example: `  sudo flowsift sensor -i eth0 | jq .
  sudo flowsift sensor -i eth0 --bpf 'not port 22' -o flows.ndjson
  sudo flowsift sensor -i eth0 --bpf-raw @filter.bpf --workers 4 --ring-blocks 256`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{2, fmt.Errorf("unexpected argument %q: name the interface with --interface %s", args[0], args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.BlockSize = int(blockSize)
			if cfg.Interface == "" {
				return &exitError{2, errors.New("sensor: --interface is required, e.g. flowsift sensor --interface eth0 (`ip -br link` lists the interfaces)")}
			}
			if strings.HasPrefix(bpfRaw, "@") {
				b, err := os.ReadFile(bpfRaw[1:])
				if err != nil {
					return &exitError{2, fmt.Errorf("sensor: --bpf-raw: %w", err)}
				}
				bpfRaw = string(b)
			}
			cfg.BPFRaw = bpfRaw
			if err := errors.Join(ff.validate(), cfg.Validate()); err != nil {
				return invalidOptions(cmd, err)
			}
			return runSensor(cmd, &ff, cfg, out, quiet)
		},
	}
	ff.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&cfg.Interface, "interface", "i", "", "network interface to capture on, e.g. eth0")
	fl.StringVar(&cfg.BPF, "bpf", "", "capture filter in tcpdump syntax, e.g. 'not port 22' (compiled with tcpdump)")
	fl.StringVar(&bpfRaw, "bpf-raw", "", "capture filter compiled with tcpdump -ddd: the text, or @FILE to read it from a file")
	fl.BoolVar(&cfg.Promiscuous, "promisc", cfg.Promiscuous, "capture traffic not addressed to this host too (--promisc=false to turn off)")
	fl.IntVar(&cfg.NumBlocks, "ring-blocks", cfg.NumBlocks, "blocks in the capture ring shared with the kernel")
	fl.Var(&blockSize, "ring-block-size", "size of a ring block: bytes, or with a KiB or MiB suffix")
	fl.StringVarP(&out, "output", "o", "-", "write records to this file instead of stdout")
	fl.BoolVarP(&quiet, "quiet", "q", false, "no start message and no summary on stderr")
	fl.StringVar(&ff.metricsListen, "metrics-listen", "", "serve Prometheus metrics on this address, e.g. :9108 (/metrics, /healthz)")
	return cmd
}

func runSensor(cmd *cobra.Command, ff *flowFlags, cfg afpacket.Config, out string, quiet bool) error {
	stderr := cmd.ErrOrStderr()
	src, err := afpacket.New(cfg)
	if err != nil {
		if errors.Is(err, afpacket.ErrNoCompiler) {
			return &exitError{2, fmt.Errorf("sensor: --bpf needs tcpdump to compile the filter; install it (apt-get install tcpdump), or run "+
				"`tcpdump -ddd -y EN10MB '%s' > filter.bpf` where tcpdump is and pass --bpf-raw @filter.bpf (-y RAW for tun or WireGuard interfaces)", cfg.BPF)}
		}
		return &exitError{2, err}
	}
	defer func() { _ = src.Close() }()

	w, closeOut, err := openOutput(out, cmd.OutOrStdout())
	if err != nil {
		return err
	}
	fw := newFlushWriter(w, time.Second)
	sink := ndjson.New(fw)
	runner := pipeline.New(ff.cfg, ff.deps(sink))
	runner.OnPanic = func(stack []byte) {
		slog.Error("recovered from a panic while processing a frame", "stack", string(stack))
	}
	if ff.metricsListen != "" {
		reg := telemetry.NewRegistry()
		reg.MustRegister(runner.Collector(), afpacketCollector(src))
		ms, err := telemetry.Listen(ff.metricsListen, reg)
		if err != nil {
			return &exitError{2, err}
		}
		defer func() { _ = ms.Close() }()
		if !quiet {
			fmt.Fprintf(stderr, "flowsift: metrics on http://%s/metrics\n", ms.Addr())
		}
	}

	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	stopOnCancel := context.AfterFunc(ctx, src.Stop)
	defer stopOnCancel()
	if !quiet {
		filter := "no filter"
		switch {
		case cfg.BPF != "":
			filter = "filter " + strconv.Quote(cfg.BPF)
		case cfg.BPFRaw != "":
			filter = "a raw filter"
		}
		fmt.Fprintf(stderr, "flowsift: capturing on %s with %s; stop with Ctrl-C\n", cfg.Interface, filter)
	}
	start := time.Now()
	// The source ends the run: on cancellation it hands over what it has
	// captured until then, and the pipeline must not stop before that.
	st, runErr := runner.Run(context.WithoutCancel(ctx), src)
	elapsed := time.Since(start)
	src.Stop()
	_ = src.Close()

	flushErr := fw.Close()
	if err := closeOut(); err != nil && flushErr == nil {
		flushErr = err
	}
	if !quiet {
		printSensorSummary(stderr, cfg.Interface, &st, src.Stats(), elapsed, sink)
	}
	if runErr != nil {
		return runErr
	}
	if err := sink.Err(); err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	return flushErr
}

// printSensorSummary prints printSummary's lines, with a first line about
// the capture instead of files and a line with the kernel's counters.
func printSensorSummary(w io.Writer, iface string, st *pipeline.Stats, cs afpacket.Stats, elapsed time.Duration, sink *ndjson.Writer) {
	var buf bytes.Buffer
	printSummary(&buf, st, pcapfile.Stats{}, elapsed, sink)
	rest := buf.Bytes()
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[i+1:] // the first line counts files
	}
	secs := max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(w, "flowsift: captured %d frames (%s) on %s in %s: %.0f packets/s, %s/s\n",
		st.Frames, humanBytes(float64(st.Bytes)), iface, elapsed.Round(time.Millisecond),
		float64(st.Frames)/secs, humanBytes(float64(st.Bytes)/secs))
	_, _ = w.Write(rest)
	fmt.Fprintf(w, "  kernel: %d packets passed the filter, %d dropped", cs.KernelPackets, cs.Drops)
	if cs.Drops > 0 {
		fmt.Fprint(w, " (ring full: raise --ring-blocks or --workers, or narrow the filter)")
	}
	fmt.Fprintln(w)
}

// flushWriter buffers records and writes them out at least every period,
// so that a reader of a live capture (jq, tail -f) sees them promptly.
type flushWriter struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	err  error
	stop chan struct{}
	done chan struct{}
}

func newFlushWriter(w io.Writer, period time.Duration) *flushWriter {
	f := &flushWriter{bw: bufio.NewWriterSize(w, 1<<20), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-t.C:
				f.mu.Lock()
				if err := f.bw.Flush(); err != nil && f.err == nil {
					f.err = err
				}
				f.mu.Unlock()
			}
		}
	}()
	return f
}

func (f *flushWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bw.Write(p)
}

// Close stops the periodic flushes and flushes what is left.
func (f *flushWriter) Close() error {
	close(f.stop)
	<-f.done
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.bw.Flush(); err != nil && f.err == nil {
		f.err = err
	}
	return f.err
}

// sizeValue is a byte count flag that takes a KiB or MiB suffix.
type sizeValue int

func (s *sizeValue) String() string {
	switch v := int(*s); {
	case v >= 1<<20 && v%(1<<20) == 0:
		return strconv.Itoa(v>>20) + "MiB"
	case v >= 1<<10 && v%(1<<10) == 0:
		return strconv.Itoa(v>>10) + "KiB"
	default:
		return strconv.Itoa(v)
	}
}

func (s *sizeValue) Set(v string) error {
	num, mult := strings.TrimSpace(v), 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"KiB", 1 << 10}, {"K", 1 << 10}, {"MiB", 1 << 20}, {"M", 1 << 20}} {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > (1<<31)/mult {
		return fmt.Errorf("%q is not a size: write bytes, or e.g. 512KiB or 1MiB", v)
	}
	*s = sizeValue(n * mult)
	return nil
}

func (*sizeValue) Type() string { return "size" }

// afpacketCollector exposes the capture socket's counters, the kernel's
// drops above all: they are where an overloaded sensor loses packets.
func afpacketCollector(src *afpacket.Source) prometheus.Collector {
	return collectorFunc(func(ch chan<- prometheus.Metric) {
		st := src.Stats()
		ch <- prometheus.MustNewConstMetric(kernelPacketsDesc, prometheus.CounterValue, float64(st.KernelPackets))
		ch <- prometheus.MustNewConstMetric(kernelDropsDesc, prometheus.CounterValue, float64(st.Drops))
		ch <- prometheus.MustNewConstMetric(queueFreezesDesc, prometheus.CounterValue, float64(st.QueueFreezes))
	}, kernelPacketsDesc, kernelDropsDesc, queueFreezesDesc)
}

var (
	kernelPacketsDesc = prometheus.NewDesc("flowsift_capture_kernel_packets_total", "Packets that passed the capture filter in the kernel, dropped ones included.", nil, nil)
	kernelDropsDesc   = prometheus.NewDesc("flowsift_capture_kernel_drops_total", "Packets the kernel dropped because the capture ring was full.", nil, nil)
	queueFreezesDesc  = prometheus.NewDesc("flowsift_capture_ring_full_total", "Times the capture ring filled up.", nil, nil)
)

type funcCollector struct {
	collect func(chan<- prometheus.Metric)
	descs   []*prometheus.Desc
}

func collectorFunc(collect func(chan<- prometheus.Metric), descs ...*prometheus.Desc) prometheus.Collector {
	return funcCollector{collect, descs}
}

func (f funcCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range f.descs {
		ch <- d
	}
}

func (f funcCollector) Collect(ch chan<- prometheus.Metric) { f.collect(ch) }
