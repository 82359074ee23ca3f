// Package collect holds what the network receivers share: UDP listeners
// with several workers, and reading the datagrams of a capture file so
// that exports recorded with tcpdump can be replayed offline.
package collect

import (
	"errors"
	"io"
	"iter"
	"net/netip"
	"time"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
)

// Datagram is one UDP payload with its addresses.
type Datagram struct {
	Time     time.Time
	Src, Dst netip.AddrPort
	Payload  []byte // valid until the next datagram
}

// Datagrams yields the UDP datagrams of a capture file in order, read as
// the sensor reads captures (pcap or pcapng, gzip or not, any link type
// the packet decoder knows, IP fragments reassembled). Frames that are
// not UDP are skipped. The error, if any, ends the sequence.
func Datagrams(path string) iter.Seq2[Datagram, error] {
	return func(yield func(Datagram, error) bool) {
		src, err := pcapfile.Open(path)
		if err != nil {
			yield(Datagram{}, err)
			return
		}
		defer func() { _ = src.Close() }()
		dec := decode.New(decode.DefaultConfig())
		var f capture.Frame
		var p decode.Packet
		for {
			if err := src.Next(&f); errors.Is(err, io.EOF) {
				return
			} else if err != nil {
				yield(Datagram{}, err)
				return
			}
			p = decode.Packet{}
			if dec.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &p) != decode.OK || p.Proto != 17 || p.TunnelDepth > 0 {
				continue
			}
			dg := Datagram{Time: time.Unix(0, f.Timestamp), Src: netip.AddrPortFrom(p.Src, p.SrcPort),
				Dst: netip.AddrPortFrom(p.Dst, p.DstPort), Payload: p.Payload}
			if !yield(dg, nil) {
				return
			}
		}
	}
}
