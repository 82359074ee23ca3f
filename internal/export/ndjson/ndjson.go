// Package ndjson writes records as newline-delimited JSON, one object per
// line, in the nesting ECS uses. It is the default output of flowsift read.
//
// Place in the pipeline: a sink after flow/dissect (and later enrich).
package ndjson

import (
	"io"
	"sync"

	"github.com/flowsift/flowsift/internal/record"
)

// Writer encodes record batches to an io.Writer. Consume may be called from
// several goroutines: batches are encoded in parallel and written whole,
// so lines never interleave.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	err     error
	records uint64
	bytes   uint64
	pool    sync.Pool
}

// New returns a writer to w.
func New(w io.Writer) *Writer {
	return &Writer{w: w, pool: sync.Pool{New: func() any { b := make([]byte, 0, 256<<10); return &b }}}
}

// Consume encodes and writes a batch. It keeps nothing after it returns.
func (w *Writer) Consume(batch []record.Record) {
	bp := w.pool.Get().(*[]byte)
	buf := (*bp)[:0]
	for i := range batch {
		buf = batch[i].AppendJSON(buf)
		buf = append(buf, '\n')
	}
	w.mu.Lock()
	if w.err == nil {
		_, w.err = w.w.Write(buf)
		w.records += uint64(len(batch))
		w.bytes += uint64(len(buf))
	}
	w.mu.Unlock()
	*bp = buf
	w.pool.Put(bp)
}

// Err returns the first write error.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Written returns the records and bytes written so far.
func (w *Writer) Written() (records, bytes uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.records, w.bytes
}
