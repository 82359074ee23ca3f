// Package pcapfile reads pcap and pcapng files, gzip-compressed or not,
// several at once merged in timestamp order, as one capture.Source.
//
// Place in the pipeline: capture (files) → decode.
package pcapfile

import (
	"bufio"
	"compress/gzip"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/decode"
)

// Stats counts what the reader did.
type Stats struct {
	Files      int
	Frames     uint64
	BadFiles   int    // files that could not be opened or have no valid header
	Truncated  int    // files that end in the middle of a record
	ReadErrors uint64 // corrupt records after which the rest of a file was skipped
}

type zeroCopyReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

type file struct {
	name    string
	f       *os.File
	r       zeroCopyReader
	classic *classicReader // classic pcap: read in place, without pcapgo
	ng      *pcapgo.NgReader
	link    decode.LinkType
	frame   capture.Frame
	index   int
	frames  uint64
	closer  []io.Closer
}

// Reader merges several capture files by timestamp. Frames of one file
// keep their order even when its timestamps go backwards.
type Reader struct {
	files   fileHeap
	current *file
	stats   Stats
	errs    []error
	read    atomic.Int64 // compressed bytes consumed, for progress
	total   int64
}

// countingReader counts bytes read from the underlying file.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Open opens the named files. A file that cannot be read at all is an
// error naming it; Open fails if none of the files can be read.
func Open(names ...string) (*Reader, error) {
	if len(names) == 0 {
		return nil, errors.New("pcapfile: no input files")
	}
	r := &Reader{}
	for i, name := range names {
		f, err := r.open(name, i)
		if err != nil {
			r.stats.BadFiles++
			r.errs = append(r.errs, err)
			continue
		}
		r.stats.Files++
		if err := r.advance(f); err == nil {
			r.files = append(r.files, f)
		}
	}
	if r.stats.Files == 0 {
		return nil, errors.Join(r.errs...)
	}
	heap.Init(&r.files)
	return r, nil
}

func (r *Reader) open(name string, index int) (*file, error) {
	fh, err := os.Open(name) //nolint:gosec // reading the files the user named is the point
	if err != nil {
		return nil, fmt.Errorf("pcapfile: %w", err)
	}
	if st, err := fh.Stat(); err == nil {
		r.total += st.Size()
	}
	fl := &file{name: name, f: fh, index: index, closer: []io.Closer{fh}}
	br := bufio.NewReaderSize(countingReader{fh, &r.read}, 1<<20)
	magic, _ := br.Peek(4)
	in := br
	var raw io.Reader = countingReader{fh, &r.read} // what in buffers
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			_ = fh.Close()
			return nil, fmt.Errorf("pcapfile: %s: gzip: %w", name, err)
		}
		fl.closer = append(fl.closer, gz)
		gbr := bufio.NewReaderSize(gz, 1<<20)
		magic, _ = gbr.Peek(4)
		in, raw = gbr, gz
	}
	if len(magic) == 4 && magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a {
		ng, err := pcapgo.NewNgReader(in, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			fl.close()
			return nil, fmt.Errorf("pcapfile: %s: not a valid pcapng file: %w", name, err)
		}
		fl.r, fl.ng, fl.link = ng, ng, decode.LinkType(ng.LinkType())
		return fl, nil
	}
	c, err := newClassicReader(in, raw)
	if err != nil {
		fl.close()
		return nil, fmt.Errorf("pcapfile: %s: not a pcap or pcapng file (%w)", name, err)
	}
	fl.classic, fl.link = c, c.link
	return fl, nil
}

// classicReader reads classic pcap records in place from a large buffer
// that it fills straight from the file (or the gzip stream): a frame is
// never copied, and it stays valid until the next call. It reads what
// pcapgo reads, and also format versions 2.0-2.3, whose records are laid
// out as in 2.4 (libpcap reads them too).
type classicReader struct {
	r          io.Reader
	big        bool   // big-endian header fields
	nanoFactor uint32 // 1000 for microsecond timestamps, 1 for nanoseconds
	maxLen     uint32 // longest record accepted: the snap length, at least 256 KiB as pcapgo
	link       decode.LinkType
	buf        []byte
	start, end int // unread bytes are buf[start:end]
}

const classicBufSize = 1 << 20

// newClassicReader reads the file header from in, which has buffered the
// start of raw; records are then read from raw directly.
func newClassicReader(in *bufio.Reader, raw io.Reader) (*classicReader, error) {
	h, err := in.Peek(24)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("file header: %w", err)
	}
	c := &classicReader{}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case 0xa1b2c3d4:
		c.nanoFactor = 1000
	case 0xa1b23c4d:
		c.nanoFactor = 1
	case 0xd4c3b2a1:
		c.big, c.nanoFactor = true, 1000
	case 0x4d3cb2a1:
		c.big, c.nanoFactor = true, 1
	default:
		return nil, fmt.Errorf("unknown magic %08x", binary.LittleEndian.Uint32(h[0:4]))
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if c.big {
		order = binary.BigEndian
	}
	if major, minor := order.Uint16(h[4:6]), order.Uint16(h[6:8]); major != 2 || minor > 4 {
		return nil, fmt.Errorf("unknown version %d.%d", major, minor)
	}
	c.maxLen = max(order.Uint32(h[16:20]), 262144)
	c.link = decode.LinkType(order.Uint32(h[20:24])) //nolint:gosec // link types are 16 bits; upper bits are flags
	// Take over what in has buffered beyond the header, then read raw.
	_, _ = in.Discard(24)
	c.buf = make([]byte, max(classicBufSize, in.Buffered()))
	c.end, _ = io.ReadFull(in, c.buf[:in.Buffered()])
	c.r = raw
	return c, nil
}

