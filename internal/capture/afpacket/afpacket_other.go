//go:build !linux

package afpacket

import (
	"errors"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/decode"
)

// ErrUnsupported is returned by New on systems other than Linux.
var ErrUnsupported = errors.New("afpacket: live capture needs Linux (AF_PACKET); on this system, capture with tcpdump -w and read the file with flowsift read")

// Source is a live capture; on this system it cannot be opened.
type Source struct{}

// New returns ErrUnsupported: AF_PACKET exists only on Linux.
func New(Config) (*Source, error) { return nil, ErrUnsupported }

// Next returns ErrUnsupported.
func (*Source) Next(*capture.Frame) error { return ErrUnsupported }

// Link returns the link type of the frames.
func (*Source) Link() decode.LinkType { return decode.LinkEthernet }

// Stop does nothing.
func (*Source) Stop() {}

// Close does nothing.
func (*Source) Close() error { return nil }

// Stats returns zero counters.
func (*Source) Stats() Stats { return Stats{} }
