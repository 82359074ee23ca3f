package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServe runs flowsift serve on a store made by flowsift read, asks it
// for a count with and without the token, and stops it with the context
// (as SIGINT does).
func TestServe(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, err := run(t, "read", "-q", "--store", data, "-o", os.DevNull, "../../testdata/demo/wikipedia.pcap"); err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte("serve-test-token-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRootCmd()
	pr, pw := io.Pipe()
	root.SetErr(pw)
	root.SetOut(io.Discard)
	root.SetArgs([]string{"serve", "--store", data, "--listen", "127.0.0.1:0", "--token-file", tokFile})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); _ = pw.Close() }()
	buf := make([]byte, 4096)
	n, _ := pr.Read(buf)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(string(buf[:n]))
	if m == nil {
		t.Fatalf("no address in %q", buf[:n])
	}
	base := "http://" + m[1]
	for _, c := range []struct {
		token string
		code  int
	}{{"", 401}, {"serve-test-token-123", 200}} {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/count?q=network.transport:tcp", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != c.code || c.code == 200 && !strings.Contains(string(b), `"count":`) {
			t.Errorf("token %q: %d %s", c.token, resp.StatusCode, b)
		}
	}
	// search and export read through the server as they read a store.
	for _, args := range [][]string{
		{"search", "--top", "network.transport,destination.port", "-n", "5", "-f", "csv", "network.transport:tcp"},
		{"search", "--histogram", "1m", "-f", "csv", "*"},
		{"search", "--top", "source.ip,destination.port", "--sum", "network.bytes", "-f", "json", "event.dataset:flow"},
		{"search", "--sum", "source.packets", "-f", "csv", "network.transport:tcp"},
		{"search", "--distinct", "destination.ip", "-f", "csv", "*"},
		{"search", "--fields", "@timestamp,source.ip,source.mac,destination.port,flow.pattern.sizes,flow.tunnel.types", "-n", "500", "-f", "csv", "NOT network.transport:icmp"},
		{"search", "-n", "3", "-f", "ndjson", "destination.port:80"},
		{"export", "-f", "csv", "--fields", "event.id,http.request.method,url.original", "event.dataset:http"},
	} {
		local, err := run(t, append(args[:1:1], append([]string{"--store", data}, args[1:]...)...)...)
		if err != nil {
			t.Fatalf("%v on the store: %v", args, err)
		}
		remote, err := run(t, append(args[:1:1], append([]string{"--server", base, "--token-file", tokFile}, args[1:]...)...)...)
		if err != nil {
			t.Fatalf("%v through the server: %v", args, err)
		}
		if local != remote || len(local) < 20 {
			t.Errorf("%v: through the server\n%.500s\non the store\n%.500s", args, remote, local)
		}
	}
	if _, err := run(t, "search", "--server", base, "--token-file", filepath.Join(dir, "nosuch"), "*"); err == nil {
		t.Error("a missing token file was accepted")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}

	// A short token is refused before anything starts.
	t.Setenv(tokenEnv, "short")
	_, err := run(t, "serve", "--store", data, "--listen", "127.0.0.1:0")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "16 characters") {
		t.Errorf("short token: %v", err)
	}
}

// TestServeCollects: serve with a syslog listener is the all-in-one: a
// line sent to it is normalized, stored and found through the API.
func TestServeCollects(t *testing.T) {
	if testing.Short() {
		t.Skip("live listeners skipped with -short")
	}
	dir := t.TempDir()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	udp := c.LocalAddr().String()
	_ = c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Setenv(tokenEnv, "serve-collect-token-123")
	root := newRootCmd()
	var stderr syncBuffer
	root.SetErr(&stderr)
	root.SetOut(io.Discard)
	root.SetArgs([]string{"serve", "--store", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0", "--syslog", "udp://" + udp})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	re := regexp.MustCompile(`serving .* on http://(127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := re.FindStringSubmatch(stderr.String()); m != nil && strings.Contains(stderr.String(), "collecting syslog") {
			base = "http://" + m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s, err := net.Dial("udp", udp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte(`<134>Nov 23 10:00:02 fw-b filterlog[123]: 5,,,1000000103,em0,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,203.0.113.9,10.1.1.5,4444,22,0,S,1,,64240,,mss`)); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	var body string
	for deadline := time.Now().Add(10 * time.Second); ; {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/count?q=source.ip:203.0.113.9%20AND%20destination.port:22", nil)
		req.Header.Set("Authorization", "Bearer serve-collect-token-123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		body = string(b)
		if strings.Contains(body, `"count":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the line was not found through the API: %s\n%s", body, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	}
}
