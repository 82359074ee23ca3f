// Package pipeline runs the sensor path: frames from a capture source are
// decoded and tracked by flow tables, and records go to a sink. With one
// worker everything runs on the calling goroutine; with N workers a reader
// goroutine shards frames by flow (ShardHash of the outer addresses) into
// batches for N decode+flow workers over bounded queues. Sharding by the
// outer addresses keeps a datagram's fragments and a tunnel's carrier flow
// together; the price is that a tunnelled flow whose outer endpoints change
// mid-flow (a GTP handover, a Teredo relay) can be tracked by two workers
// and give two records (58 of 65,397 on the quick benchmark capture). File input blocks
// when a queue is full, so nothing is dropped.
//
// Place in the pipeline: it is the wiring of capture → decode → flow → sink.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
)

// Config sets up the sensor path.
type Config struct {
	Workers int           `yaml:"workers"`
	Decode  decode.Config `yaml:"decode"`
	Flow    flow.Config   `yaml:"flow"`
}

// DefaultConfig returns one worker and the stages' defaults.
func DefaultConfig() Config {
	return Config{Workers: 1, Decode: decode.DefaultConfig(), Flow: flow.DefaultConfig()}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if c.Workers < 1 || c.Workers > 256 {
		errs = append(errs, errors.New("workers: must be between 1 and 256"))
	}
	errs = append(errs, c.Decode.Validate(), c.Flow.Validate())
	return errors.Join(errs...)
}

// Stats sums what the stages did.
type Stats struct {
	Frames  uint64
	Bytes   uint64 // captured frame bytes
	Reasons [decode.NumReasons]uint64
	Panics  uint64 // frames whose processing panicked (a bug: counted, logged, skipped)
	Defrag  decode.DefragStats
	Flow    flow.Stats
}

// Errors returns the number of frames that failed to decode.
func (s *Stats) Errors() uint64 {
	var n uint64
	for r, c := range s.Reasons {
		if decode.Reason(r).IsError() {
			n += c
		}
	}
	return n + s.Panics
}

// Runner runs the path. Progress counters may be read while it runs.
type Runner struct {
	cfg     Config
	deps    flow.Deps
	frames  atomic.Uint64
	OnPanic func(stack []byte)

	mu   sync.Mutex
	live []Stats // each worker's last published counters, for Snapshot
}

// New returns a runner. cfg must be valid.
func New(cfg Config, deps flow.Deps) *Runner {
	return &Runner{cfg: cfg, deps: deps}
}

// Frames returns the frames read so far.
func (r *Runner) Frames() uint64 { return r.frames.Load() }

type worker struct {
	dec     *decode.Decoder
	table   *flow.Table
	pkt     decode.Packet
	stats   Stats
	onPanic func([]byte)
	runner  *Runner // where to publish counters; nil in tests of the worker alone
	index   int
}

func newWorker(cfg Config, deps flow.Deps, onPanic func([]byte)) *worker {
	return &worker{dec: decode.New(cfg.Decode), table: flow.New(cfg.Flow, deps), onPanic: onPanic}
}

// publishEvery is how many frames a worker handles between publishing its
// counters for Snapshot (and on every heartbeat).
const publishEvery = 8192

// publish copies the worker's counters where Snapshot can read them.
func (w *worker) publish() {
	if w.runner == nil {
		return
	}
	st := w.stats
	st.Defrag = w.dec.DefragStats()
	st.Flow = w.table.Stats()
	w.runner.mu.Lock()
	w.runner.live[w.index] = st
	w.runner.mu.Unlock()
}

// Snapshot returns the counters of a running pipeline, at most
// publishEvery frames (or one heartbeat) behind per worker. It is safe to
// call from any goroutine, e.g. a metrics scrape.
func (r *Runner) Snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var st Stats
	for i := range r.live {
		st.add(&r.live[i])
	}
	return st
}

func (r *Runner) newWorker(cfg Config, index int) *worker {
	w := newWorker(cfg, r.deps, r.OnPanic)
	w.runner, w.index = r, index
	return w
}

func (w *worker) handle(f *capture.Frame) {
	defer func() {
		if v := recover(); v != nil {
			w.stats.Panics++
			if w.onPanic != nil {
				w.onPanic(append([]byte(fmt.Sprintf("panic: %v\n", v)), debug.Stack()...))
			}
		}
	}()
	if len(f.Data) == 0 {
		w.table.Advance(f.Timestamp) // heartbeat: time passes, counters are published
		w.publish()
		return
	}
	w.table.Tick(f.Timestamp) // every frame's time counts, whether it decodes or not
	if w.stats.Frames%publishEvery == 0 {
		w.publish()
	}
	w.stats.Frames++
	w.stats.Bytes += uint64(len(f.Data))
	reason := w.dec.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &w.pkt)
	w.stats.Reasons[reason]++
	if reason == decode.OK {
		w.table.Add(&w.pkt)
	}
}

func (w *worker) finish() Stats {
	w.table.Flush()
	w.stats.Defrag = w.dec.DefragStats()
	w.stats.Flow = w.table.Stats()
	w.publish()
	return w.stats
}

// Run reads src until it ends or ctx is cancelled, then flushes every flow.
func (r *Runner) Run(ctx context.Context, src capture.Source) (Stats, error) {
	if r.cfg.Workers <= 1 {
		return r.runInline(ctx, src)
	}
	return r.runSharded(ctx, src)
}

