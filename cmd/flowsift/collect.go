package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowsift/flowsift/internal/collect"
	"github.com/flowsift/flowsift/internal/collect/netflow"
	"github.com/flowsift/flowsift/internal/collect/sflow"
	"github.com/flowsift/flowsift/internal/collect/syslog"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
	"github.com/flowsift/flowsift/internal/telemetry"
)

type collectOptions struct {
	netflow  []string
	sflow    []string
	syslog   []string
	tlsCert  string
	tlsKey   string
	logs     logFlags
	read     []string
	workers  int
	rcvbuf   byteSize
	out      string
	storeDir string
	metrics  string
	observer string
	tenant   string
	quiet    bool
}

func newCollectCmd() *cobra.Command {
	o := collectOptions{workers: 2, rcvbuf: 8 << 20, observer: hostname(), tenant: "default"}
	cmd := &cobra.Command{
		Use:   "collect [flags]",
		Short: "Receive NetFlow v5/v9, IPFIX, sFlow and syslog, and write them as records",
		Long: `Listen for flow exports from routers, switches, firewalls and probes, and turn
every exported flow into a record with the same field names as the sensor's
flow records (source.ip, destination.port, source.bytes, network.transport,
network.community_id, …) plus where it came from: netflow.exporter.ip, the
input and output interfaces (observer.ingress.interface.id, …), the sampling
rate and next hop. Counters are multiplied by the sampling rate; the raw
ones are kept in netflow.raw.*. event.dataset is "netflow".

A --netflow listener takes NetFlow v5, v9 and IPFIX alike (the version is
read from each packet). Templates are learnt per exporter and observation
domain; data that arrives before its template is held (bounded) and decoded
when the template comes. Lost export packets are counted from the exporters'
sequence numbers. Each listener has --workers sockets (SO_REUSEPORT): the
kernel keeps one exporter on one socket.

--syslog listens for log lines from firewalls, proxies, servers…: over
udp:// (one message per datagram), tcp:// and tls:// (RFC 6587 framing,
octet counting or one message per line). Each line is normalized as
flowsift read does for log files (the format detected per line, or forced
with --log-parser): ECS fields, event.dataset log.<vendor>.<type>, and a
line no parser understands is kept as log.unparsed.

--read replays captured exports (pcap/pcapng of the UDP traffic to a
collector) instead of listening, and ends at the end of the files.

Records go to stdout as NDJSON, to -o, or into a store (--store); counters
are served as Prometheus metrics with --metrics. Stop with Ctrl-C.`,
		Example: `  flowsift collect --netflow :2055 --ipfix :4739 --sflow :6343 --store ./data
  flowsift collect --syslog udp://:514,tcp://:514 --log-timezone Europe/Berlin --store ./data
  flowsift collect --syslog tls://:6514 --tls-cert server.pem --tls-key server.key -o logs.ndjson
  flowsift collect --netflow :2055 -o flows.ndjson --metrics :9191
  flowsift collect --read exports.pcap | jq -c '[.source.ip, .destination.ip, .source.bytes]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCollect(cmd, &o) },
	}
	f := cmd.Flags()
	registerListenerFlags(f, &o)
	f.IntVar(&o.workers, "workers", o.workers, "sockets (and goroutines) per UDP listener")
	f.StringArrayVar(&o.read, "read", nil, "replay the exports in this capture file instead of listening (repeatable)")
	f.StringVarP(&o.out, "output", "o", "-", "write records to this file instead of stdout")
	f.StringVar(&o.storeDir, "store", "", "write the records into the store in this data directory (NDJSON then only with -o)")
	f.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics on this address, e.g. :9191")
	f.StringVar(&o.observer, "observer", o.observer, "observer.name written into every record")
	f.StringVar(&o.tenant, "tenant", o.tenant, "tenant.id written into every record")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no summary on stderr")
	return cmd
}

// lockedSink serialises the workers' batches into one sink.
type lockedSink struct {
	mu   sync.Mutex
	sink flow.Sink
}

func (l *lockedSink) Consume(batch []record.Record) {
	l.mu.Lock()
	l.sink.Consume(batch)
	l.mu.Unlock()
}

// collectWorker owns the decoders of one socket (or of a replay).
type collectWorker struct {
	nf   *netflow.Decoder
	sf   *sflow.Decoder
	recs []record.Record
	errs uint64

	mu      sync.Mutex // guards the snapshots the metrics read
	nfStats netflow.Stats
	sfStats sflow.Stats
}

func newCollectWorker(o *collectOptions) (*collectWorker, error) {
	nf, err := netflow.New(netflow.DefaultConfig(), netflow.Deps{Observer: o.observer, Tenant: o.tenant})
	if err != nil {
		return nil, err
	}
	return &collectWorker{nf: nf, sf: sflow.New(sflow.Deps{Observer: o.observer, Tenant: o.tenant})}, nil
}

// handle decodes one datagram; sFlow if isSFlow, else NetFlow/IPFIX.
func (w *collectWorker) handle(dg collect.Datagram, isSFlow bool, sink flow.Sink, log *slog.Logger) {
	var err error
	if isSFlow {
		w.recs, err = w.sf.Decode(dg.Src.Addr(), dg.Payload, dg.Time, w.recs[:0])
	} else {
		w.recs, err = w.nf.Decode(dg.Src.Addr(), dg.Payload, w.recs[:0])
	}
	if err != nil {
		w.errs++
		if w.errs <= 10 || w.errs%10000 == 0 { // rate-limited: an exporter in a loop must not flood the log
			log.Warn("undecodable export packet", "exporter", dg.Src.String(), "error", err, "errors so far", w.errs)
		}
	}
	if len(w.recs) > 0 {
		sink.Consume(w.recs)
	}
	w.mu.Lock()
	w.nfStats, w.sfStats = w.nf.Stats(), w.sf.Stats()
	w.mu.Unlock()
}

// isSFlow tells an sFlow v5 datagram (a 32-bit version 5) from NetFlow
// and IPFIX (16-bit versions), for replays of mixed captures.
func isSFlow(p []byte) bool { return len(p) >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 5 }

func runCollect(cmd *cobra.Command, o *collectOptions) error {
	if len(o.netflow)+len(o.sflow)+len(o.syslog)+len(o.read) == 0 {
		return invalidOptions(cmd, errors.New("nothing to collect: give --netflow ADDR, --sflow ADDR, --syslog URL or --read FILE"))
	}
	if len(o.read) > 0 && len(o.netflow)+len(o.sflow)+len(o.syslog) > 0 {
		return invalidOptions(cmd, errors.New("--read replays files; it does not go with --netflow, --sflow or --syslog"))
	}
	syslogs, tlsConf, err := prepareListeners(cmd, o)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	stderr := cmd.ErrOrStderr()
	log := slog.New(slog.NewTextHandler(stderr, nil))

	out, err := openRecordOutput(cmd, o.out, o.storeDir, store.OpenOptions{})
	if err != nil {
		return err
	}
	sink := out.sink
	locked := &lockedSink{sink: sink}
	var logs *logPipe
	if len(syslogs) > 0 {
		if logs, err = newLogPipe(&o.logs, o.observer, o.tenant, locked); err != nil {
			return invalidOptions(cmd, err)
		}
	}

	var workers []*collectWorker
	newWorker := func() (*collectWorker, error) {
		cw, err := newCollectWorker(o)
		if err == nil {
			workers = append(workers, cw)
		}
		return cw, err
	}
	start := time.Now()
	var runErr error
	if len(o.read) > 0 {
		runErr = replayExports(o.read, newWorker, locked, log)
	} else {
		runErr = listenExports(ctx, o, newWorker, locked, log, stderr, syslogs, tlsConf, logs, nil)
	}
	if logs != nil {
		logs.flush()
	}

	flushErr := out.flush()
	if !o.quiet {
		printCollectSummary(stderr, workers, time.Since(start))
		if logs != nil {
			logs.summary(stderr, time.Since(start))
		}
	}
	// Ctrl-C ended the listeners; the store is still to be closed.
	if err := out.close(context.WithoutCancel(ctx), stderr, o.quiet); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	return flushErr
}

func prepareListeners(cmd *cobra.Command, o *collectOptions) ([]syslogURL, *tls.Config, error) {
	syslogs, err := parseSyslogURLs(o.syslog)
	if err != nil {
		return nil, nil, invalidOptions(cmd, err)
	}
	var tlsConf *tls.Config
	for _, u := range syslogs {
		if u.scheme == "tls" && tlsConf == nil {
			if o.tlsCert == "" || o.tlsKey == "" {
				return nil, nil, invalidOptions(cmd, errors.New("a tls:// syslog listener needs --tls-cert and --tls-key"))
			}
			cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
			if err != nil {
				return nil, nil, &exitError{2, fmt.Errorf("--tls-cert/--tls-key: %w", err)}
			}
			tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
	}
	if err := o.logs.config().Validate(); err != nil {
		return nil, nil, invalidOptions(cmd, err)
	}
	if o.workers < 1 || o.workers > 256 {
		return nil, nil, invalidOptions(cmd, fmt.Errorf("--workers %d: use 1 to 256", o.workers))
	}
	return syslogs, tlsConf, nil
}

// registerListenerFlags adds the listener flags collect and serve share.
func registerListenerFlags(f *pflag.FlagSet, o *collectOptions) {
	f.StringArrayVar(&o.netflow, "netflow", nil, "listen for NetFlow v5/v9 and IPFIX on this UDP address, e.g. :2055 (repeatable)")
	f.StringArrayVar(&o.netflow, "ipfix", nil, "the same as --netflow, e.g. :4739 (IPFIX's port)")
	f.StringArrayVar(&o.sflow, "sflow", nil, "listen for sFlow v5 on this UDP address, e.g. :6343 (repeatable)")
	f.StringSliceVar(&o.syslog, "syslog", nil, "listen for syslog on these addresses: udp://:514, tcp://:514, tls://:6514 (comma-separated or repeated)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "certificate (PEM) of tls:// syslog listeners")
	f.StringVar(&o.tlsKey, "tls-key", "", "private key (PEM) of tls:// syslog listeners")
	o.logs.register(f)
	f.Var(&o.rcvbuf, "rcvbuf", "socket receive buffer per UDP worker (the kernel caps it at net.core.rmem_max)")
}

func (o *collectOptions) listening() bool { return len(o.netflow)+len(o.sflow)+len(o.syslog) > 0 }

func replayExports(files []string, newWorker func() (*collectWorker, error), sink flow.Sink, log *slog.Logger) error {
	cw, err := newWorker()
	if err != nil {
		return err
	}
	for _, f := range files {
		for dg, err := range collect.Datagrams(f) {
			if err != nil {
				return &exitError{2, err}
			}
			cw.handle(dg, isSFlow(dg.Payload), sink, log)
		}
	}
	return nil
}

func listenExports(ctx context.Context, o *collectOptions, newWorker func() (*collectWorker, error), sink flow.Sink, log *slog.Logger, stderr io.Writer,
	syslogs []syslogURL, tlsConf *tls.Config, logs *logPipe, reg prometheus.Registerer) error {
	type listener struct {
		l     *collect.UDPListener
		sflow bool
		ws    []*collectWorker
	}
	var ls []*listener
	defer func() {
		for _, l := range ls {
			_ = l.l.Close()
		}
	}()
	open := func(addr string, sf bool) error {
		l, err := collect.ListenUDP(ctx, collect.UDPConfig{Addr: addr, Workers: o.workers, ReadBuffer: int(o.rcvbuf)})
		if err != nil {
			return &exitError{2, fmt.Errorf("collect: %w (is another collector on that port? choose another address)", err)}
		}
		x := &listener{l: l, sflow: sf}
		for range o.workers {
			cw, err := newWorker()
			if err != nil {
				return err
			}
			x.ws = append(x.ws, cw)
		}
		ls = append(ls, x)
		kind := "NetFlow/IPFIX"
		if sf {
			kind = "sFlow"
		}
		fmt.Fprintf(stderr, "flowsift: collecting %s on udp %s (%d workers)\n", kind, l.Addr(), o.workers)
		return nil
	}
	for _, a := range o.netflow {
		if err := open(a, false); err != nil {
			return err
		}
	}
	for _, a := range o.sflow {
		if err := open(a, true); err != nil {
			return err
		}
	}

	var sst syslog.Stats
	var streams []net.Listener
	var udpLogs []*collect.UDPListener
	defer func() {
		for _, l := range streams {
			_ = l.Close()
		}
		for _, l := range udpLogs {
			_ = l.Close()
		}
	}()
	for _, u := range syslogs {
		if u.scheme == "udp" {
			l, err := collect.ListenUDP(ctx, collect.UDPConfig{Addr: u.addr, Workers: o.workers, ReadBuffer: int(o.rcvbuf)})
			if err != nil {
				return &exitError{2, fmt.Errorf("collect: syslog %w", err)}
			}
			udpLogs = append(udpLogs, l)
			fmt.Fprintf(stderr, "flowsift: collecting syslog on udp %s\n", l.Addr())
			continue
		}
		ln, err := net.Listen("tcp", u.addr)
		if err != nil {
			return &exitError{2, fmt.Errorf("collect: syslog: %w (is another syslog server on that port? choose another address)", err)}
		}
		fmt.Fprintf(stderr, "flowsift: collecting syslog on %s %s\n", u.scheme, ln.Addr())
		if u.scheme == "tls" {
			ln = tls.NewListener(ln, tlsConf)
		}
		streams = append(streams, ln)
	}

	if reg == nil {
		r := telemetry.NewRegistry()
		if o.metrics != "" {
			srv, err := telemetry.Listen(o.metrics, r)
			if err != nil {
				return &exitError{2, fmt.Errorf("--metrics: %w", err)}
			}
			defer func() { _ = srv.Close() }()
			fmt.Fprintf(stderr, "flowsift: metrics on http://%s/metrics\n", srv.Addr())
		}
		reg = r
	}
	if logs != nil {
		registerSyslogMetrics(reg, &sst, logs)
	}
	registerCollectMetrics(reg, func() []*collectWorker {
		var all []*collectWorker
		for _, l := range ls {
			all = append(all, l.ws...)
		}
		return all
	}, func() uint64 {
		var n uint64
		for _, l := range ls {
			n += l.l.KernelDrops()
		}
		return n
	})
	var wg sync.WaitGroup
	if logs != nil {
		// A quiet sender's lines must not wait for the next ones.
		wg.Go(func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					logs.flush()
				}
			}
		})
	}
	errs := make([]error, len(ls)+len(udpLogs)+len(streams))
	for i, l := range ls {
		wg.Go(func() {
			errs[i] = l.l.Serve(ctx, func(worker int, dg collect.Datagram) {
				l.ws[worker].handle(dg, l.sflow, sink, log)
			})
		})
	}
	for i, l := range udpLogs {
		wg.Go(func() {
			errs[len(ls)+i] = l.Serve(ctx, func(_ int, dg collect.Datagram) {
				sst.Messages.Add(1)
				logs.line(dg.Src.Addr(), string(dg.Payload), dg.Time)
			})
		})
	}
	for i, ln := range streams {
		wg.Go(func() {
			errs[len(ls)+len(udpLogs)+i] = syslog.ServeStream(ctx, ln, 1024, &sst, func(src netip.Addr, msg []byte, recv time.Time) {
				logs.line(src, string(msg), recv)
			})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// syslogURL is one --syslog listener.
type syslogURL struct{ scheme, addr string }

func parseSyslogURLs(in []string) ([]syslogURL, error) {
	var out []syslogURL
	for _, s := range in {
		scheme, addr, ok := strings.Cut(s, "://")
		if !ok {
			return nil, fmt.Errorf("--syslog %q: write it as udp://:514, tcp://:514 or tls://:6514", s)
		}
		switch scheme {
		case "udp", "tcp", "tls":
		default:
			return nil, fmt.Errorf("--syslog %q: the scheme must be udp, tcp or tls", s)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("--syslog %q: %w (write host:port or :port)", s, err)
		}
		out = append(out, syslogURL{scheme, addr})
	}
	return out, nil
}

func registerSyslogMetrics(reg prometheus.Registerer, st *syslog.Stats, logs *logPipe) {
	for _, c := range []struct {
		name, help string
		f          func() uint64
	}{
		{"syslog_messages_total", "Syslog messages received.", st.Messages.Load},
		{"syslog_truncated_total", "Syslog messages longer than the limit, cut.", st.Truncated.Load},
		{"syslog_frame_errors_total", "TCP/TLS syslog streams ended by a malformed octet count.", st.FrameErrors.Load},
		{"syslog_connections_total", "TCP/TLS syslog connections accepted.", st.Conns.Load},
		{"log_unparsed_total", "Log lines no parser understood (stored as log.unparsed).", func() uint64 {
			logs.mu.Lock()
			defer logs.mu.Unlock()
			return logs.n.Stats()[normalize.UnparsedName].Lines
		}},
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "flowsift", Subsystem: "collect", Name: c.name, Help: c.help},
			func() float64 { return float64(c.f()) }))
	}
}

func registerCollectMetrics(reg prometheus.Registerer, workers func() []*collectWorker, kernelDrops func() uint64) {
	sum := func(f func(nf *netflow.Stats, sf *sflow.Stats) uint64) func() float64 {
		return func() float64 {
			var n uint64
			for _, w := range workers() {
				w.mu.Lock()
				n += f(&w.nfStats, &w.sfStats)
				w.mu.Unlock()
			}
			return float64(n)
		}
	}
	counters := []struct {
		name, help string
		f          func(nf *netflow.Stats, sf *sflow.Stats) uint64
	}{
		{"packets_total", "Export packets and sFlow datagrams received.", func(nf *netflow.Stats, sf *sflow.Stats) uint64 { return nf.Packets + sf.Datagrams }},
		{"records_total", "Flow records produced.", func(nf *netflow.Stats, sf *sflow.Stats) uint64 { return nf.Records + sf.Records }},
		{"decode_errors_total", "Export packets or sets that could not be decoded.", func(nf *netflow.Stats, sf *sflow.Stats) uint64 { return nf.DecodeErrors + sf.DecodeErrors }},
		{"unknown_template_sets_total", "Data sets dropped because their template never came (within the hold bounds).", func(nf *netflow.Stats, _ *sflow.Stats) uint64 { return nf.NoTemplate }},
		{"templates_total", "Templates and options templates learnt.", func(nf *netflow.Stats, _ *sflow.Stats) uint64 { return nf.Templates }},
		{"lost_total", "Export packets (v9, sFlow) or flows (v5, IPFIX) the exporters' sequence numbers say were lost.", func(nf *netflow.Stats, sf *sflow.Stats) uint64 { return nf.Lost + sf.Lost }},
	}
	for _, c := range counters {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "flowsift", Subsystem: "collect", Name: c.name, Help: c.help}, sum(c.f)))
	}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "flowsift", Subsystem: "collect", Name: "kernel_drops_total",
		Help: "Datagrams the kernel dropped on the listeners' ports because receive buffers were full (/proc/net/udp)."},
		func() float64 { return float64(kernelDrops()) }))
}

func printCollectSummary(w io.Writer, workers []*collectWorker, elapsed time.Duration) {
	var nf netflow.Stats
	var sf sflow.Stats
	for _, cw := range workers {
		cw.mu.Lock()
		a, b := cw.nfStats, cw.sfStats
		cw.mu.Unlock()
		nf.Packets += a.Packets
		nf.Records += a.Records
		nf.Templates += a.Templates
		nf.DecodeErrors += a.DecodeErrors
		nf.NoTemplate += a.NoTemplate
		nf.Backfilled += a.Backfilled
		nf.Lost += a.Lost
		sf.Datagrams += b.Datagrams
		sf.Records += b.Records
		sf.DecodeErrors += b.DecodeErrors
		sf.Lost += b.Lost
	}
	fmt.Fprintf(w, "flowsift collect: %s\n", elapsed.Round(time.Millisecond))
	if nf.Packets > 0 {
		fmt.Fprintf(w, "  NetFlow/IPFIX: %d packets, %d records, %d templates, %d decode errors, %d sets held then decoded, %d dropped without template, %d lost (sequence gaps)\n",
			nf.Packets, nf.Records, nf.Templates, nf.DecodeErrors, nf.Backfilled, nf.NoTemplate, nf.Lost)
	}
	if sf.Datagrams > 0 {
		fmt.Fprintf(w, "  sFlow: %d datagrams, %d records, %d decode errors, %d lost (sequence gaps)\n", sf.Datagrams, sf.Records, sf.DecodeErrors, sf.Lost)
	}
}
