package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/store"
)

type flowFlags struct {
	cfg           pipeline.Config
	dpi           dpiFlags
	observer      string
	tenant        string
	metricsListen string // daemons only
}

func (f *flowFlags) register(cmd *cobra.Command) {
	f.cfg = pipeline.DefaultConfig()
	fl := cmd.Flags()
	fc := &f.cfg.Flow
	fl.IntVarP(&f.cfg.Workers, "workers", "w", f.cfg.Workers, "decode+flow workers; flows are sharded across them by address")
	fl.DurationVar(&fc.TCPIdle, "tcp-idle", fc.TCPIdle, "end a TCP flow after this long without packets")
	fl.DurationVar(&fc.TCPClose, "tcp-close", fc.TCPClose, "after FIN from both sides or a RST, end the flow after this long")
	fl.DurationVar(&fc.UDPIdle, "udp-idle", fc.UDPIdle, "end a UDP flow after this long without packets")
	fl.DurationVar(&fc.DNSIdle, "dns-idle", fc.DNSIdle, "end a DNS, NetBIOS, mDNS or LLMNR flow (UDP 53, 137, 5353, 5355) after this long without packets")
	fl.DurationVar(&fc.ICMPIdle, "icmp-idle", fc.ICMPIdle, "end an ICMP flow after this long without packets")
	fl.DurationVar(&fc.OtherIdle, "other-idle", fc.OtherIdle, "end a flow of another IP protocol after this long without packets")
	fl.DurationVar(&fc.ActiveTimeout, "active-timeout", fc.ActiveTimeout, "emit an interim record for flows longer than this (0: never)")
	fl.IntVar(&fc.MaxFlows, "max-flows", fc.MaxFlows, "live flows at most; past it the least recently active flow is ended and counted")
	fl.IntVar(&fc.PatternPackets, "pattern-packets", fc.PatternPackets, "first packets recorded in flow.pattern.* (0-16)")
	fl.StringVar(&f.observer, "observer", hostname(), "observer.name written on every record")
	fl.StringVar(&f.tenant, "tenant", "default", "tenant.id written on every record")
	f.dpi.register(cmd)
}

func (f *flowFlags) validate() error {
	return errors.Join(f.cfg.Validate(), f.dpi.validate())
}

// deps returns the flow tables' collaborators.
func (f *flowFlags) deps(sink flow.Sink) flow.Deps {
	d := flow.Deps{Sink: sink, Observer: f.observer, Tenant: f.tenant}
	f.dpi.attach(&d)
	return d
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "flowsift"
	}
	return h
}