// next returns the next record's data, timestamp (ns) and original length.
func (c *classicReader) next() (data []byte, ts int64, wireLen int, err error) {
	if c.end-c.start < 16 {
		if err := c.fill(16); err != nil {
			return nil, 0, 0, err
		}
	}
	h := c.buf[c.start : c.start+16 : c.start+16]
	var sec, frac, incl, orig uint32
	if c.big {
		sec, frac = binary.BigEndian.Uint32(h[0:4]), binary.BigEndian.Uint32(h[4:8])
		incl, orig = binary.BigEndian.Uint32(h[8:12]), binary.BigEndian.Uint32(h[12:16])
	} else {
		sec, frac = binary.LittleEndian.Uint32(h[0:4]), binary.LittleEndian.Uint32(h[4:8])
		incl, orig = binary.LittleEndian.Uint32(h[8:12]), binary.LittleEndian.Uint32(h[12:16])
	}
	if incl > c.maxLen {
		return nil, 0, 0, fmt.Errorf("capture length exceeds snap length: %d > %d", incl, c.maxLen)
	}
	if incl > orig {
		return nil, 0, 0, fmt.Errorf("capture length exceeds original packet length: %d > %d", incl, orig)
	}
	n := 16 + int(incl)
	if c.end-c.start < n {
		if err := c.fill(n); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // a header without its data
			}
			return nil, 0, 0, err
		}
	}
	data = c.buf[c.start+16 : c.start+n : c.start+n]
	c.start += n
	// As pcapgo: the fraction is scaled in 32 bits, and time.Unix
	// normalizes it, which UnixNano undoes.
	return data, int64(sec)*1e9 + int64(frac*c.nanoFactor), int(orig), nil
}

// fill makes at least n unread bytes available, moving the unread bytes to
// the front of the buffer (which ends the validity of earlier frames). It
// returns io.EOF when the input ends before any of them and
// io.ErrUnexpectedEOF when it ends in the middle.
func (c *classicReader) fill(n int) error {
	unread := c.end - c.start
	if n > len(c.buf) {
		nb := make([]byte, max(n, 2*len(c.buf)))
		copy(nb, c.buf[c.start:c.end])
		c.buf = nb
	} else if c.start > 0 {
		copy(c.buf, c.buf[c.start:c.end])
	}
	c.start, c.end = 0, unread
	for c.end < n {
		m, err := c.r.Read(c.buf[c.end:])
		c.end += m
		if err != nil {
			if c.end >= n {
				break
			}
			if errors.Is(err, io.EOF) {
				if c.end == 0 {
					return io.EOF
				}
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

func (f *file) close() {
	for i := len(f.closer) - 1; i >= 0; i-- {
		_ = f.closer[i].Close()
	}
}

// advance reads the next frame of f into f.frame.
func (r *Reader) advance(f *file) error {
	if f.classic != nil {
		data, ts, wireLen, err := f.classic.next()
		if err == nil {
			f.frames++
			f.frame = capture.Frame{Data: data, Timestamp: ts, WireLen: wireLen, Link: f.link}
			return nil
		}
		return r.fileDone(f, err)
	}
	data, ci, err := f.r.ZeroCopyReadPacketData()
	if err != nil {
		return r.fileDone(f, err)
	}
	f.frames++
	f.frame.Data = data
	f.frame.Timestamp = ci.Timestamp.UnixNano()
	f.frame.WireLen = ci.Length
	f.frame.Link = f.link
	if f.ng != nil && len(ci.AncillaryData) > 0 {
		if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
			f.frame.Link = decode.LinkType(lt)
		}
	}
	return nil
}

// fileDone counts how a file ended and closes it. It returns io.EOF for a
// clean end and err otherwise.
func (r *Reader) fileDone(f *file, err error) error {
	switch {
	case errors.Is(err, io.EOF):
	case errors.Is(err, io.ErrUnexpectedEOF):
		r.stats.Truncated++
	default:
		r.stats.ReadErrors++
		r.errs = append(r.errs, fmt.Errorf("pcapfile: %s: record %d is corrupt, skipping the rest of the file: %w", f.name, f.frames+1, err))
	}
	f.close()
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return err
}

// Next returns the frame with the smallest timestamp among the files.
func (r *Reader) Next(out *capture.Frame) error {
	if r.current != nil {
		if err := r.advance(r.current); err != nil {
			heap.Pop(&r.files)
		} else {
			heap.Fix(&r.files, 0)
		}
		r.current = nil
	}
	if len(r.files) == 0 {
		return io.EOF
	}
	f := r.files[0]
	*out = f.frame
	r.current = f
	r.stats.Frames++
	return nil
}

// Stats returns the counters.
func (r *Reader) Stats() Stats { return r.stats }

// Errors returns the problems met so far (bad files, corrupt records).
func (r *Reader) Errors() []error { return r.errs }

// Progress returns the bytes of the input files consumed so far and their
// total size (compressed sizes for gzip files). It is safe to call from
// another goroutine.
func (r *Reader) Progress() (done, total int64) { return r.read.Load(), r.total }

// Close releases the files.
func (r *Reader) Close() error {
	for _, f := range r.files {
		f.close()
	}
	r.files = nil
	return nil
}

var _ capture.Source = (*Reader)(nil)

type fileHeap []*file

func (h fileHeap) Len() int { return len(h) }
func (h fileHeap) Less(i, j int) bool {
	if h[i].frame.Timestamp != h[j].frame.Timestamp {
		return h[i].frame.Timestamp < h[j].frame.Timestamp
	}
	return h[i].index < h[j].index
}
func (h fileHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *fileHeap) Push(x any)   { *h = append(*h, x.(*file)) }
func (h *fileHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	*h = old[:n-1]
	return x
}
