package decode_test

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/flowsift/flowsift/internal/decode"
)

// fuzzLinks are the link types the decoder understands; the fuzzer's link
// argument is mapped onto them so that inputs are not wasted on
// unsupported-link-type.
var fuzzLinks = []decode.LinkType{
	decode.LinkNull, decode.LinkEthernet, decode.LinkPPP, decode.LinkRaw, decode.LinkCHDLC, decode.LinkLoop,
	decode.LinkLinuxSLL, decode.LinkIPv4, decode.LinkIPv6, decode.LinkLinuxSLL2, decode.LinkRawAlt1,
	decode.LinkRawAlt2, decode.LinkPPI,
}

// maxFuzzInput caps inputs: a frame is at most 64 KiB plus framing.
const maxFuzzInput = 1<<16 + 256

// FuzzDecode feeds arbitrary frames to the decoder. Beyond "no panic" it
// checks that the reason is a known one and that an OK packet is sane:
// lengths non-negative and consistent, addresses of the right family,
// encapsulation depths within their limits, and the payload a part of the
// frame (or of a reassembled datagram). The frame is decoded twice by one
// decoder, so duplicate fragments and reassembly run too.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pcap*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed captures: %v", err)
	}
	for _, name := range files {
		for _, fr := range readFrames(f, name) {
			f.Add(fr.data, uint16(fr.link))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, link uint16) {
		if len(data) > maxFuzzInput {
			return
		}
		lt := decode.LinkType(link)
		known := false
		for _, l := range fuzzLinks {
			known = known || l == lt
		}
		if !known {
			lt = fuzzLinks[int(link)%len(fuzzLinks)]
		}
		d := decode.New(decode.DefaultConfig())
		frame := append([]byte(nil), data...)
		var first decode.Packet
		for round := range 2 {
			var p decode.Packet
			before := d.DefragStats().Reassembled
			r := d.Decode(data, lt, int64(round+1)*1e9, len(data), &p)
			if !bytes.Equal(data, frame) {
				t.Fatal("Decode modified the frame")
			}
			if r >= decode.NumReasons {
				t.Fatalf("unknown reason %d", r)
			}
			if r != decode.OK {
				continue
			}
			reassembled := d.DefragStats().Reassembled > before
			checkPacket(t, &p, data, reassembled)
			if round == 0 {
				first = p
				first.Payload = nil
			} else if !reassembled && first.IPVersion != 0 {
				// The same frame decodes the same way again.
				p.Payload = nil
				p.Timestamp = first.Timestamp
				if !reflect.DeepEqual(p, first) {
					t.Fatalf("second decode differs:\nfirst  %+v\nsecond %+v", first, p)
				}
			}
		}
	})
}

func checkPacket(t *testing.T, p *decode.Packet, data []byte, reassembled bool) {
	t.Helper()
	if p.IPVersion != 4 && p.IPVersion != 6 {
		t.Fatalf("IPVersion = %d", p.IPVersion)
	}
	for _, a := range []netip.Addr{p.Src, p.Dst} {
		if !a.IsValid() || (p.IPVersion == 4) != a.Is4() {
			t.Fatalf("address %v for IPv%d", a, p.IPVersion)
		}
	}
	if p.IPLen < 0 || p.PayloadLen < 0 || p.IPLen > 1<<17 {
		t.Fatalf("IPLen = %d, PayloadLen = %d", p.IPLen, p.PayloadLen)
	}
	if p.PayloadLen > p.IPLen {
		t.Fatalf("PayloadLen %d > IPLen %d", p.PayloadLen, p.IPLen)
	}
	if int(p.TunnelDepth) > decode.MaxTunnels || int(p.MPLSDepth) > decode.MaxMPLS || int(p.NumCarriers) > decode.MaxCarriers {
		t.Fatalf("depths: tunnels %d, mpls %d, carriers %d", p.TunnelDepth, p.MPLSDepth, p.NumCarriers)
	}
	for i := range int(p.TunnelDepth) {
		if k := p.Tunnels[i]; k == decode.TunnelNone || int(k) >= len(decode.TunnelNames) {
			t.Fatalf("tunnel %d has kind %d", i, k)
		}
	}
	if p.TunnelDepth > 0 && (!p.TunnelSrc.IsValid() || !p.TunnelDst.IsValid()) {
		t.Fatalf("tunnelled packet without outer addresses: %v %v", p.TunnelSrc, p.TunnelDst)
	}
	if p.HasPorts && p.Proto != 6 && p.Proto != 17 && p.Proto != 132 {
		t.Fatalf("ports on protocol %d", p.Proto)
	}
	if len(p.Payload) > p.PayloadLen {
		t.Fatalf("captured payload %d bytes > PayloadLen %d", len(p.Payload), p.PayloadLen)
	}
	if !reassembled && len(p.Payload) > 0 && !bytes.Contains(data, p.Payload) {
		t.Fatalf("payload of %d bytes is not part of the frame", len(p.Payload))
	}
}
