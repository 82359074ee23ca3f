package afpacket

import "github.com/flowsift/flowsift/internal/capture"

// Stats counts what a live capture did. The kernel's counters are read
// when Stats is called.
type Stats struct {
	Packets       uint64 // frames returned by Next, heartbeats excluded
	Heartbeats    uint64 // heartbeats returned by Next
	KernelPackets uint64 // packets that passed the filter in the kernel, dropped ones included
	Drops         uint64 // packets the kernel dropped because the ring was full
	QueueFreezes  uint64 // times the ring filled up
	Early         uint64 // frames captured before the filter was attached, skipped
}

var _ capture.Source = (*Source)(nil)
