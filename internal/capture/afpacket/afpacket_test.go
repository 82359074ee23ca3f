package afpacket

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"

	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/pipeline"
	"github.com/flowsift/flowsift/internal/record"
)

// udpDstPort is `udp dst port N` for Ethernet frames carrying IPv4,
// written out by hand so that the test needs no tcpdump.
func udpDstPort(t *testing.T, port uint16) []bpf.RawInstruction {
	t.Helper()
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 12, Size: 2}, // EtherType
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0800, SkipFalse: 8},
		bpf.LoadAbsolute{Off: 23, Size: 1}, // IPv4 protocol
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 17, SkipFalse: 6},
		bpf.LoadAbsolute{Off: 20, Size: 2}, // fragment offset
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x1fff, SkipTrue: 4},
		bpf.LoadMemShift{Off: 14},          // X = IPv4 header length
		bpf.LoadIndirect{Off: 16, Size: 2}, // UDP destination port
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(port), SkipFalse: 1},
		bpf.RetConstant{Val: 1 << 18},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func TestParseRaw(t *testing.T) {
	// tcpdump -ddd -y EN10MB 'tcp'
	const tcp = "12\n40 0 0 12\n21 0 2 2048\n48 0 0 23\n21 6 7 6\n21 0 6 34525\n48 0 0 20\n21 3 0 6\n21 0 3 44\n48 0 0 54\n21 0 1 6\n6 0 0 262144\n6 0 0 0\n"
	tests := []struct {
		name, in string
		want     int    // instructions
		err      string // substring of the error
	}{
		{name: "tcpdump output", in: tcp, want: 12},
		{name: "crlf and blank lines", in: strings.ReplaceAll(tcp, "\n", "\r\n\r\n"), want: 12},
		{name: "without count", in: tcp[strings.IndexByte(tcp, '\n')+1:], want: 12},
		{name: "iptables commas", in: "2,6 0 0 65535,6 0 0 0", want: 2},
		{name: "empty", in: " \n ", err: "empty program"},
		{name: "count only", in: "3", err: "no instructions"},
		{name: "count mismatch", in: "3\n6 0 0 0\n", err: "count says 3"},
		{name: "bad count", in: "x\n6 0 0 0", err: "not an instruction count"},
		{name: "three fields", in: "6 0 0", err: "four numbers"},
		{name: "not decimal", in: "0x6 0 0 0", err: "field 1"},
		{name: "jt overflows", in: "21 256 0 0\n6 0 0 0", err: "field 2"},
		{name: "jump past end", in: "21 0 5 1\n6 0 0 0", err: "jumps past the end"},
		{name: "ja past end", in: "5 0 0 1\n6 0 0 0", err: "jumps past the end"},
		{name: "no final return", in: "40 0 0 12", err: "must be a return"},
		{name: "too long", in: strings.Repeat("6 0 0 0\n", maxInstructions+1), err: "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := ParseRaw(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseRaw() error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(prog) != tt.want {
				t.Fatalf("got %d instructions, want %d", len(prog), tt.want)
			}
		})
	}
}

func TestFormatRawRoundTrip(t *testing.T) {
	want := udpDstPort(t, 5353)
	got, err := ParseRaw(FormatRaw(want))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Interface = "eth0"
	tests := []struct {
		name   string
		change func(*Config)
		err    string
	}{
		{"default with interface", func(*Config) {}, ""},
		{"no interface", func(c *Config) { c.Interface = "" }, "interface: required"},
		{"two filters", func(c *Config) { c.BPF, c.BPFRaw = "tcp", "1\n6 0 0 0" }, "not both"},
		{"small block", func(c *Config) { c.BlockSize = 4096 }, "block_size: must be at least"},
		{"odd block", func(c *Config) { c.BlockSize = 1<<20 + 1 }, "multiple of the page size"},
		{"no blocks", func(c *Config) { c.NumBlocks = 0 }, "num_blocks: must be at least 1"},
		{"huge ring", func(c *Config) { c.NumBlocks = 1 << 20 }, "at most 4 GiB"},
		{"block timeout", func(c *Config) { c.BlockTimeout = 0 }, "block_timeout"},
		{"poll timeout", func(c *Config) { c.PollTimeout = time.Hour }, "poll_timeout"},
		{"heartbeat", func(c *Config) { c.Heartbeat = time.Millisecond }, "heartbeat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.err)
			}
		})
	}
}

