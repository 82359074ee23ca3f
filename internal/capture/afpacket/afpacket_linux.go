//go:build linux

package afpacket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/decode"
)

// Source is a live capture on one interface. Next, Stop, Stats and Close
// may be called from different goroutines, but Close must not be called
// while a frame returned by Next is still in use: the frame points into
// the ring that Close unmaps. Stop, then Close once the reader is done.
type Source struct {
	cfg        Config
	tp         *afpacket.TPacket
	link       decode.LinkType
	filterFrom int64 // frames stamped before the filter was attached (ns) are skipped
	lastFrame  int64 // time of the last frame or heartbeat returned (ns); Next's goroutine only

	stopAt                     atomic.Int64 // when Stop was called (ns), 0 before
	closing                    atomic.Bool
	packets, heartbeats, early atomic.Uint64

	mu     sync.Mutex // guards the socket between Stats and Close
	closed bool
	final  Stats // kernel counters read by Close
}

// New opens a capture socket on cfg.Interface, attaches the filter and
// sets up the ring. Opening needs the CAP_NET_RAW capability; an error
// that wraps os.ErrPermission says so. A filter in tcpdump syntax needs
// tcpdump (ErrNoCompiler otherwise).
func New(cfg Config) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := net.InterfaceByName(cfg.Interface); err != nil {
		return nil, fmt.Errorf("afpacket: no interface named %q (`ip -br link` lists them)", cfg.Interface)
	}
	link, loopback, err := linkType(cfg.Interface)
	if err != nil {
		return nil, err
	}
	// The filter is compiled before the socket is opened, so that a
	// mistake in it is reported without privileges.
	var prog []bpf.RawInstruction
	switch {
	case cfg.BPF != "":
		if prog, err = Compile(context.Background(), cfg.BPF, link); err != nil {
			return nil, fmt.Errorf("afpacket: %w", err)
		}
	case cfg.BPFRaw != "":
		if prog, err = ParseRaw(cfg.BPFRaw); err != nil {
			return nil, fmt.Errorf("afpacket: raw filter: %w", err)
		}
	}
	if loopback {
		if prog, err = skipOutgoing(prog); err != nil {
			return nil, fmt.Errorf("afpacket: %w", err)
		}
	}

	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(cfg.Interface),
		afpacket.OptBlockSize(cfg.BlockSize),
		afpacket.OptNumBlocks(cfg.NumBlocks),
		afpacket.OptBlockTimeout(cfg.BlockTimeout),
		afpacket.OptPollTimeout(cfg.PollTimeout),
		afpacket.TPacketVersion3,
		// The kernel strips VLAN tags into metadata; put them back so
		// that the VLAN is part of the flow key, as in a pcap file.
		afpacket.OptAddVLANHeader(link == decode.LinkEthernet),
	)
	if err != nil {
		return nil, openError(cfg, err)
	}
	s := &Source{cfg: cfg, tp: tp, link: link, lastFrame: time.Now().UnixNano()}
	if prog != nil {
		if err := tp.SetBPF(prog); err != nil {
			tp.Close()
			return nil, fmt.Errorf("afpacket: %s: the kernel refused the filter (is it compiled for this link type, tcpdump -ddd -y %s?): %w",
				cfg.Interface, tcpdumpLinkName(link), err)
		}
		// Packets that reached the ring between opening the socket and
		// attaching the filter were not filtered: skip them.
		s.filterFrom = time.Now().UnixNano()
	}
	if cfg.Promiscuous && !loopback {
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			return nil, fmt.Errorf("afpacket: %s: cannot enter promiscuous mode (set promiscuous off to capture only this host's traffic): %w", cfg.Interface, err)
		}
	}
	return s, nil
}

// openError explains why the socket or its ring could not be set up.
func openError(cfg Config, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("afpacket: capturing on %s needs the CAP_NET_RAW capability: run as root, or grant it to the binary with "+
			"`sudo setcap cap_net_raw+ep /path/to/flowsift`: %w", cfg.Interface, err)
	case errors.Is(err, unix.ENOMEM) || strings.Contains(err.Error(), "packet_rx_ring"): // gopacket formats the setsockopt error with %v
		return fmt.Errorf("afpacket: %s: cannot set up a ring of %d blocks of %d bytes (%d MiB): use fewer or smaller blocks: %w",
			cfg.Interface, cfg.NumBlocks, cfg.BlockSize, int64(cfg.NumBlocks)*int64(cfg.BlockSize)>>20, err)
	}
	return fmt.Errorf("afpacket: opening %s: %w", cfg.Interface, err)
}

