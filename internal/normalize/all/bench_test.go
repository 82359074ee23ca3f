package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/testutil"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mixedLines returns every raw line of the logs corpus, interleaved
// round-robin across folders (line 1 of each folder, then line 2, ...),
// as a collector receiving from many devices sees them.
func mixedLines(tb testing.TB) []string {
	root := filepath.Join(testutil.CorpusDir(tb), "logs")
	dirs, err := os.ReadDir(root)
	if err != nil {
		tb.Skipf("no logs corpus: %v", err)
	}
	var folders [][]string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, d.Name(), "raw.log"))
		if err != nil {
			tb.Fatal(err)
		}
		folders = append(folders, strings.Split(strings.TrimRight(string(b), "\n"), "\n"))
	}
	var lines []string
	for i := 0; ; i++ {
		added := false
		for _, f := range folders {
			if i < len(f) {
				lines = append(lines, f[i])
				added = true
			}
		}
		if !added {
			return lines
		}
	}
}

// BenchmarkMixed normalizes the corpus' lines of every vendor round-robin
// through one auto-detecting Normalizer, the mixed stream of a syslog
// collector, and reports lines per CPU-second (goal: 200,000).
func BenchmarkMixed(b *testing.B) {
	lines := mixedLines(b)
	n, err := normalize.New(normalize.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	var e normalize.Event
	b.ReportAllocs()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		_, _ = n.Normalize(lines[i%len(lines)], &e)
		i++
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(i)/cpu.Seconds(), "lines/CPU-s")
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "lines/s")
}