func (r *Runner) runInline(ctx context.Context, src capture.Source) (Stats, error) {
	r.mu.Lock()
	r.live = make([]Stats, 1)
	r.mu.Unlock()
	w := r.newWorker(r.cfg, 0)
	var f capture.Frame
	var err error
	for n := uint64(0); ; n++ {
		if n&1023 == 0 {
			r.frames.Store(w.stats.Frames)
			if ctx.Err() != nil {
				break
			}
		}
		if err = src.Next(&f); err != nil {
			break
		}
		w.handle(&f)
	}
	st := w.finish()
	r.frames.Store(st.Frames)
	if errors.Is(err, io.EOF) || err == nil {
		return st, nil
	}
	return st, err
}

type frameMeta struct {
	off, n  int
	ts      int64
	wireLen int
	link    decode.LinkType
}

type batch struct {
	buf    []byte
	frames []frameMeta
}

const (
	batchFrames = 512
	batchBytes  = 512 << 10
	queueDepth  = 8
)

func (r *Runner) runSharded(ctx context.Context, src capture.Source) (Stats, error) {
	n := r.cfg.Workers
	cfg := r.cfg
	cfg.Flow.MaxFlows = max(1, cfg.Flow.MaxFlows/n) // the cap is for the whole sensor
	queues := make([]chan *batch, n)
	free := make(chan *batch, n*(queueDepth+2))
	for i := 0; i < n*(queueDepth+2); i++ {
		free <- &batch{buf: make([]byte, 0, batchBytes), frames: make([]frameMeta, 0, batchFrames)}
	}
	results := make([]Stats, n)
	r.mu.Lock()
	r.live = make([]Stats, n)
	r.mu.Unlock()
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan *batch, queueDepth)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w := r.newWorker(cfg, i)
			var f capture.Frame
			for b := range queues[i] {
				for _, m := range b.frames {
					f = capture.Frame{Data: b.buf[m.off : m.off+m.n : m.off+m.n], Timestamp: m.ts, WireLen: m.wireLen, Link: m.link}
					w.handle(&f)
				}
				b.buf, b.frames = b.buf[:0], b.frames[:0]
				free <- b
			}
			results[i] = w.finish()
		}(i)
	}

	cur := make([]*batch, n)
	for i := range cur {
		cur[i] = <-free
	}
	send := func(i int) {
		queues[i] <- cur[i]
		cur[i] = <-free
	}
	var f capture.Frame
	var err error
	var total uint64
	var now, clock int64 // newest packet time; its second
	for {
		if total&1023 == 0 {
			r.frames.Store(total)
			if ctx.Err() != nil {
				break
			}
		}
		if err = src.Next(&f); err != nil {
			break
		}
		total++
		// Every worker needs the time: when packet time enters a new
		// second (or a live source sends a heartbeat), each worker's
		// table runs its timers at the same moment a single table would.
		heartbeat := len(f.Data) == 0
		if sec := f.Timestamp / int64(time.Second); heartbeat || sec != clock {
			if heartbeat || f.Timestamp > now {
				clock = sec
				for i := range cur {
					cur[i].frames = append(cur[i].frames, frameMeta{off: len(cur[i].buf), ts: f.Timestamp})
					if heartbeat || len(cur[i].frames) == batchFrames {
						send(i)
					}
				}
			}
		}
		if f.Timestamp > now {
			now = f.Timestamp
		}
		if heartbeat {
			continue
		}
		i := int(decode.ShardHash(f.Data, f.Link) % uint32(n)) //nolint:gosec // n is small and positive
		b := cur[i]
		if len(b.buf)+len(f.Data) > cap(b.buf) && len(b.frames) > 0 {
			send(i)
			b = cur[i]
		}
		off := len(b.buf)
		b.buf = append(b.buf, f.Data...)
		b.frames = append(b.frames, frameMeta{off: off, n: len(f.Data), ts: f.Timestamp, wireLen: f.WireLen, link: f.Link})
		if len(b.frames) == batchFrames {
			send(i)
		}
	}
	for i := range cur {
		if len(cur[i].frames) > 0 {
			queues[i] <- cur[i]
		}
		close(queues[i])
	}
	wg.Wait()
	var st Stats
	for _, s := range results {
		st.add(&s)
	}
	r.frames.Store(st.Frames)
	if errors.Is(err, io.EOF) || err == nil {
		return st, nil
	}
	return st, err
}

func (s *Stats) add(o *Stats) {
	s.Frames += o.Frames
	s.Bytes += o.Bytes
	s.Panics += o.Panics
	for i := range s.Reasons {
		s.Reasons[i] += o.Reasons[i]
	}
	s.Defrag.Fragments += o.Defrag.Fragments
	s.Defrag.Reassembled += o.Defrag.Reassembled
	s.Defrag.Dropped += o.Defrag.Dropped
	s.Defrag.Expired += o.Defrag.Expired
	f, of := &s.Flow, &o.Flow
	f.Packets += of.Packets
	f.Bytes += of.Bytes
	f.Flows += of.Flows
	f.Records += of.Records
	f.Interim += of.Interim
	f.Evicted += of.Evicted
	f.PortReuse += of.PortReuse
	f.ActiveFlows += of.ActiveFlows
	f.PeakFlows += of.PeakFlows
}
