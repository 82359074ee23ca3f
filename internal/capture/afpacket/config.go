package afpacket

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Config sets up a live capture. It is the capture.afpacket section of the
// configuration file.
type Config struct {
	Interface   string `yaml:"interface"`   // network interface to capture on, e.g. eth0
	BPF         string `yaml:"bpf"`         // capture filter in tcpdump syntax, compiled with tcpdump -ddd
	BPFRaw      string `yaml:"bpf_raw"`     // capture filter already compiled: the output of tcpdump -ddd
	Promiscuous bool   `yaml:"promiscuous"` // also capture traffic not addressed to this host (SPAN ports, taps)

	// The ring shared with the kernel holds NumBlocks blocks of BlockSize
	// bytes. The kernel hands a block over when it is full or BlockTimeout
	// after its first packet; when every block is still being read, the
	// kernel drops packets and counts them (Stats.Drops).
	BlockSize    int           `yaml:"block_size"`    // bytes, a multiple of the page size
	NumBlocks    int           `yaml:"num_blocks"`    // blocks in the ring
	BlockTimeout time.Duration `yaml:"block_timeout"` // hand over a partly filled block after this long

	PollTimeout time.Duration `yaml:"poll_timeout"` // longest wait in the kernel: bounds how late Stop is noticed
	Heartbeat   time.Duration `yaml:"heartbeat"`    // emit a heartbeat after this long without packets
}

// DefaultConfig returns a 64 MiB ring (64 blocks of 1 MiB), promiscuous
// mode, and a heartbeat every second on a quiet link.
func DefaultConfig() Config {
	return Config{
		Promiscuous:  true,
		BlockSize:    1 << 20,
		NumBlocks:    64,
		BlockTimeout: 50 * time.Millisecond,
		PollTimeout:  100 * time.Millisecond,
		Heartbeat:    time.Second,
	}
}

// Limits of the ring: a block must hold the largest packet the kernel may
// hand over (64 KiB with GRO/GSO), and the whole ring is locked memory.
const (
	minBlockSize = 64 << 10
	maxRingSize  = 4 << 30
)

// Validate checks the configuration; each message names the key and the fix.
func (c Config) Validate() error {
	var errs []error
	const p = "capture.afpacket."
	if c.Interface == "" {
		errs = append(errs, errors.New(p+"interface: required, e.g. eth0 (`ip -br link` lists them)"))
	}
	if c.BPF != "" && c.BPFRaw != "" {
		errs = append(errs, errors.New(p+"bpf and "+p+"bpf_raw: give one filter, not both"))
	}
	page := os.Getpagesize()
	switch {
	case c.BlockSize < minBlockSize:
		errs = append(errs, fmt.Errorf(p+"block_size: must be at least %d bytes (64 KiB), e.g. 1048576", minBlockSize))
	case c.BlockSize%page != 0:
		errs = append(errs, fmt.Errorf(p+"block_size: must be a multiple of the page size (%d bytes), e.g. 1048576", page))
	}
	if c.NumBlocks < 1 {
		errs = append(errs, errors.New(p+"num_blocks: must be at least 1, e.g. 64"))
	} else if int64(c.NumBlocks)*int64(c.BlockSize) > maxRingSize {
		errs = append(errs, errors.New(p+"num_blocks: block_size × num_blocks must be at most 4 GiB"))
	}
	if c.BlockTimeout < time.Millisecond || c.BlockTimeout > time.Minute {
		errs = append(errs, errors.New(p+"block_timeout: must be between 1ms and 1m, e.g. 50ms"))
	}
	if c.PollTimeout < time.Millisecond || c.PollTimeout > 10*time.Second {
		errs = append(errs, errors.New(p+"poll_timeout: must be between 1ms and 10s, e.g. 100ms"))
	}
	if c.Heartbeat < c.PollTimeout {
		errs = append(errs, errors.New(p+"heartbeat: must be at least poll_timeout, e.g. 1s"))
	}
	return errors.Join(errs...)
}
