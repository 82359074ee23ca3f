package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCollectJoinsSensorFlows is the collector end to end: the sensor
// reads a capture into a store; softflowd (a real NetFlow exporter)
// exports the same capture as IPFIX to a live `flowsift collect`
// listener writing into the same store; then one query finds, for every
// TCP connection, the sensor's flow record and the exporter's netflow
// record, joined on the Community ID.
func TestCollectJoinsSensorFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("live collector skipped with -short")
	}
	softflowd, err := exec.LookPath("softflowd")
	if err != nil {
		t.Skip("softflowd not installed (apt install softflowd; .ci/run installs it)")
	}
	pcap := filepath.Join("..", "..", "testdata", "demo", "wikipedia.pcap")
	dir := t.TempDir()
	if _, err := run(t, "read", "-q", "--store", dir, pcap); err != nil {
		t.Fatal(err)
	}

	// A free port for the collector.
	probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := probe.LocalAddr().(*net.UDPAddr).Port
	_ = probe.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"collect", "--netflow", addr, "--workers", "2", "--store", dir, "--observer", "e2e"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(&stderr)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "collecting NetFlow/IPFIX on udp") {
		select {
		case err := <-done:
			t.Fatalf("collect ended before listening: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("collect did not start within 10s:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	out, err := exec.Command(softflowd, "-r", pcap, "-n", addr, "-v", "10", "-d").CombinedOutput()
	if err != nil {
		t.Fatalf("softflowd: %v\n%s", err, out)
	}
	// The datagrams are on loopback; give the workers a moment to decode.
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("collect: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "NetFlow/IPFIX:") {
		t.Fatalf("no summary:\n%s", stderr.String())
	}

	records := func(query string) []map[string]any {
		t.Helper()
		res, err := run(t, "search", "--store", dir, "--format", "ndjson", "--limit", "1000", query)
		if err != nil {
			t.Fatalf("search %q: %v", query, err)
		}
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(res), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("search output %q: %v", line, err)
			}
			out = append(out, m)
		}
		return out
	}
	collected := records(`event.dataset:netflow AND network.transport:tcp AND observer.name:e2e`)
	if len(collected) == 0 {
		t.Fatalf("no netflow records stored:\n%s", stderr.String())
	}
	joined := 0
	for _, nf := range collected {
		cid := nf["network"].(map[string]any)["community_id"].(string)
		both := records(`network.community_id:"` + cid + `"`)
		kinds := map[string]bool{}
		for _, r := range both {
			kinds[r["event"].(map[string]any)["dataset"].(string)] = true
		}
		if kinds["flow"] && kinds["netflow"] {
			joined++
		}
	}
	// softflowd exports each direction of a connection as its own flow;
	// both share the connection's Community ID.
	if joined != len(collected) {
		t.Errorf("%d of %d netflow TCP records found their sensor flow by Community ID", joined, len(collected))
	}
	t.Logf("%d netflow TCP records, all joined with the sensor's flow records", len(collected))
}

// TestCollectSyslog: log lines sent over UDP and TCP (octet counting and
// newlines) to a live collector come out as normalized records.
func TestCollectSyslog(t *testing.T) {
	if testing.Short() {
		t.Skip("live collector skipped with -short")
	}
	free := func(network string) string {
		if network == "udp" {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			return c.LocalAddr().String()
		}
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	udpAddr, tcpAddr := free("udp"), free("tcp")
	out := filepath.Join(t.TempDir(), "logs.ndjson")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"collect", "--syslog", "udp://" + udpAddr + ",tcp://" + tcpAddr, "-o", out})
	cmd.SetOut(io.Discard)
	cmd.SetErr(&stderr)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(stderr.String(), "collecting syslog") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("collect did not start:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	u, err := net.Dial("udp", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	line := func(i int) string {
		return `<189>date=2026-11-23 time=10:00:0` + strconv.Itoa(i) + ` devname="fw-a" devid="FGT0000000000001" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=10.1.1.5 srcport=5012` + strconv.Itoa(i) + ` dstip=198.51.100.20 dstport=443 proto=6 action="deny"`
	}
	if _, err := u.Write([]byte(line(1))); err != nil {
		t.Fatal(err)
	}
	_ = u.Close()
	c, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	l2, l3 := line(2), line(3)
	if _, err := c.Write([]byte(strconv.Itoa(len(l2)) + " " + l2 + l3 + "\nnot a known format\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	time.Sleep(500 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("collect: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if n := strings.Count(got, "\n"); n != 4 {
		t.Fatalf("%d records, want 4:\n%s\n%s", n, got, stderr.String())
	}
	for _, want := range []string{`"port":50121`, `"port":50122`, `"port":50123`, `"dataset":"log.unparsed"`, `"dataset":"log.fortigate.traffic"`} {
		if !strings.Contains(got, want) {
			t.Errorf("records lack %s:\n%s", want, got)
		}
	}
}
