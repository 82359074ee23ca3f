package flow

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the flow table's timeouts and limits.
type Config struct {
	TCPIdle        time.Duration `yaml:"tcp_idle"`        // established or half-open TCP flows
	TCPClose       time.Duration `yaml:"tcp_close"`       // after FIN from both sides or a RST, late packets still count
	UDPIdle        time.Duration `yaml:"udp_idle"`        // UDP flows
	DNSIdle        time.Duration `yaml:"dns_idle"`        // UDP flows on DNS, NetBIOS-NS, mDNS and LLMNR ports
	ICMPIdle       time.Duration `yaml:"icmp_idle"`       // ICMP and ICMPv6 flows
	OtherIdle      time.Duration `yaml:"other_idle"`      // other IP protocols
	ActiveTimeout  time.Duration `yaml:"active_timeout"`  // emit an interim record of a flow this long; 0 disables
	MaxFlows       int           `yaml:"max_flows"`       // live flows at most; the least recently active is evicted
	PatternPackets int           `yaml:"pattern_packets"` // packets recorded in flow.pattern.* (at most 16)
}

// MaxPattern is the largest PatternPackets.
const MaxPattern = 16

// DefaultConfig returns Zeek's inactivity timeouts (TCP 5 min, UDP and
// ICMP 1 min, DNS 10 s as Zeek's dns_session_timeout, 5 s after a close),
// a 5 min active timeout and room for one million flows.
func DefaultConfig() Config {
	return Config{
		TCPIdle:        5 * time.Minute,
		TCPClose:       5 * time.Second,
		UDPIdle:        time.Minute,
		DNSIdle:        10 * time.Second,
		ICMPIdle:       time.Minute,
		OtherIdle:      time.Minute,
		ActiveTimeout:  5 * time.Minute,
		MaxFlows:       1 << 20,
		PatternPackets: 10,
	}
}

// Validate checks the configuration; each message names the key.
func (c Config) Validate() error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"tcp_idle", c.TCPIdle}, {"tcp_close", c.TCPClose}, {"udp_idle", c.UDPIdle}, {"dns_idle", c.DNSIdle}, {"icmp_idle", c.ICMPIdle}, {"other_idle", c.OtherIdle}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("flow.%s: must be positive, e.g. 60s", d.name))
		}
	}
	if c.ActiveTimeout < 0 {
		errs = append(errs, errors.New("flow.active_timeout: must be 0 (off) or positive, e.g. 5m"))
	}
	if c.MaxFlows < 1 {
		errs = append(errs, errors.New("flow.max_flows: must be at least 1"))
	}
	if c.PatternPackets < 0 || c.PatternPackets > MaxPattern {
		errs = append(errs, fmt.Errorf("flow.pattern_packets: must be between 0 and %d", MaxPattern))
	}
	return errors.Join(errs...)
}
