package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// udpDstPortBPF is `udp dst port N` for Ethernet frames carrying IPv4 as
// `tcpdump -ddd` prints a program, so that the test needs no tcpdump.
const udpDstPortBPF = `11
40 0 0 12
21 0 8 2048
48 0 0 23
21 0 6 17
40 0 0 20
69 4 0 8191
177 0 0 14
72 0 0 16
21 0 1 %d
6 0 0 262144
6 0 0 0
`

// TestSensorLoopback runs `flowsift sensor` on lo with a raw BPF filter,
// sends datagrams to a port the filter keeps and to one it drops, stops
// the sensor as Ctrl-C does (the context is cancelled) and reads the
// NDJSON it wrote.
func TestSensorLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("live capture skipped with -short")
	}
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	wanted, other := listen(), listen()
	port := wanted.LocalAddr().(*net.UDPAddr).Port

	dir := t.TempDir()
	filter := filepath.Join(dir, "filter.bpf")
	if err := os.WriteFile(filter, fmt.Appendf(nil, udpDstPortBPF, port), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "flows.ndjson")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"sensor", "--interface", "lo", "--bpf-raw", "@" + filter, "-o", out, "--observer", "e2e"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(&stderr)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "capturing on lo") {
		select {
		case err := <-done:
			if errors.Is(err, os.ErrPermission) {
				t.Skipf("live capture needs CAP_NET_RAW (run the tests as root): %v", err)
			}
			t.Fatalf("sensor ended before capturing: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sensor did not start within 5s:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	send := func(to net.Addr, n int) int {
		c, err := net.Dial("udp4", to.String())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close() }()
		for i := range n {
			if _, err := c.Write([]byte{'e', '2', 'e', byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	send(other.LocalAddr(), 2)
	clientPort := send(wanted.LocalAddr(), 4)

	cancel() // what SIGINT does to the command's context
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sensor: %v\n%s", err, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sensor did not stop within 5s of the cancellation")
	}

	type endpoint struct {
		IP      string `json:"ip"`
		Port    int    `json:"port"`
		Packets int    `json:"packets"`
	}
	type flowRecord struct {
		Event struct {
			Dataset string `json:"dataset"`
		} `json:"event"`
		Observer struct {
			Name string `json:"name"`
		} `json:"observer"`
		Source      endpoint `json:"source"`
		Destination endpoint `json:"destination"`
		Network     struct {
			Transport string `json:"transport"`
		} `json:"network"`
		Flow struct {
			EndReason string `json:"end_reason"`
		} `json:"flow"`
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var got []flowRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r flowRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("not JSON: %v: %s", err, sc.Text())
		}
		got = append(got, r)
	}
	var want flowRecord
	want.Event.Dataset = "flow"
	want.Observer.Name = "e2e"
	want.Source = endpoint{IP: "127.0.0.1", Port: clientPort, Packets: 4}
	want.Destination = endpoint{IP: "127.0.0.1", Port: port}
	want.Network.Transport = "udp"
	want.Flow.EndReason = "end-of-input"
	if diff := cmp.Diff([]flowRecord{want}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s\nstderr:\n%s", diff, stderr.String())
	}
	for _, line := range []string{"captured 4 frames", "kernel: ", " 0 dropped"} {
		if !strings.Contains(stderr.String(), line) {
			t.Errorf("summary lacks %q:\n%s", line, stderr.String())
		}
	}
}

func TestSensorErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"sensor"}, "--interface is required"},
		{[]string{"sensor", "eth0"}, "--interface eth0"},
		{[]string{"sensor", "-i", "no-such-if0"}, `no interface named "no-such-if0"`},
		{[]string{"sensor", "-i", "lo", "--bpf", "tcp", "--bpf-raw", "1\n6 0 0 0"}, "not both"},
		{[]string{"sensor", "-i", "lo", "--bpf-raw", "2\n6 0 0 0"}, "count says 2"},
		{[]string{"sensor", "-i", "lo", "--bpf-raw", "@/nonexistent/filter.bpf"}, "--bpf-raw"},
		{[]string{"sensor", "-i", "lo", "--ring-block-size", "12x"}, "is not a size"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := newRootCmd()
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSensorNeedsTcpdumpForBPF(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	cmd := newRootCmd()
	cmd.SetArgs([]string{"sensor", "-i", "lo", "--bpf", "udp port 53"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	for _, want := range []string{"apt-get install tcpdump", "tcpdump -ddd -y EN10MB 'udp port 53'", "--bpf-raw @filter.bpf"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want one containing %q", err, want)
		}
	}
}

func TestSizeValue(t *testing.T) {
	for in, want := range map[string]int{"65536": 65536, "64KiB": 64 << 10, "512K": 512 << 10, "1MiB": 1 << 20, "4 MiB": 4 << 20} {
		var s sizeValue
		if err := s.Set(in); err != nil || int(s) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, int(s), err, want)
		}
	}
	for _, in := range []string{"", "-1", "0", "1GiB", "12x", "9999999MiB"} {
		var s sizeValue
		if err := s.Set(in); err == nil {
			t.Errorf("Set(%q) = nil error, want one", in)
		}
	}
	s := sizeValue(1 << 20)
	if got := s.String(); got != "1MiB" {
		t.Errorf("String() = %q, want 1MiB", got)
	}
}
