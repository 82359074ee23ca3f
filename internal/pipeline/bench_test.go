package pipeline

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/export/ndjson"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

// benchCaptures are real captures from the shared corpus, merged by time
// into one packet stream: web, video, chat and peer-to-peer traffic, about
// 7,600 packets. FLOWSIFT_BENCH_PCAP names other files instead (a list
// separated by the OS path separator), e.g. the -c 8 benchmark capture of
// ../shared/bench/make-bench-pcap.sh.
var benchCaptures = []string{
	"ndpi/1kxun.pcap",
	"ndpi/netflix.pcap",
	"ndpi/wechat.pcap",
	"ndpi/teams.pcap",
	"ndpi/instagram.pcap",
}

const corpusPcapDir = "../../../shared/corpus/pcap"

// benchFiles returns the benchmark captures, or skips the test when they
// are absent.
func benchFiles(tb testing.TB) []string {
	tb.Helper()
	var names []string
	if env := os.Getenv("FLOWSIFT_BENCH_PCAP"); env != "" {
		names = filepath.SplitList(env)
	} else {
		for _, c := range benchCaptures {
			names = append(names, filepath.Join(corpusPcapDir, c))
		}
	}
	for _, n := range names {
		if _, err := os.Stat(n); err != nil {
			tb.Skipf("benchmark capture missing (%v); set FLOWSIFT_BENCH_PCAP or check out ../shared/corpus", err)
		}
	}
	return names
}

// loadFrames reads the benchmark captures into memory once, copying each
// frame, or skips the test when they are absent.
func loadFrames(tb testing.TB) []capture.Frame {
	tb.Helper()
	names := benchFiles(tb)
	src, err := pcapfile.Open(names...)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	var frames []capture.Frame
	var f capture.Frame
	for {
		if err := src.Next(&f); err != nil {
			if err != io.EOF {
				tb.Fatal(err)
			}
			break
		}
		g := f
		g.Data = append([]byte(nil), f.Data...)
		frames = append(frames, g)
	}
	if len(frames) == 0 {
		tb.Skip("benchmark capture holds no frames")
	}
	return frames
}

// discardSink drops records, so the benchmarks measure the sensor path
// without JSON encoding.
type discardSink struct{ n int }

func (s *discardSink) Consume(batch []record.Record) { s.n += len(batch) }

// memSource replays frames from memory.
type memSource struct {
	frames []capture.Frame
	i      int
}

func (s *memSource) Next(f *capture.Frame) error {
	if s.i >= len(s.frames) {
		return io.EOF
	}
	*f = s.frames[s.i]
	s.i++
	return nil
}

func reportPackets(b *testing.B, n int) {
	b.Helper()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkDecode measures the decoder alone.
func BenchmarkDecode(b *testing.B) {
	frames := loadFrames(b)
	d := decode.New(decode.DefaultConfig())
	var p decode.Packet
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range frames {
			f := &frames[i]
			d.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &p)
		}
	}
	reportPackets(b, len(frames))
}

// BenchmarkDecodeFlow measures decode + flow tracking, one fresh flow table
// per pass over the capture: every flow is created, tracked, ended and
// turned into a record (dropped by the sink), as in `flowsift read`.
func BenchmarkDecodeFlow(b *testing.B) {
	frames := loadFrames(b)
	cfg := DefaultConfig()
	var p decode.Packet
	sink := &discardSink{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		d := decode.New(cfg.Decode)
		t := flow.New(cfg.Flow, flow.Deps{Sink: sink, Observer: "bench", Tenant: "default"})
		for i := range frames {
			f := &frames[i]
			if d.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &p) == decode.OK {
				t.Add(&p)
			}
		}
		t.Flush()
	}
	reportPackets(b, len(frames))
	b.ReportMetric(float64(sink.n)/float64(b.N), "records/op")
}

// BenchmarkPipeline runs the whole sensor path (Runner.Run) from memory,
// inline and sharded over two workers.
func BenchmarkPipeline(b *testing.B) {
	frames := loadFrames(b)
	for _, workers := range []int{1, 2} {
		b.Run("workers="+string(rune('0'+workers)), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Workers = workers
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r := New(cfg, flow.Deps{Sink: &lockedDiscard{}, Observer: "bench", Tenant: "default"})
				if _, err := r.Run(context.Background(), &memSource{frames: frames}); err != nil {
					b.Fatal(err)
				}
			}
			reportPackets(b, len(frames))
		})
	}
}

// BenchmarkRead is `flowsift read -o /dev/null` without the command: the
// files are read with pcapfile on every iteration (from the page cache) and
// records are encoded to NDJSON and discarded. Profile it with
// FLOWSIFT_BENCH_PCAP set to the -c 8 benchmark capture and -cpuprofile.
func BenchmarkRead(b *testing.B) {
	names := benchFiles(b)
	for _, workers := range []int{1, 2} {
		b.Run("workers="+string(rune('0'+workers)), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Workers = workers
			var n uint64
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				src, err := pcapfile.Open(names...)
				if err != nil {
					b.Fatal(err)
				}
				sink := ndjson.New(io.Discard)
				r := New(cfg, flow.Deps{Sink: sink, Observer: "bench", Tenant: "default"})
				st, err := r.Run(context.Background(), src)
				if err != nil {
					b.Fatal(err)
				}
				_ = src.Close()
				n = st.Frames
			}
			reportPackets(b, int(n)) //nolint:gosec // a frame count fits in int
		})
	}
}

// lockedDiscard is a sink that several workers may share.
type lockedDiscard struct{}

func (lockedDiscard) Consume([]record.Record) {}
