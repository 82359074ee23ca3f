package reassembly

import (
	"errors"
	"fmt"
)

// Config bounds the out-of-order data a Pool's streams hold. In-order data
// is never held: it goes from the packet to the Handler.
type Config struct {
	// MaxBufferedPerStream is the bytes of out-of-order data held for one
	// direction (default 64 KiB, a classic receive window). A segment
	// longer than this is never buffered: the bytes before it are declared
	// a gap and it is delivered at once.
	MaxBufferedPerStream int `yaml:"max_buffered_per_stream"`
	// MaxSegmentsPerStream is the out-of-order runs (contiguous buffered
	// segments are merged into one run) held for one direction (default
	// 64). It bounds the work per packet and the damage of a stream cut
	// into many tiny holes.
	MaxSegmentsPerStream int `yaml:"max_segments_per_stream"`
	// MaxBufferedTotal is the bytes of out-of-order data held across all
	// streams of one Pool (default 64 MiB).
	MaxBufferedTotal int `yaml:"max_buffered_total"`
}

// DefaultConfig returns the sensor's limits.
func DefaultConfig() Config {
	return Config{MaxBufferedPerStream: 64 << 10, MaxSegmentsPerStream: 64, MaxBufferedTotal: 64 << 20}
}

// Limits of the configuration values.
const (
	maxPerStream = 64 << 20
	maxSegments  = 4096
	maxTotal     = 1 << 40
)

// Validate checks the limits; each error names the key and the fix.
func (c Config) Validate() error {
	var errs []error
	if c.MaxBufferedPerStream < 1 || c.MaxBufferedPerStream > maxPerStream {
		errs = append(errs, fmt.Errorf("reassembly.max_buffered_per_stream: %d is out of range; set 1 to 67108864 bytes (default 65536)",
			c.MaxBufferedPerStream))
	}
	if c.MaxSegmentsPerStream < 1 || c.MaxSegmentsPerStream > maxSegments {
		errs = append(errs, fmt.Errorf("reassembly.max_segments_per_stream: %d is out of range; set 1 to %d (default 64)",
			c.MaxSegmentsPerStream, maxSegments))
	}
	if c.MaxBufferedTotal < c.MaxBufferedPerStream || int64(c.MaxBufferedTotal) > maxTotal {
		errs = append(errs, fmt.Errorf("reassembly.max_buffered_total: %d must be at least max_buffered_per_stream (%d) and at most 1 TiB (default 67108864)",
			c.MaxBufferedTotal, c.MaxBufferedPerStream))
	}
	return errors.Join(errs...)
}
