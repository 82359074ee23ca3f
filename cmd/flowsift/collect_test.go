package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
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
