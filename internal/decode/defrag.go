package decode

import (
	"errors"
	"net/netip"
	"time"
)

// DefragConfig bounds IP fragment reassembly.
type DefragConfig struct {
	MaxDatagrams int           `yaml:"max_datagrams"` // datagrams being reassembled at once
	Timeout      time.Duration `yaml:"timeout"`       // packet-time age after which an incomplete datagram is dropped
}

// DefaultDefragConfig returns the defaults: 1024 datagrams (at most 64 MiB
// of buffers) and 30 s, Zeek's and Linux's reassembly timeout.
func DefaultDefragConfig() DefragConfig {
	return DefragConfig{MaxDatagrams: 1024, Timeout: 30 * time.Second}
}

// Validate checks the configuration.
func (c DefragConfig) Validate() error {
	if c.MaxDatagrams < 1 || c.MaxDatagrams > 1<<20 {
		return errors.New("decode.defrag.max_datagrams: must be between 1 and 1048576")
	}
	if c.Timeout <= 0 {
		return errors.New("decode.defrag.timeout: must be positive, e.g. 30s")
	}
	return nil
}

// DefragStats counts reassembly outcomes.
type DefragStats struct {
	Fragments   uint64 // fragments received
	Reassembled uint64 // datagrams completed
	Dropped     uint64 // fragments dropped: bad offsets, oversize, truncated
	Expired     uint64 // incomplete datagrams dropped by timeout or eviction
}

type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
	v6       bool
}

type span struct{ lo, hi int }

type datagram struct {
	key   fragKey
	buf   []byte
	spans []span
	total int // -1 until the last fragment arrives
	first int64
	gen   uint64
}

type orderEntry struct {
	dg  *datagram
	gen uint64
}

const maxDatagramBytes = 65535

// Defragmenter reassembles IPv4 and IPv6 fragments with bounded memory:
// at most MaxDatagrams in progress, each at most 64 KiB, dropped after
// Timeout. Overlapping data is taken from the later fragment.
type Defragmenter struct {
	cfg    DefragConfig
	now    int64
	active map[fragKey]*datagram
	order  []orderEntry // arrival order, for expiry
	gen    uint64
	free   []*datagram
	done   *datagram // completed datagram whose buffer the caller is reading
	stats  DefragStats
}

// NewDefragmenter returns a reassembler.
func NewDefragmenter(cfg DefragConfig) *Defragmenter {
	if cfg.MaxDatagrams <= 0 {
		cfg = DefaultDefragConfig()
	}
	return &Defragmenter{cfg: cfg, active: make(map[fragKey]*datagram)}
}

// Stats returns the counters.
func (f *Defragmenter) Stats() DefragStats { return f.stats }

func (f *Defragmenter) release(dg *datagram) {
	dg.spans = dg.spans[:0]
	f.free = append(f.free, dg)
}

func (f *Defragmenter) expire() {
	limit := f.now - int64(f.cfg.Timeout)
	n := 0
	for n < len(f.order) {
		e := f.order[n]
		dg := e.dg
		if dg.gen != e.gen || f.active[dg.key] != dg { // completed, or reused since
			n++
			continue
		}
		if dg.first >= limit && len(f.active) < f.cfg.MaxDatagrams {
			break
		}
		delete(f.active, dg.key)
		f.stats.Expired++
		f.release(dg)
		n++
	}
	if n > 0 {
		f.order = append(f.order[:0], f.order[n:]...)
	}
}

// add stores one fragment. When it completes its datagram, add returns the
// reassembled payload (valid until the next call) and OK; otherwise
// ReasonFragmentHeld or ReasonFragmentDrop.
func (f *Defragmenter) add(key fragKey, off int, data []byte, more bool) ([]byte, Reason) {
	f.stats.Fragments++
	if f.done != nil {
		f.release(f.done)
		f.done = nil
	}
	end := off + len(data)
	if end > maxDatagramBytes || (more && len(data)%8 != 0) {
		f.stats.Dropped++
		return nil, ReasonFragmentDrop
	}
	dg := f.active[key]
	if dg == nil {
		f.expire()
		if n := len(f.free); n > 0 {
			dg = f.free[n-1]
			f.free = f.free[:n-1]
		} else {
			dg = &datagram{buf: make([]byte, maxDatagramBytes)}
		}
		f.gen++
		dg.key, dg.total, dg.first, dg.gen = key, -1, f.now, f.gen
		f.active[key] = dg
		f.order = append(f.order, orderEntry{dg, dg.gen})
	}
	if !more {
		if dg.total >= 0 && dg.total != end {
			f.stats.Dropped++
			return nil, ReasonFragmentDrop
		}
		dg.total = end
	}
	if len(dg.spans) >= 256 {
		f.stats.Dropped++
		return nil, ReasonFragmentDrop
	}
	copy(dg.buf[off:end], data)
	dg.spans = append(dg.spans, span{off, end})
	if dg.total < 0 || !covered(dg.spans, dg.total) {
		return nil, ReasonFragmentHeld
	}
	delete(f.active, key)
	f.done = dg
	f.stats.Reassembled++
	return dg.buf[:dg.total], OK
}

// covered reports whether the spans cover [0, total).
func covered(spans []span, total int) bool {
	reach := 0
	for progress := true; progress && reach < total; {
		progress = false
		for _, s := range spans {
			if s.lo <= reach && s.hi > reach {
				reach = s.hi
				progress = true
			}
		}
	}
	return reach >= total
}
