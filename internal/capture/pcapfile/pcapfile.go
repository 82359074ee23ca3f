// Package pcapfile reads pcap and pcapng files, gzip-compressed or not,
// several at once merged in timestamp order, as one capture.Source.
//
// Place in the pipeline: capture (files) → decode.
package pcapfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"container/heap"
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
	name   string
	f      *os.File
	r      zeroCopyReader
	ng     *pcapgo.NgReader
	link   decode.LinkType
	frame  capture.Frame
	index  int
	frames uint64
	closer []io.Closer
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
	var in io.Reader = br
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			_ = fh.Close()
			return nil, fmt.Errorf("pcapfile: %s: gzip: %w", name, err)
		}
		fl.closer = append(fl.closer, gz)
		gbr := bufio.NewReaderSize(gz, 1<<20)
		magic, _ = gbr.Peek(4)
		in = gbr
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
	pr, err := pcapgo.NewReader(olderVersions(in))
	if err != nil {
		fl.close()
		return nil, fmt.Errorf("pcapfile: %s: not a pcap or pcapng file (%w)", name, err)
	}
	fl.r, fl.link = pr, decode.LinkType(pr.LinkType())
	return fl, nil
}

// olderVersions lets pcap files of format version 2.0-2.3 through, as
// libpcap does: their records are laid out as in 2.4, but pcapgo only
// accepts 2.4.
func olderVersions(in io.Reader) io.Reader {
	br, ok := in.(*bufio.Reader)
	if !ok {
		return in
	}
	h, err := br.Peek(24)
	if err != nil {
		return in
	}
	var minorAt int
	switch {
	case h[0] == 0xa1 && h[1] == 0xb2 && (h[2] == 0xc3 || h[2] == 0x3c): // big endian
		if h[4] != 0 || h[5] != 2 || h[6] != 0 || h[7] >= 4 {
			return in
		}
		minorAt = 7
	case h[3] == 0xa1 && h[2] == 0xb2 && (h[1] == 0xc3 || h[1] == 0x3c): // little endian
		if h[5] != 0 || h[4] != 2 || h[7] != 0 || h[6] >= 4 {
			return in
		}
		minorAt = 6
	default:
		return in
	}
	fixed := make([]byte, 24)
	copy(fixed, h)
	fixed[minorAt] = 4
	_, _ = br.Discard(24)
	return io.MultiReader(bytes.NewReader(fixed), br)
}

func (f *file) close() {
	for i := len(f.closer) - 1; i >= 0; i-- {
		_ = f.closer[i].Close()
	}
}

// advance reads the next frame of f into f.frame.
func (r *Reader) advance(f *file) error {
	data, ci, err := f.r.ZeroCopyReadPacketData()
	if err != nil {
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
