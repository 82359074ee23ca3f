package duckdb

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes the store.
type Config struct {
	// Dir is the data directory; the database is Dir/flowsift.duckdb.
	Dir string
	// ReadOnly opens an existing store for reading only.
	ReadOnly bool
	// Retention drops day partitions that ended more than this long ago
	// (by wall clock); 0 keeps everything.
	Retention time.Duration
	// MaxBytes bounds the space the records use: while they use more, the
	// oldest day partition is dropped (the newest is always kept). The
	// file keeps its size and later records reuse the freed space. 0: no
	// bound.
	MaxBytes int64
	// BatchRows is how many records are buffered before they are inserted.
	BatchRows int
	// FlushInterval bounds how long a buffered record waits before it is
	// inserted and searchable.
	FlushInterval time.Duration
	// Threads caps DuckDB's worker threads; 0 lets DuckDB choose.
	Threads int
}

// DefaultConfig returns working settings for a store in dir.
func DefaultConfig(dir string) Config {
	return Config{Dir: dir, BatchRows: 100_000, FlushInterval: time.Second}
}

// Validate checks the settings.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("store.dir: no data directory given"))
	}
	if c.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("store.max_size: %d is negative", c.MaxBytes))
	}
	if c.Retention < 0 {
		errs = append(errs, fmt.Errorf("store.retention: %s is negative", c.Retention))
	}
	if c.BatchRows < 1 || c.BatchRows > 10_000_000 {
		errs = append(errs, fmt.Errorf("store.batch_rows: %d is outside 1..10000000", c.BatchRows))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("store.flush_interval: %s must be positive", c.FlushInterval))
	}
	if c.Threads < 0 {
		errs = append(errs, fmt.Errorf("store.threads: %d is negative", c.Threads))
	}
	return errors.Join(errs...)
}
