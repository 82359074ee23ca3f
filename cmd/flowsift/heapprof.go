package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// watchHeap samples the live heap every 50 ms and keeps a heap profile of
// the largest one seen; the returned function stops sampling and writes
// the profile to path.
func watchHeap(path string) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	var best bytes.Buffer
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak+peak/20 {
				peak = v
				best.Reset()
				_ = pprof.Lookup("heap").WriteTo(&best, 0)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		if best.Len() == 0 {
			_ = pprof.Lookup("heap").WriteTo(&best, 0)
		}
		if err := os.WriteFile(path, best.Bytes(), 0o644); err != nil { //nolint:gosec // a profile for the user
			fmt.Fprintln(os.Stderr, "flowsift: heap profile:", err)
		}
	}
}