// linkType maps the interface's hardware type (ARPHRD_*) to the link type
// of the frames an AF_PACKET SOCK_RAW socket returns, as libpcap does.
func linkType(iface string) (link decode.LinkType, loopback bool, err error) {
	b, err := os.ReadFile(filepath.Join("/sys/class/net", filepath.Base(iface), "type"))
	if err != nil {
		return 0, false, fmt.Errorf("afpacket: %s: reading the link type: %w", iface, err)
	}
	arphrd, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, false, fmt.Errorf("afpacket: %s: unreadable link type %q", iface, b)
	}
	switch arphrd {
	case unix.ARPHRD_ETHER:
		return decode.LinkEthernet, false, nil
	case unix.ARPHRD_LOOPBACK: // frames carry an Ethernet header with zero addresses
		return decode.LinkEthernet, true, nil
	case unix.ARPHRD_NONE, unix.ARPHRD_RAWIP, unix.ARPHRD_TUNNEL, unix.ARPHRD_TUNNEL6, unix.ARPHRD_SIT: // tun, WireGuard, IP-in-IP
		return decode.LinkRaw, false, nil
	}
	return 0, false, fmt.Errorf("afpacket: %s has hardware type %d (ARPHRD_* in linux/if_arp.h), which flowsift cannot decode yet: "+
		"capture on an Ethernet, loopback or IP tunnel interface", iface, arphrd)
}

// Link returns the link type of the frames.
func (s *Source) Link() decode.LinkType { return s.link }

// Next returns the next frame, or a heartbeat after Config.Heartbeat
// without packets. Data points into the ring and is valid until the next
// call. After Stop it returns the packets captured before Stop that are
// still in the ring, then io.EOF; after Close, io.EOF at once.
func (s *Source) Next(f *capture.Frame) error {
	for {
		if s.closing.Load() {
			return io.EOF
		}
		stopAt := s.stopAt.Load()
		data, ci, err := s.tp.ZeroCopyReadPacketData()
		if err == nil {
			ts := ci.Timestamp.UnixNano()
			if stopAt != 0 && ts > stopAt {
				return io.EOF
			}
			if ts < s.filterFrom {
				s.early.Add(1)
				continue
			}
			s.packets.Add(1)
			s.lastFrame = ts
			*f = capture.Frame{Data: data, Timestamp: ts, WireLen: ci.Length, Link: s.link}
			return nil
		}
		timeout := errors.Is(err, afpacket.ErrTimeout)
		now := time.Now().UnixNano()
		if stopAt = s.stopAt.Load(); stopAt != 0 {
			// The kernel hands over a block BlockTimeout after it opened:
			// wait that long past Stop for the last packets before it.
			if timeout && now < stopAt+2*int64(s.cfg.BlockTimeout) {
				continue
			}
			return io.EOF
		}
		if !timeout {
			return fmt.Errorf("afpacket: %s: reading the ring (interface down or removed?): %w", s.cfg.Interface, err)
		}
		if now-s.lastFrame < int64(s.cfg.Heartbeat) {
			continue
		}
		s.lastFrame = now
		s.heartbeats.Add(1)
		// A block the kernel has not handed over yet may hold packets up
		// to BlockTimeout old: keep the clock behind them.
		*f = capture.Frame{Timestamp: now - int64(s.cfg.BlockTimeout), Link: s.link}
		return nil
	}
}

// Stop ends the capture at this instant: Next returns what was captured
// until now, then io.EOF, within Config.PollTimeout once the ring is
// drained. It may be called from any goroutine, more than once.
func (s *Source) Stop() { s.stopAt.CompareAndSwap(0, time.Now().UnixNano()) }

// Close stops the capture and releases the socket and its ring. Call it
// once the frames returned by Next are no longer used.
func (s *Source) Close() error {
	s.Stop()
	s.closing.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.final = s.kernelStats()
	s.closed = true
	s.tp.Close()
	return nil
}

// Stats returns the counters; after Close, their final values.
func (s *Source) Stats() Stats {
	s.mu.Lock()
	st := s.final
	if !s.closed {
		st = s.kernelStats()
	}
	s.mu.Unlock()
	st.Packets = s.packets.Load()
	st.Heartbeats = s.heartbeats.Load()
	st.Early = s.early.Load()
	return st
}

// kernelStats reads the kernel's counters. s.mu is held.
func (s *Source) kernelStats() Stats {
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return s.final
	}
	return Stats{KernelPackets: uint64(v3.Packets()), Drops: uint64(v3.Drops()), QueueFreezes: uint64(v3.QueueFreezes())}
}