func TestSkipOutgoing(t *testing.T) {
	user := udpDstPort(t, 9)
	prog, err := skipOutgoing(user)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(user, prog[len(prog)-len(user):]); diff != "" {
		t.Errorf("the user's program must follow unchanged (-want +got):\n%s", diff)
	}
	if err := checkJumps(prog); err != nil {
		t.Error(err)
	}
	all, err := skipOutgoing(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkJumps(all); err != nil {
		t.Error(err)
	}
	if _, err := skipOutgoing(make([]bpf.RawInstruction, maxInstructions)); err == nil {
		t.Error("a program at the kernel's limit leaves no room for the loopback check: want an error")
	}
}

// frame builds an Ethernet frame carrying IPv4 or IPv6 and UDP or TCP.
func frame(t *testing.T, v6, tcp bool, dport uint16) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	proto := layers.IPProtocolUDP
	if tcp {
		proto = layers.IPProtocolTCP
	}
	var ip gopacket.SerializableLayer
	var nl gopacket.NetworkLayer
	if v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip6 := &layers.IPv6{Version: 6, NextHeader: proto, HopLimit: 64, SrcIP: net.ParseIP("2001:db8::1"), DstIP: net.ParseIP("2001:db8::2")}
		ip, nl = ip6, ip6
	} else {
		ip4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: net.IPv4(192, 0, 2, 1), DstIP: net.IPv4(192, 0, 2, 2)}
		ip, nl = ip4, ip4
	}
	var l4 gopacket.SerializableLayer
	if tcp {
		l := &layers.TCP{SrcPort: 40000, DstPort: layers.TCPPort(dport), SYN: true}
		_ = l.SetNetworkLayerForChecksum(nl)
		l4 = l
	} else {
		l := &layers.UDP{SrcPort: 40000, DstPort: layers.UDPPort(dport)}
		_ = l.SetNetworkLayerForChecksum(nl)
		l4 = l
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, l4, gopacket.Payload("x")); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompile checks that filters compiled by tcpdump are read correctly,
// by running them on frames.
func TestCompile(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump is not installed: --bpf cannot be tested here (apt-get install tcpdump)")
	}
	ctx := context.Background()
	prog, err := Compile(ctx, "udp port 53", decode.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	ins, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatal("tcpdump's program does not disassemble")
	}
	vm, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		v6, tcp  bool
		port     uint16
		wantPass bool
	}{
		{"udp4 53", false, false, 53, true},
		{"udp6 53", true, false, 53, true},
		{"tcp4 53", false, true, 53, false},
		{"udp4 54", false, false, 54, false},
	} {
		n, err := vm.Run(frame(t, c.v6, c.tcp, c.port))
		if err != nil {
			t.Fatal(err)
		}
		if (n > 0) != c.wantPass {
			t.Errorf("%s: filter returned %d, want pass=%v", c.name, n, c.wantPass)
		}
	}

	if _, err := Compile(ctx, "udp port", decode.LinkEthernet); err == nil || !strings.Contains(err.Error(), "invalid filter") {
		t.Errorf("Compile(bad expression) error = %v, want one saying the filter is invalid", err)
	}
	if _, err := Compile(ctx, "-w /tmp/x", decode.LinkEthernet); err == nil {
		t.Error("an expression starting with - must not become a tcpdump option")
	}
}

func TestCompileWithoutTcpdump(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Compile(context.Background(), "tcp port 443", decode.LinkEthernet)
	if !errors.Is(err, ErrNoCompiler) {
		t.Fatalf("Compile() error = %v, want ErrNoCompiler", err)
	}
	if !strings.Contains(err.Error(), "tcpdump -ddd -y EN10MB 'tcp port 443'") {
		t.Errorf("the error should show the command to run elsewhere: %v", err)
	}
}

// collector keeps the fields of flow records the tests look at.
type collector struct {
	mu   sync.Mutex
	recs []flowSummary
}

type flowSummary struct {
	Transport        string
	SrcPort, DstPort uint16
	SrcPkts, DstPkts uint64
}

