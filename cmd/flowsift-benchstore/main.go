// Command flowsift-benchstore measures the embedded store on many records
// made from real ones: it reads a capture through the sensor path (DPI
// on), replays its records with shifted times, addresses and ids until
// there are -n of them, appends them to a fresh store (ingest records per
// second, wall and CPU) and writes the same records as NDJSON; then it
// runs a field query, a CIDR query, a free-text query, a top-10 and a
// 1-hour histogram over the whole range against the store (median of -runs)
// and answers the same questions with grep (and jq with -jq) over the
// NDJSON, and prints the figures against the goals of the store issue.
// make bench-store runs it; it is a benchmark, not a test.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/dissect"
	_ "github.com/flowsift/flowsift/internal/dissect/all" // every dissector
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
	"github.com/flowsift/flowsift/internal/store/duckdb"
)

func main() {
	pcap := flag.String("pcap", "/tmp/flowsift-bench-c8.pcap", "capture whose records seed the benchmark (scripts/bench.sh -c 8 builds this one)")
	n := flag.Int("n", 10_000_000, "records to store")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "flowsift-bench-store"), "work directory (emptied first; never inside a repository)")
	runs := flag.Int("runs", 5, "runs of each store query; the median is reported")
	useJQ := flag.Bool("jq", false, "also answer the aggregations with jq (slow on GBs of NDJSON)")
	flag.Parse()
	if err := run(*pcap, *n, *dir, *runs, *useJQ); err != nil {
		fmt.Fprintln(os.Stderr, "flowsift-benchstore:", err)
		os.Exit(1)
	}
}

type collector struct{ recs []record.Record }

func (c *collector) Consume(batch []record.Record) {
	for _, r := range batch {
		r.Flow.PatternSizes = slices.Clone(r.Flow.PatternSizes)
		r.Flow.PatternIATMicros = slices.Clone(r.Flow.PatternIATMicros)
		r.Flow.MPLS = slices.Clone(r.Flow.MPLS)
		r.Flow.Tunnel.Types = slices.Clone(r.Flow.Tunnel.Types)
		c.recs = append(c.recs, r)
	}
}

