// Package collect holds what the network receivers share: UDP listeners
// with several workers, and reading the datagrams of a capture file so
// that exports recorded with tcpdump can be replayed offline.
package collect

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Datagram is one UDP payload with its addresses.
type Datagram struct {
	Time     time.Time
	Src, Dst netip.AddrPort
	Payload  []byte // valid until the next datagram
}

// Datagrams yields the UDP datagrams of a pcap or pcapng file in order
// (IPv4 and IPv6, Ethernet, Linux cooked or raw IP links). Frames that
// are not UDP are skipped; IP fragments are not reassembled. The error,
// if any, ends the sequence.
func Datagrams(path string) iter.Seq2[Datagram, error] {
	return func(yield func(Datagram, error) bool) {
		f, err := os.Open(path) //nolint:gosec // the user names the capture to read
		if err != nil {
			yield(Datagram{}, err)
			return
		}
		defer func() { _ = f.Close() }()
		src, link, err := openCapture(f)
		if err != nil {
			yield(Datagram{}, fmt.Errorf("%s: %w", path, err))
			return
		}
		for {
			data, ci, err := src.ReadPacketData()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(Datagram{}, fmt.Errorf("%s: %w", path, err))
				return
			}
			p := gopacket.NewPacket(data, link, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
			udp, _ := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
			if udp == nil {
				continue
			}
			var s, d netip.Addr
			switch ip := p.NetworkLayer().(type) {
			case *layers.IPv4:
				s, _ = netip.AddrFromSlice(ip.SrcIP.To4())
				d, _ = netip.AddrFromSlice(ip.DstIP.To4())
			case *layers.IPv6:
				s, _ = netip.AddrFromSlice(ip.SrcIP)
				d, _ = netip.AddrFromSlice(ip.DstIP)
			default:
				continue
			}
			dg := Datagram{Time: ci.Timestamp, Src: netip.AddrPortFrom(s, uint16(udp.SrcPort)),
				Dst: netip.AddrPortFrom(d, uint16(udp.DstPort)), Payload: udp.Payload}
			if !yield(dg, nil) {
				return
			}
		}
	}
}

type packetSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

func openCapture(f *os.File) (packetSource, gopacket.Decoder, error) {
	if r, err := pcapgo.NewReader(f); err == nil {
		return r, r.LinkType(), nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		return nil, nil, errors.New("neither a pcap nor a pcapng file")
	}
	return r, r.LinkType(), nil
}
