package pcapfile_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
)

// pkt is a frame to write into a test capture.
type pkt struct {
	ts   time.Time
	data []byte
	wire int // 0: len(data)
	intf int // pcapng interface index
}

// got is a frame as read back.
type got struct {
	TS      int64
	Data    string
	WireLen int
	Link    decode.LinkType
}

var base = time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)

func frameData(tag string) []byte {
	b := make([]byte, 60)
	copy(b, tag)
	return b
}

func (p pkt) ci() gopacket.CaptureInfo {
	w := p.wire
	if w == 0 {
		w = len(p.data)
	}
	return gopacket.CaptureInfo{Timestamp: p.ts, CaptureLength: len(p.data), Length: w, InterfaceIndex: p.intf}
}

// writePcap writes a classic pcap file (microsecond or nanosecond).
func writePcap(t *testing.T, path string, link layers.LinkType, nanos bool, pkts ...pkt) {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if nanos {
		w = pcapgo.NewWriterNanos(&buf)
	}
	if err := w.WriteFileHeader(65535, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := w.WritePacket(p.ci(), p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writePcapNG writes a pcapng file whose interfaces have the given link
// types.
func writePcapNG(t *testing.T, path string, links []layers.LinkType, pkts ...pkt) {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{LinkType: links[0], SnapLength: 65535, TimestampResolution: 9},
		pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links[1:] {
		if _, err := w.AddInterface(pcapgo.NgInterface{LinkType: l, SnapLength: 65535, TimestampResolution: 9}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range pkts {
		if err := w.WritePacket(p.ci(), p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, names ...string) ([]got, *pcapfile.Reader) {
	t.Helper()
	r, err := pcapfile.Open(names...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	var out []got
	var f capture.Frame
	for {
		err := r.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got{f.Timestamp, strings.TrimRight(string(f.Data), "\x00"), f.WireLen, f.Link})
	}
	return out, r
}

func TestFormats(t *testing.T) {
	dir := t.TempDir()
	pkts := []pkt{
		{ts: base, data: frameData("one")},
		{ts: base.Add(1500 * time.Microsecond), data: frameData("two"), wire: 1514}, // snapped
		{ts: base.Add(time.Second + 7*time.Microsecond), data: frameData("three")},
	}
	want := []got{
		{base.UnixNano(), "one", 60, decode.LinkEthernet},
		{base.Add(1500 * time.Microsecond).UnixNano(), "two", 1514, decode.LinkEthernet},
		{base.Add(time.Second + 7*time.Microsecond).UnixNano(), "three", 60, decode.LinkEthernet},
	}
	gz := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		_, _ = zw.Write(b)
		_ = zw.Close()
		if err := os.WriteFile(dst, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writePcap(t, filepath.Join(dir, "micro.pcap"), layers.LinkTypeEthernet, false, pkts...)
	writePcap(t, filepath.Join(dir, "nano.pcap"), layers.LinkTypeEthernet, true, pkts...)
	writePcapNG(t, filepath.Join(dir, "ng.pcapng"), []layers.LinkType{layers.LinkTypeEthernet}, pkts...)
	gz(filepath.Join(dir, "micro.pcap"), filepath.Join(dir, "micro.pcap.gz"))
	gz(filepath.Join(dir, "ng.pcapng"), filepath.Join(dir, "ng.pcapng.gz"))
	// gzip is recognised by content, not by name.
	gz(filepath.Join(dir, "nano.pcap"), filepath.Join(dir, "nano-gzipped.pcap"))

	for _, name := range []string{"micro.pcap", "nano.pcap", "ng.pcapng", "micro.pcap.gz", "ng.pcapng.gz", "nano-gzipped.pcap"} {
		t.Run(name, func(t *testing.T) {
			frames, r := readAll(t, filepath.Join(dir, name))
			if diff := cmp.Diff(want, frames); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if st := r.Stats(); st.Files != 1 || st.Frames != 3 || st.Truncated != 0 || st.ReadErrors != 0 || st.BadFiles != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestPcapNGLinkTypes checks that each frame of a pcapng file carries the
// link type of its own interface.
func TestPcapNGLinkTypes(t *testing.T) {
	name := filepath.Join(t.TempDir(), "mixed.pcapng")
	writePcapNG(t, name, []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeRaw, layers.LinkTypeLinuxSLL},
		pkt{ts: base, data: frameData("eth"), intf: 0},
		pkt{ts: base.Add(time.Millisecond), data: frameData("raw"), intf: 1},
		pkt{ts: base.Add(2 * time.Millisecond), data: frameData("sll"), intf: 2},
	)
	frames, _ := readAll(t, name)
	var links []decode.LinkType
	for _, f := range frames {
		links = append(links, f.Link)
	}
	if diff := cmp.Diff([]decode.LinkType{decode.LinkEthernet, decode.LinkRaw, decode.LinkLinuxSLL}, links); diff != "" {
		t.Errorf("link types (-want +got):\n%s", diff)
	}
}

// TestByteOrderAndVersions reads a big-endian pcap and one of format
// version 2.3 (libpcap reads both).
func TestByteOrderAndVersions(t *testing.T) {
	dir := t.TempDir()
	data := frameData("be")
	var b bytes.Buffer
	be := binary.BigEndian
	for _, v := range []uint32{0xa1b2c3d4} {
		_ = binary.Write(&b, be, v)
	}
	_ = binary.Write(&b, be, uint16(2))
	_ = binary.Write(&b, be, uint16(4))
	_ = binary.Write(&b, be, int32(0))
	_ = binary.Write(&b, be, uint32(0))
	_ = binary.Write(&b, be, uint32(65535))
	_ = binary.Write(&b, be, uint32(101)) // raw IP
	_ = binary.Write(&b, be, uint32(base.Unix()))
	_ = binary.Write(&b, be, uint32(250000))
	_ = binary.Write(&b, be, uint32(len(data)))
	_ = binary.Write(&b, be, uint32(len(data)))
	b.Write(data)
	beName := filepath.Join(dir, "be.pcap")
	if err := os.WriteFile(beName, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	frames, _ := readAll(t, beName)
	want := []got{{base.Add(250 * time.Millisecond).UnixNano(), "be", 60, decode.LinkRaw}}
	if diff := cmp.Diff(want, frames); diff != "" {
		t.Errorf("big endian (-want +got):\n%s", diff)
	}

	v23 := filepath.Join(dir, "v23.pcap")
	writePcap(t, v23, layers.LinkTypeEthernet, false, pkt{ts: base, data: frameData("old")})
	raw, err := os.ReadFile(v23)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint16(raw[6:8], 3) // minor version 3
	if err := os.WriteFile(v23, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	frames, _ = readAll(t, v23)
	if len(frames) != 1 || frames[0].Data != "old" {
		t.Errorf("version 2.3 file: %+v", frames)
	}
}

// TestMerge reads several files as one capture in timestamp order; frames
// of one file keep their order even when its clock steps back.
func TestMerge(t *testing.T) {
	dir := t.TempDir()
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	a := filepath.Join(dir, "a.pcap")
	b := filepath.Join(dir, "b.pcapng")
	c := filepath.Join(dir, "c.pcap.gz")
	writePcap(t, a, layers.LinkTypeEthernet, false,
		pkt{ts: at(1), data: frameData("a1")}, pkt{ts: at(4), data: frameData("a4")}, pkt{ts: at(6), data: frameData("a6")})
	writePcapNG(t, b, []layers.LinkType{layers.LinkTypeRaw},
		pkt{ts: at(2), data: frameData("b2")}, pkt{ts: at(3), data: frameData("b3")}, pkt{ts: at(9), data: frameData("b9")})
	// c: gzip, with a timestamp going backwards (7 after 8).
	tmp := filepath.Join(dir, "c.pcap")
	writePcap(t, tmp, layers.LinkTypeEthernet, false,
		pkt{ts: at(4), data: frameData("c4")}, pkt{ts: at(8), data: frameData("c8")}, pkt{ts: at(7), data: frameData("c7")})
	raw, _ := os.ReadFile(tmp)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	if err := os.WriteFile(c, zb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	frames, r := readAll(t, a, b, c)
	var order []string
	for _, f := range frames {
		order = append(order, f.Data)
	}
	// a4 and c4 tie: the file named first comes first.
	want := []string{"a1", "b2", "b3", "a4", "c4", "a6", "c8", "c7", "b9"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if frames[1].Link != decode.LinkRaw || frames[0].Link != decode.LinkEthernet {
		t.Errorf("link types not kept per file: %v %v", frames[0].Link, frames[1].Link)
	}
	if st := r.Stats(); st.Files != 3 || st.Frames != 9 {
		t.Errorf("stats %+v, want 3 files and 9 frames", st)
	}
}

// TestTruncated cuts a capture in the middle of its last record: the
// frames before the cut are read and the truncation is counted.
func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.pcap")
	writePcap(t, whole, layers.LinkTypeEthernet, false,
		pkt{ts: base, data: frameData("one")}, pkt{ts: base.Add(time.Second), data: frameData("two")},
		pkt{ts: base.Add(2 * time.Second), data: frameData("three")})
	raw, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []struct {
		name   string
		keep   int
		frames int
	}{
		{"inside the last frame's data", len(raw) - 10, 2},
		{"inside the last record header", len(raw) - 60 - 8, 2},
		{"after the file header", 24 + 5, 0},
	} {
		t.Run(cut.name, func(t *testing.T) {
			name := filepath.Join(dir, "cut.pcap")
			if err := os.WriteFile(name, raw[:cut.keep], 0o600); err != nil {
				t.Fatal(err)
			}
			frames, r := readAll(t, name)
			if len(frames) != cut.frames {
				t.Errorf("read %d frames, want %d", len(frames), cut.frames)
			}
			if st := r.Stats(); st.Truncated != 1 {
				t.Errorf("stats %+v, want Truncated 1", st)
			}
		})
	}
	// A truncated gzip stream is counted too.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	gzName := filepath.Join(dir, "cut.pcap.gz")
	if err := os.WriteFile(gzName, zb.Bytes()[:zb.Len()-30], 0o600); err != nil {
		t.Fatal(err)
	}
	_, r := readAll(t, gzName)
	if st := r.Stats(); st.Truncated+int(st.ReadErrors) == 0 { //nolint:gosec // small counts
		t.Errorf("cut gzip stream not counted: %+v", st)
	}
}

// TestBadInput checks the errors for files that are not captures.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("this is not a capture file, just some text\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.pcap")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	badGzip := filepath.Join(dir, "bad.pcap.gz")
	if err := os.WriteFile(badGzip, []byte{0x1f, 0x8b, 0x08, 0, 1, 2, 3}, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pcap")
	for _, name := range []string{text, empty, badGzip, missing} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			r, err := pcapfile.Open(name)
			if err == nil {
				_ = r.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), name) && !strings.Contains(err.Error(), filepath.Base(name)) {
				t.Errorf("error %q does not name the file", err)
			}
			if name == text && !strings.Contains(err.Error(), "not a pcap") {
				t.Errorf("error %q does not say it is not a pcap file", err)
			}
			if name == missing && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("error %q is not os.ErrNotExist", err)
			}
		})
	}
	if _, err := pcapfile.Open(); err == nil {
		t.Error("Open() with no files succeeded")
	}
	// One bad file among good ones: the good ones are read, the bad one is
	// counted and reported.
	good := filepath.Join(dir, "good.pcap")
	writePcap(t, good, layers.LinkTypeEthernet, false, pkt{ts: base, data: frameData("ok")})
	frames, r := readAll(t, good, text)
	if len(frames) != 1 {
		t.Errorf("read %d frames from the good file, want 1", len(frames))
	}
	if st := r.Stats(); st.BadFiles != 1 || st.Files != 1 {
		t.Errorf("stats %+v, want 1 file and 1 bad file", st)
	}
	if len(r.Errors()) != 1 || !strings.Contains(fmt.Sprint(r.Errors()), "notes.txt") {
		t.Errorf("Errors() = %v, want one naming notes.txt", r.Errors())
	}
}