func newReadCmd() *cobra.Command {
	var ff flowFlags
	var lf logFlags
	var out string
	var quiet bool
	var storeDir string
	format := "auto"
	var storeOpts struct {
		retention time.Duration
		maxSize   byteSize
	}
	cmd := &cobra.Command{
		Use:   "read [flags] FILE...",
		Short: "Read pcap/pcapng files or log files and write records as NDJSON",
		Long: `Read packet captures (pcap or pcapng, optionally gzip-compressed) and write
one JSON record per line: a "flow" record per connection, with packets and
IP bytes per direction, TCP flags and history, the pattern of the first
packets, tunnel and VLAN information and the Community ID.

Several files are merged in timestamp order, as if captured together. Time
comes from the packets, so a replay gives the same records as a live
capture. A summary (packets, flows, records, drops and errors by reason,
throughput) goes to stderr; a progress bar too when stderr is a terminal.

Files of log lines (syslog from firewalls, proxies, DNS servers, JSON
logs of Suricata, Zeek, cloud services…; "-" reads stdin) are normalized
instead: each line's format is detected (or forced with --log-parser) and
it becomes one record with ECS field names (event.dataset log.<vendor>.
<type>, event.action, source.ip, user.name, url.original, …). A line no
parser understands is kept as log.unparsed; nothing is dropped. --format
auto tells captures from log files by their first bytes.`,
		Example: `  flowsift read capture.pcap | jq .
  flowsift read -o flows.ndjson monday.pcapng.gz tuesday.pcapng.gz
  flowsift read --workers 2 --active-timeout 1m big.pcap > flows.ndjson
  flowsift read --store ./data capture.pcap   # then: flowsift search --store ./data 'destination.port:53'
  flowsift read --format syslog --log-timezone Europe/Berlin firewall.log | jq -c '[.event.action, .source.ip]'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := ff.validate(); err != nil {
				return invalidOptions(cmd, err)
			}
			switch format {
			case "auto", "pcap", "syslog":
			default:
				return invalidOptions(cmd, fmt.Errorf("--format %q: use auto, pcap or syslog", format))
			}
			if format == "syslog" || format == "auto" && (args[0] == "-" || !isCapture(args[0])) {
				return runReadLogs(cmd, args, &lf, ff.observer, ff.tenant, out, storeDir, quiet)
			}
			src, err := pcapfile.Open(args...)
			if err != nil {
				return &exitError{2, err}
			}
			defer func() { _ = src.Close() }()

			o, err := openRecordOutput(cmd, out, storeDir, store.OpenOptions{Retention: storeOpts.retention, MaxBytes: int64(storeOpts.maxSize)})
			if err != nil {
				return err
			}
			runner := pipeline.New(ff.cfg, ff.deps(o.sink))
			runner.OnPanic = func(stack []byte) {
				slog.Error("recovered from a panic while processing a frame", "stack", string(stack))
			}

			stopProgress := startProgress(os.Stderr, quiet, src, runner)
			start := time.Now()
			st, runErr := runner.Run(cmd.Context(), src)
			elapsed := time.Since(start)
			stopProgress()

			flushErr := o.flush()
			if !quiet {
				printSummary(os.Stderr, &st, src.Stats(), elapsed, o.nd)
				ff.dpi.printSummary(os.Stderr, st.Flow)
			}
			storeErr := o.close(cmd.Context(), os.Stderr, quiet)
			for _, e := range src.Errors() {
				slog.Warn("input problem", "error", e)
			}
			if runErr != nil {
				return runErr
			}
			if storeErr != nil {
				return storeErr
			}
			return flushErr
		},
	}
	ff.register(cmd)
	lf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", format, "what the files hold: pcap (packet captures), syslog (log lines), or auto")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "write records to this file instead of stdout")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no summary and no progress bar on stderr")
	cmd.Flags().StringVar(&storeDir, "store", "", "write the records into the store in this data directory (NDJSON then only with -o)")
	cmd.Flags().DurationVar(&storeOpts.retention, "store-retention", 0, "drop the store's records older than this, whole days at a time, e.g. 720h (0: keep)")
	cmd.Flags().Var(&storeOpts.maxSize, "store-max-size", "drop the store's oldest days while it uses more than this, e.g. 50GiB (the newest day stays)")
	return cmd
}

// startProgress draws a progress bar on a terminal until the returned
// function is called.
func startProgress(w *os.File, quiet bool, src *pcapfile.Reader, runner *pipeline.Runner) func() {
	if quiet || !term.IsTerminal(int(w.Fd())) { //nolint:gosec // file descriptors fit in int
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-tick.C:
				read, total := src.Progress()
				frac := 0.0
				if total > 0 {
					frac = min(float64(read)/float64(total), 1)
				}
				el := time.Since(start).Seconds()
				const width = 30
				bar := make([]byte, width)
				for i := range bar {
					bar[i] = ' '
					if float64(i) < frac*width {
						bar[i] = '='
					}
				}
				eta := ""
				if frac > 0.01 {
					eta = fmt.Sprintf(" ETA %s", time.Duration(el/frac*(1-frac)*float64(time.Second)).Round(time.Second))
				}
				fmt.Fprintf(w, "\r\033[K[%s] %3.0f%%  %s / %s  %.2f Mpkt/s%s", bar, frac*100,
					humanBytes(float64(read)), humanBytes(float64(total)), float64(runner.Frames())/el/1e6, eta)
			}
		}
	}()
	return func() { close(done); <-finished }
}

func humanBytes(b float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}
