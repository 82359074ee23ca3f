package store

import (
	"sync"

	"github.com/flowsift/flowsift/internal/record"
)

// Sink adapts a Writer to the pipeline's sink contract (flow.Sink):
// Consume may be called from several goroutines, and it serialises them.
// The first error stops further writes; Err reports it, and the records
// that were not written are counted.
type Sink struct {
	mu      sync.Mutex
	w       Writer
	err     error
	written uint64
	lost    uint64
}

// NewSink returns a sink writing to w.
func NewSink(w Writer) *Sink { return &Sink{w: w} }

// Consume appends a batch. The writer copies what it keeps, so the batch
// may be reused when Consume returns.
func (s *Sink) Consume(batch []record.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = s.w.Append(batch)
	}
	if s.err != nil {
		s.lost += uint64(len(batch))
		return
	}
	s.written += uint64(len(batch))
}

// Err returns the first write error.
func (s *Sink) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Written returns the records handed to the writer, and those dropped after
// an error.
func (s *Sink) Written() (written, lost uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written, s.lost
}