func (c *collector) Consume(batch []record.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range batch {
		r := &batch[i]
		c.recs = append(c.recs, flowSummary{r.Network.Transport, r.Source.Port, r.Destination.Port, r.Source.Packets, r.Destination.Packets})
	}
}

// openLive opens a capture on lo, or skips the test without the privilege.
func openLive(t *testing.T, cfg Config) *Source {
	t.Helper()
	if testing.Short() {
		t.Skip("live capture skipped with -short")
	}
	src, err := New(cfg)
	if errors.Is(err, os.ErrPermission) {
		t.Skipf("live capture needs CAP_NET_RAW (run the tests as root): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func listenUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func sendUDP(t *testing.T, to net.Addr, n int) (srcPort uint16) {
	t.Helper()
	c, err := net.Dial("udp4", to.String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	for i := range n {
		if _, err := c.Write([]byte{'p', byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	return uint16(c.LocalAddr().(*net.UDPAddr).Port) //nolint:gosec // a port fits
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLiveLoopback captures real datagrams on lo through a BPF filter and
// the flow pipeline.
func TestLiveLoopback(t *testing.T) {
	wanted, other := listenUDP(t), listenUDP(t)
	port := uint16(wanted.LocalAddr().(*net.UDPAddr).Port) //nolint:gosec // a port fits

	cfg := DefaultConfig()
	cfg.Interface = "lo"
	cfg.BPFRaw = FormatRaw(udpDstPort(t, port))
	cfg.NumBlocks = 4
	cfg.BlockTimeout = 10 * time.Millisecond
	cfg.PollTimeout = 20 * time.Millisecond
	cfg.Heartbeat = 100 * time.Millisecond
	src := openLive(t, cfg)
	if src.Link() != decode.LinkEthernet {
		t.Errorf("Link() = %d, want Ethernet (lo has an Ethernet-like header)", src.Link())
	}

	sink := &collector{}
	runner := pipeline.New(pipeline.DefaultConfig(), flow.Deps{Sink: sink, Observer: "test", Tenant: "test"})
	type result struct {
		st  pipeline.Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := runner.Run(context.Background(), src)
		done <- result{st, err}
	}()

	const n = 5
	sendUDP(t, other.LocalAddr(), 3) // must not pass the filter
	srcPort := sendUDP(t, wanted.LocalAddr(), n)
	sendUDP(t, other.LocalAddr(), 3)
	waitFor(t, "the datagrams", 5*time.Second, func() bool { return src.Stats().Packets >= n })
	hb := src.Stats().Heartbeats
	waitFor(t, "a heartbeat on the quiet link", 5*time.Second, func() bool { return src.Stats().Heartbeats > hb })

	src.Stop()
	var res result
	select {
	case res = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of Stop")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	st := src.Stats()
	if st.Packets != n {
		t.Errorf("captured %d packets, want exactly %d (the filter lets through only port %d, and lo's outgoing copies are dropped)", st.Packets, n, port)
	}
	if st.KernelPackets < n || st.Drops != 0 {
		t.Errorf("kernel counters: %d packets, %d drops; want at least %d packets and no drops", st.KernelPackets, st.Drops, n)
	}
	if res.st.Frames != n {
		t.Errorf("pipeline saw %d frames, want %d", res.st.Frames, n)
	}
	want := []flowSummary{{Transport: "udp", SrcPort: srcPort, DstPort: port, SrcPkts: n}}
	if diff := cmp.Diff(want, sink.recs); diff != "" {
		t.Errorf("flow records (-want +got):\n%s", diff)
	}
}

// TestLiveStop checks that Next returns io.EOF soon after Stop on a quiet
// link, and that the source can be closed twice.
func TestLiveStop(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Interface = "lo"
	cfg.BPFRaw = FormatRaw(udpDstPort(t, 9)) // discard: nothing listens
	src := openLive(t, cfg)
	go func() { time.Sleep(50 * time.Millisecond); src.Stop() }()
	start := time.Now()
	runner := pipeline.New(pipeline.DefaultConfig(), flow.Deps{Sink: &collector{}})
	if _, err := runner.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %s after Stop, want about PollTimeout (%s)", d, cfg.PollTimeout)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
}
