package duckdb_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/netip"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store/duckdb"
)

// benchRecords returns n records made from the demo captures: each copy
// shifts time by a minute and the addresses by one, so values vary as in
// real traffic.
func benchRecords(b testing.TB, n int) []record.Record {
	b.Helper()
	seed := demoRecords(b)
	out := make([]record.Record, 0, n)
	for k := 0; len(out) < n; k++ {
		for _, r := range seed {
			if len(out) == n {
				break
			}
			r.Timestamp = r.Timestamp.Add(time.Duration(k) * time.Minute)
			r.Event.Start, r.Event.End = r.Event.Start.Add(time.Duration(k)*time.Minute), r.Event.End.Add(time.Duration(k)*time.Minute)
			r.Event.ID = fmt.Sprintf("%s%08d", r.Event.ID[:18], len(out))
			r.Source.IP = shift(r.Source.IP, k)
			r.Destination.IP = shift(r.Destination.IP, k/3)
			out = append(out, r)
		}
	}
	return out
}

func shift(a netip.Addr, k int) netip.Addr {
	for range k % 251 {
		a = a.Next()
	}
	return a
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngest appends records and flushes them: records/s by wall
// clock and per CPU-second (DuckDB may use more threads than one).
func BenchmarkIngest(b *testing.B) {
	const n = 100_000
	recs := benchRecords(b, n)
	const batch = 1024 // what the pipeline hands a sink
	for _, rows := range []int{32_768, 100_000} {
		b.Run(fmt.Sprintf("impl=chunk/threads=1/batch_rows=%d", rows), func(b *testing.B) {
			cfg := duckdb.DefaultConfig(b.TempDir())
			cfg.Threads = 1
			cfg.BatchRows = rows
			s, err := duckdb.Open(context.Background(), cfg, duckdb.Deps{})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = s.Close() }()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				for i := 0; i < n; i += batch {
					if err := s.Append(recs[i:min(i+batch, n)]); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "records/CPU-s")
			b.StopTimer()
			st, err := s.Stats(context.Background())
			if err == nil && st.Records > 0 {
				b.ReportMetric(float64(st.Bytes)/float64(st.Records), "bytes/record")
			}
		})
	}
	b.Run("impl=row-appender/threads=1", func(b *testing.B) { benchRowAppender(b, recs) })
}

// benchRowAppender is the baseline: duckdb-go's row Appender on the same
// table layout.
func benchRowAppender(b *testing.B, recs []record.Record) {
	dir := b.TempDir()
	s, err := duckdb.Open(context.Background(), duckdb.DefaultConfig(dir), duckdb.Deps{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil { // leaves records_template
		b.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "flowsift.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "SET threads = 1"); err != nil {
		b.Fatal(err)
	}
	row := make([]driver.Value, 0, 64)
	var v record.Value
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		err := conn.Raw(func(dc any) error {
			app, err := duckdbdrv.NewAppenderFromConn(dc.(driver.Conn), "", "records_template")
			if err != nil {
				return err
			}
			for i := range recs {
				row = appendRow(row[:0], &recs[i], &v)
				if err := app.AppendRow(row...); err != nil {
					return err
				}
			}
			return app.Close()
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(len(recs)*b.N)/cpu.Seconds(), "records/CPU-s")
}

func appendRow(row []driver.Value, r *record.Record, v *record.Value) []driver.Value {
	for i := range record.Fields {
		f := &record.Fields[i]
		*v = record.Value{}
		ok := f.Get(r, v)
		if ok && f.Datasets != nil {
			ok = f.Datasets[0] == r.Event.Dataset
		}
		if !ok {
			row = append(row, nil)
			if f.Type == record.TypeIP {
				row = append(row, nil)
			}
			continue
		}
		switch f.Type {
		case record.TypeString:
			row = append(row, v.Str)
		case record.TypeInt:
			row = append(row, v.Int)
		case record.TypeBool:
			row = append(row, v.Bool)
		case record.TypeTime:
			row = append(row, v.Time)
		case record.TypeIP:
			row = append(row, v.IP.String(), query.IPNum(v.IP))
		case record.TypeMAC:
			row = append(row, fmt.Sprintf("%X", v.MAC[:]))
		case record.TypeIntList:
			l := make([]any, len(v.Ints))
			for j, x := range v.Ints {
				l[j] = x
			}
			row = append(row, l)
		case record.TypeStringList:
			l := make([]any, len(v.Strs))
			for j, x := range v.Strs {
				l[j] = x
			}
			row = append(row, l)
		}
	}
	// The search text is left out: this baseline measures the appender.
	return append(row, nil)
}
