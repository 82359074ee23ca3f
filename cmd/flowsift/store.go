package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsift/flowsift/internal/export/ndjson"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
	_ "github.com/flowsift/flowsift/internal/store/all" // store implementations
)

// defaultStore is the store implementation of --store directories.
const defaultStore = "duckdb"

func openStore(ctx context.Context, dir string, readOnly bool) (store.Store, error) {
	return openStoreWith(ctx, dir, store.OpenOptions{ReadOnly: readOnly})
}

func openStoreWith(ctx context.Context, dir string, o store.OpenOptions) (store.Store, error) {
	reg, err := store.Lookup(defaultStore)
	if err != nil {
		return nil, err
	}
	return reg.Open(ctx, dir, o)
}

// byteSize is a storage size flag: bytes, or with a KiB, MiB, GiB, TiB
// (or KB, MB, GB, TB) suffix.
type byteSize int64

func (b *byteSize) String() string {
	v := int64(*b)
	for _, u := range []struct {
		s string
		n int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if v >= u.n && v%u.n == 0 {
			return strconv.FormatInt(v/u.n, 10) + u.s
		}
	}
	return strconv.FormatInt(v, 10)
}

func (b *byteSize) Set(v string) error {
	num, mult := strings.TrimSpace(v), int64(1)
	for _, u := range []struct {
		s string
		n int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}} {
		if strings.HasSuffix(num, u.s) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.s)), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size: write bytes, or e.g. 500MiB, 50GB or 2TiB", v)
	}
	*b = byteSize(n * mult)
	return nil
}

func (*byteSize) Type() string { return "size" }

// teeSink hands each batch to every sink in turn.
type teeSink []flow.Sink

func (t teeSink) Consume(batch []record.Record) {
	for _, s := range t {
		s.Consume(batch)
	}
}

// storeOutput is read's --store: the records go to the store, and through
// the NDJSON writer too, which writes to -o or nowhere (it still counts
// the NDJSON bytes, for the size comparison in the summary).
type storeOutput struct {
	st   store.Store
	sink *store.Sink
	dir  string
}

func attachStore(ctx context.Context, dir string, opts store.OpenOptions, nd *ndjson.Writer) (*storeOutput, flow.Sink, error) {
	st, err := openStoreWith(ctx, dir, opts)
	if err != nil {
		return nil, nil, err
	}
	o := &storeOutput{st: st, sink: store.NewSink(st), dir: dir}
	return o, teeSink{nd, o.sink}, nil
}

// close flushes the store and, unless quiet, reports what it holds.
func (o *storeOutput) close(ctx context.Context, w io.Writer, quiet bool, nd *ndjson.Writer) error {
	if err := o.sink.Err(); err != nil {
		_ = o.st.Close()
		return fmt.Errorf("writing to the store: %w", err)
	}
	if err := o.st.Flush(); err != nil {
		_ = o.st.Close()
		return err
	}
	if err := o.st.Close(); err != nil {
		return err
	}
	if quiet {
		return nil
	}
	// Measure the closed store: Close checkpoints the WAL into the file.
	ro, err := openStore(ctx, o.dir, true)
	if err != nil {
		return err
	}
	st, statErr := ro.Stats(ctx)
	_ = ro.Close()
	if statErr == nil {
		written, _ := o.sink.Written()
		recs, ndBytes := nd.Written()
		fmt.Fprintf(w, "  store %s: %d records added, %d in total, %s on disk", o.dir, written, st.Records, humanBytes(float64(st.Bytes)))
		if st.Records > 0 && recs > 0 {
			fmt.Fprintf(w, " (%.0f bytes/record; NDJSON %.0f)", float64(st.Bytes)/float64(st.Records), float64(ndBytes)/float64(recs))
		}
		fmt.Fprintf(w, "\n  search it: flowsift search --store %s 'network.transport:tcp AND destination.port:443'\n", o.dir)
	}
	return nil
}

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Inspect and maintain a record store",
	}
	var dir string
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Print records, time span and bytes on disk of a store",
		Example: `  flowsift store stats --store ./data
  flowsift store stats --store ./data --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), dir, true)
			if err != nil {
				return &exitError{2, err}
			}
			defer func() { _ = st.Close() }()
			s, err := st.Stats(cmd.Context())
			if err != nil {
				return err
			}
			per := 0.0
			if s.Records > 0 {
				per = float64(s.Bytes) / float64(s.Records)
			}
			out := cmd.OutOrStdout()
			if f, _ := cmd.Flags().GetString("format"); f == "json" {
				fmt.Fprintf(out, `{"records":%d,"bytes":%d,"bytes_per_record":%.1f,"partitions":%d,"oldest":%q,"newest":%q}`+"\n",
					s.Records, s.Bytes, per, s.Partitions, fmtTime(s.Oldest), fmtTime(s.Newest))
				return nil
			}
			fmt.Fprintf(out, "records           %d\n", s.Records)
			fmt.Fprintf(out, "bytes on disk     %d (%s)\n", s.Bytes, humanBytes(float64(s.Bytes)))
			fmt.Fprintf(out, "bytes per record  %.1f\n", per)
			fmt.Fprintf(out, "day partitions    %d\n", s.Partitions)
			fmt.Fprintf(out, "oldest            %s\n", fmtTime(s.Oldest))
			fmt.Fprintf(out, "newest            %s\n", fmtTime(s.Newest))
			return nil
		},
	}
	stats.Flags().StringVar(&dir, "store", "./data", "data directory of the store")
	stats.Flags().String("format", "text", "text or json")
	cmd.AddCommand(stats)
	return cmd
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