func seed(pcap string) ([]record.Record, error) {
	src, err := pcapfile.Open(pcap)
	if err != nil {
		return nil, fmt.Errorf("%w (build it with scripts/bench.sh -c 8, or pass -pcap)", err)
	}
	defer func() { _ = src.Close() }()
	c := &collector{}
	deps := flow.Deps{Sink: c, Observer: "bench", Tenant: "default", NewInspector: func() flow.Inspector {
		e, _ := dissect.New(dissect.DefaultConfig(), dissect.Deps{}) // the default config is valid
		return e
	}}
	cfg := pipeline.DefaultConfig()
	cfg.Workers = 1
	if _, err := pipeline.New(cfg, deps).Run(context.Background(), src); err != nil {
		return nil, err
	}
	sort.SliceStable(c.recs, func(i, j int) bool { return c.recs[i].Timestamp.Before(c.recs[j].Timestamp) })
	return c.recs, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// shift moves an address k steps within its /16, so copies differ the way
// hosts of one network do and CIDR queries keep their meaning.
func shift(a netip.Addr, k int) netip.Addr {
	if !a.IsValid() {
		return a
	}
	b := a.As16()
	v := uint16(b[14])<<8 | uint16(b[15])
	v += uint16(k) //nolint:gosec // wraps on purpose
	b[14], b[15] = byte(v>>8), byte(v)
	out := netip.AddrFrom16(b)
	if a.Is4() {
		out = out.Unmap()
	}
	return out
}

func run(pcap string, n int, dir string, runs int, useJQ bool) error {
	fmt.Fprintf(os.Stderr, "== seed records from %s (DPI on)\n", pcap)
	seedRecs, err := seed(pcap)
	if err != nil {
		return err
	}
	if len(seedRecs) == 0 {
		return fmt.Errorf("%s gave no records", pcap)
	}
	span := seedRecs[len(seedRecs)-1].Timestamp.Sub(seedRecs[0].Timestamp) + time.Minute
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	cfg := duckdb.DefaultConfig(filepath.Join(dir, "store"))
	cfg.Threads = 1 // the goal is per core
	st, err := duckdb.Open(context.Background(), cfg, duckdb.Deps{})
	if err != nil {
		return err
	}
	ndPath := filepath.Join(dir, "records.ndjson")
	f, err := os.Create(ndPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)

	fmt.Fprintf(os.Stderr, "== %d records from %d seeds, %s per copy\n", n, len(seedRecs), span)
	const batchSize = 1024
	batch := make([]record.Record, 0, batchSize)
	var ingestCPU, ingestWall time.Duration
	var line []byte
	flush := func() error {
		c0, w0 := cpuTime(), time.Now()
		err := st.Append(batch)
		ingestCPU += cpuTime() - c0
		ingestWall += time.Since(w0)
		batch = batch[:0]
		return err
	}
	total := 0
	last := time.Now()
	for k := 0; total < n; k++ {
		off := time.Duration(k) * span
		for i := range seedRecs {
			if total == n {
				break
			}
			r := seedRecs[i]
			r.Timestamp = r.Timestamp.Add(off)
			if !r.Event.Start.IsZero() {
				r.Event.Start, r.Event.End = r.Event.Start.Add(off), r.Event.End.Add(off)
			}
			r.Event.ID = fmt.Sprintf("%s%08x", r.Event.ID[:18], total)
			r.Source.IP, r.Destination.IP = shift(r.Source.IP, k), shift(r.Destination.IP, k/7)
			batch = append(batch, r)
			line = r.AppendJSON(line[:0])
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return err
			}
			total++
			if len(batch) == batchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if time.Since(last) > 10*time.Second {
			fmt.Fprintf(os.Stderr, "   %d records, %.0f/s so far\n", total, float64(total)/ingestWall.Seconds())
			last = time.Now()
		}
	}
	if err := flush(); err != nil {
		return err
	}
	c0, w0 := cpuTime(), time.Now()
	if err := st.Close(); err != nil { // flushes and checkpoints
		return err
	}
	ingestCPU += cpuTime() - c0
	ingestWall += time.Since(w0)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	ndSize := fileSize(ndPath)
	storeSize := dirSize(filepath.Join(dir, "store"))

	ro := duckdb.DefaultConfig(filepath.Join(dir, "store"))
	ro.ReadOnly = true
	rs, err := duckdb.Open(context.Background(), ro, duckdb.Deps{})
	if err != nil {
		return err
	}
	defer func() { _ = rs.Close() }()

	sni := mostCommon(seedRecs, func(r *record.Record) string {
		if r.TLS != nil && r.TLS.ServerName != "" {
			return r.TLS.ServerName
		}
		return ""
	})
	qs := []benchQuery{
		{name: "field: tls.client.server_name:\"" + sni + "\"", q: `tls.client.server_name:"` + sni + `"`, kind: "count",
			grep: fmt.Sprintf(`grep -cF '"server_name":"%s"' %s`, sni, ndPath)},
		{name: "CIDR: source.ip:192.168.0.0/16", q: "source.ip:192.168.0.0/16", kind: "count",
			grep: fmt.Sprintf(`grep -cE '"source":\{"ip":"192\.168\.' %s`, ndPath)},
		{name: "free text: google", q: "google", kind: "count",
			grep: fmt.Sprintf(`grep -ci google %s`, ndPath)},
		{name: "top 10 destination.port", q: "*", kind: "top",
			grep: fmt.Sprintf(`grep -oE '"destination":\{"ip":"[^"]*","port":[0-9]+' %s | sed 's/.*"port"://' | sort | uniq -c | sort -rn | head -10`, ndPath),
			jq:   fmt.Sprintf(`jq -r '.destination.port // empty' %s | sort | uniq -c | sort -rn | head -10`, ndPath)},
		{name: "histogram 1h, whole range", q: "*", kind: "histogram",
			grep: fmt.Sprintf(`cut -c 16-28 %s | uniq -c | wc -l`, ndPath),
			jq:   fmt.Sprintf(`jq -r '."@timestamp"[0:13]' %s | uniq -c | wc -l`, ndPath)},
	}
	port, _ := record.Lookup("destination.port")
	ctx := context.Background()
	for i := range qs {
		q := &qs[i]
		node, err := query.Parse(q.q)
		if err != nil {
			return err
		}
		req := store.SearchRequest{Query: node, Tenant: "default"}
		var lat []time.Duration
		for range runs {
			t0 := time.Now()
			switch q.kind {
			case "count":
				q.result, err = rs.Count(ctx, req)
			case "top":
				var rows []store.TopRow
				rows, err = rs.Top(ctx, req, []*record.Field{port}, 10)
				q.result = int64(len(rows))
			case "histogram":
				var b []store.Bucket
				b, err = rs.Histogram(ctx, req, time.Hour)
				q.result = int64(len(b))
			}
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		q.median = lat[len(lat)/2]
		fmt.Fprintf(os.Stderr, "== %s: %s (result %d); grep …\n", q.name, q.median, q.result)
		q.grepTime, q.grepOut = shell(q.grep)
		if useJQ && q.jq != "" {
			q.jqTime, _ = shell(q.jq)
		}
	}

	fmt.Printf("\n### flowsift store benchmark: %d records (seeded from %s, DPI on)\n\n", total, filepath.Base(pcap))
	fmt.Printf("| | measured | goal |\n|---|---:|---|\n")
	fmt.Printf("| ingest, records per CPU-second (DuckDB on 1 thread) | %.0f | ≥ 300,000 |\n", float64(total)/ingestCPU.Seconds())
	fmt.Printf("| ingest, records per second (wall) | %.0f | |\n", float64(total)/ingestWall.Seconds())
	fmt.Printf("| store size / NDJSON size | %.3f (%d / %d bytes, %.0f B/record) | ≤ 0.333 |\n",
		float64(storeSize)/float64(ndSize), storeSize, ndSize, float64(storeSize)/float64(total))
	fmt.Printf("\n| question | store (median of %d) | grep | store faster by | jq | goal |\n|---|---:|---:|---:|---:|---|\n", runs)
	for _, q := range qs {
		goal := "< 300 ms, ≥ 10× grep"
		if strings.HasPrefix(q.name, "free text") {
			goal = "< 2 s, ≥ 10× grep"
		}
		jq := "-"
		if q.jqTime > 0 {
			jq = fmt.Sprintf("%.2f s", q.jqTime.Seconds())
		}
		fmt.Printf("| %s (result %d; grep: %s) | %.0f ms | %.2f s | %.1f× | %s | %s |\n", q.name, q.result, strings.TrimSpace(firstLine(q.grepOut)),
			float64(q.median.Microseconds())/1000, q.grepTime.Seconds(), q.grepTime.Seconds()/q.median.Seconds(), jq, goal)
	}
	return nil
}

type benchQuery struct {
	name, q, kind string
	grep, jq      string
	result        int64
	median        time.Duration
	grepTime      time.Duration
	jqTime        time.Duration
	grepOut       string
}

func shell(cmd string) (time.Duration, string) {
	t0 := time.Now()
	out, err := exec.Command("bash", "-c", "set -o pipefail; "+cmd).Output() //nolint:gosec // our own command lines
	d := time.Since(t0)
	if err != nil && len(out) == 0 {
		return d, "error: " + err.Error()
	}
	return d, string(out)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func mostCommon(recs []record.Record, key func(*record.Record) string) string {
	c := map[string]int{}
	for i := range recs {
		if k := key(&recs[i]); k != "" {
			c[k]++
		}
	}
	best, bn := "", 0
	for k, n := range c {
		if n > bn || n == bn && k < best {
			best, bn = k, n
		}
	}
	return best
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
