package main

import (
	"fmt"
	"io"
	"time"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/export/ndjson"
	"github.com/flowsift/flowsift/internal/pipeline"
)

func printSummary(w io.Writer, st *pipeline.Stats, fs pcapfile.Stats, elapsed time.Duration, sink *ndjson.Writer) {
	secs := max(elapsed.Seconds(), 1e-9)
	recs, outBytes := sink.Written()
	fmt.Fprintf(w, "flowsift: %d files, %d frames (%s) in %s: %.0f packets/s, %s/s\n",
		fs.Files, st.Frames, humanBytes(float64(st.Bytes)), elapsed.Round(time.Millisecond),
		float64(st.Frames)/secs, humanBytes(float64(st.Bytes)/secs))
	fmt.Fprintf(w, "  flows %d (peak %d live), records %d (%d interim), %s of NDJSON\n",
		st.Flow.Flows, st.Flow.PeakFlows, recs, st.Flow.Interim, humanBytes(float64(outBytes)))
	fmt.Fprintf(w, "  tracked %d packets, %s of IP\n", st.Flow.Packets, humanBytes(float64(st.Flow.Bytes)))
	if st.Flow.Evicted > 0 {
		fmt.Fprintf(w, "  evicted %d flows (table full: raise --max-flows)\n", st.Flow.Evicted)
	}
	first := true
	for r, n := range st.Reasons {
		if r == int(decode.OK) || n == 0 {
			continue
		}
		if first {
			fmt.Fprintf(w, "  not tracked:")
			first = false
		}
		fmt.Fprintf(w, " %s %d", decode.Reason(r), n)
	}
	if !first {
		fmt.Fprintln(w)
	}
	if d := st.Defrag; d.Fragments > 0 {
		fmt.Fprintf(w, "  fragments %d, reassembled %d datagrams, dropped %d, expired %d\n", d.Fragments, d.Reassembled, d.Dropped, d.Expired)
	}
	if st.Panics > 0 {
		fmt.Fprintf(w, "  internal errors %d (frames skipped; please report)\n", st.Panics)
	}
	if fs.BadFiles+fs.Truncated > 0 || fs.ReadErrors > 0 {
		fmt.Fprintf(w, "  input: %d unreadable files, %d truncated files, %d corrupt records\n", fs.BadFiles, fs.Truncated, fs.ReadErrors)
	}
}
