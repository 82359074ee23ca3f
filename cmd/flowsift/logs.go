package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowsift/flowsift/internal/collect/syslog"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/normalize"
	_ "github.com/flowsift/flowsift/internal/normalize/all" // every vendor parser
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

// logFlags configure the log normalizer of read and collect.
type logFlags struct {
	sources    map[string]string
	org        string
	parser     string
	timezone   string
	year       int
	noOriginal bool
}

func (f *logFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.parser, "log-parser", "", "parse every log line with this parser instead of detecting it per line ("+strings.Join(normalize.Names(), ", ")+")")
	fs.StringVar(&f.timezone, "log-timezone", "", "timezone of log timestamps that carry none: an IANA name (Europe/Berlin), Local, UTC or +09:30 (default UTC)")
	fs.IntVar(&f.year, "log-year", 0, "year of log timestamps without one (BSD syslog); 0: the current year")
	fs.BoolVar(&f.noOriginal, "no-original", false, "do not keep each log line as event.original")
	fs.StringToStringVar(&f.sources, "log-source", nil, "parse the lines of this sender (address or prefix) with this parser, e.g. 10.0.0.1=panos,10.1.0.0/16=fortigate")
	fs.StringVar(&f.org, "log-organization", "", "organization.name of lines that do not name theirs (an MSSP customer, a Microsoft 365 tenant)")
}

func (f *logFlags) config() normalize.Config {
	c := normalize.DefaultConfig()
	c.Parser, c.Timezone, c.Year, c.KeepOriginal, c.Organization = f.parser, f.timezone, f.year, !f.noOriginal, f.org
	c.Sources = f.sources
	return c
}

// logPipe normalizes lines into records and hands them to a sink in
// batches. Safe for concurrent use (one lock: the listeners' goroutines
// share it).
type logPipe struct {
	mu    sync.Mutex
	n     *normalize.Normalizer
	rc    *normalize.Recorder
	e     normalize.Event
	batch []record.Record
	sink  flow.Sink
	lines uint64
	last  time.Time
}

func newLogPipe(f *logFlags, observer, tenant string, sink flow.Sink) (*logPipe, error) {
	n, err := normalize.New(f.config())
	if err != nil {
		return nil, err
	}
	return &logPipe{n: n, rc: normalize.NewRecorder(observer, tenant), sink: sink, last: time.Now()}, nil
}

func (p *logPipe) line(src netip.Addr, line string, recv time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = p.n.NormalizeFrom(src, line, &p.e) // a failed line is kept as log.unparsed and counted
	p.batch = append(p.batch, record.Record{})
	p.rc.Record(&p.e, recv, &p.batch[len(p.batch)-1])
	p.lines++
	if len(p.batch) >= 512 || time.Since(p.last) > time.Second {
		p.flushLocked()
	}
}

func (p *logPipe) flush() {
	p.mu.Lock()
	p.flushLocked()
	p.mu.Unlock()
}

func (p *logPipe) flushLocked() {
	if len(p.batch) > 0 {
		p.sink.Consume(p.batch)
		clear(p.batch)
		p.batch = p.batch[:0]
	}
	p.last = time.Now()
}

// summary writes lines per parser, unparsed lines and errors.
func (p *logPipe) summary(w io.Writer, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.n.Stats()
	names := make([]string, 0, len(st))
	for n, c := range st {
		if c.Lines > 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		c := st[n]
		s := fmt.Sprintf("%s %d", n, c.Lines)
		if c.Errors > 0 {
			s += fmt.Sprintf(" (%d failed, kept as unparsed)", c.Errors)
		}
		parts = append(parts, s)
	}
	fmt.Fprintf(w, "flowsift: %d log lines in %s: %.0f lines/s; by parser: %s\n", p.lines, elapsed.Round(time.Millisecond),
		float64(p.lines)/max(elapsed.Seconds(), 1e-9), strings.Join(parts, ", "))
}

// readLogFiles normalizes every line of the files ("-" is stdin).
func readLogFiles(files []string, p *logPipe, stdin io.Reader) error {
	var st syslog.Stats
	for _, name := range files {
		var r io.Reader = stdin
		var f *os.File
		if name != "-" {
			var err error
			if f, err = os.Open(name); err != nil { //nolint:gosec // the user names the files to read
				return &exitError{2, err}
			}
			r = f
		}
		rd := syslog.NewReader(r, &st)
		rd.Lines = true
		var err error
		for {
			var msg []byte
			if msg, err = rd.Next(); err != nil {
				break
			}
			p.line(netip.Addr{}, string(msg), time.Now())
		}
		if f != nil {
			_ = f.Close()
		}
		if !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	p.flush()
	if n := st.Truncated.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "flowsift: %d lines longer than %d bytes were cut\n", n, syslog.MaxMessage)
	}
	return nil
}

// isCapture reports whether a file starts like a pcap or pcapng file
// (gzip-compressed ones included).
func isCapture(name string) bool {
	f, err := os.Open(name) //nolint:gosec // the user names the files to read
	if err != nil {
		return true // let the capture reader report it
	}
	defer func() { _ = f.Close() }()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false
	}
	switch string(b[:]) {
	case "\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d", "\x0a\x0d\x0d\x0a":
		return true
	}
	return b[0] == 0x1f && b[1] == 0x8b
}

// runReadLogs is read for files of log lines.
func runReadLogs(cmd *cobra.Command, files []string, lf *logFlags, observer, tenant, out, storeDir string, quiet bool) error {
	if err := lf.config().Validate(); err != nil {
		return invalidOptions(cmd, err)
	}
	o, err := openRecordOutput(cmd, out, storeDir, store.OpenOptions{})
	if err != nil {
		return err
	}
	p, err := newLogPipe(lf, observer, tenant, o.sink)
	if err != nil {
		_ = o.flush()
		return invalidOptions(cmd, err)
	}
	start := time.Now()
	runErr := readLogFiles(files, p, cmd.InOrStdin())
	flushErr := o.flush()
	if !quiet {
		p.summary(cmd.ErrOrStderr(), time.Since(start))
	}
	if err := o.close(cmd.Context(), cmd.ErrOrStderr(), quiet); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	return flushErr
}
