// Package capture defines what a packet source hands to the decoder. Its
// children are the sources: pcapfile (pcap and pcapng files, gzip or not)
// and afpacket (live capture on Linux).
//
// Place in the pipeline: capture → decode → flow.
package capture

import "github.com/flowsift/flowsift/internal/decode"

// Frame is one captured frame. Data belongs to the source and is valid
// until the next call to Next.
type Frame struct {
	Data      []byte
	Timestamp int64 // nanoseconds since the Unix epoch
	WireLen   int
	Link      decode.LinkType
}

// Source yields frames until it returns io.EOF (or an error).
type Source interface {
	Next(f *Frame) error
}
