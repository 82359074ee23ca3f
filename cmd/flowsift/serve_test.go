package main

import (
	"context"
	"errors"
	"io"
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
