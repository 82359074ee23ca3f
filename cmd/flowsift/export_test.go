package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// run executes the command line args and returns its standard output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestExport reads the demo captures into a store, then exports what a
// search finds in each format and checks the files hold the same records.
func TestExport(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, err := run(t, "read", "-q", "--store", data, "-o", os.DevNull, "../../testdata/demo/wikipedia.pcap", "../../testdata/demo/instagram.pcap"); err != nil {
		t.Fatal(err)
	}
	const q = "destination.port:443"
	out, err := run(t, "search", "--store", data, "--top", "destination.port", "-f", "csv", q)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if len(rows) != 2 || rows[1][0] != "443" {
		t.Fatalf("--top output %q", out)
	}
	want := rows[1][1]

	nd := filepath.Join(dir, "out.ndjson")
	if _, err := run(t, "export", "--store", data, "-o", nd, q); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(nd)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	n, last := 0, ""
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Timestamp   string `json:"@timestamp"`
			Destination struct {
				Port int `json:"port"`
			} `json:"destination"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if r.Destination.Port != 443 || r.Timestamp < last {
			t.Errorf("line %d: port %d at %s after %s", n+1, r.Destination.Port, r.Timestamp, last)
		}
		last = r.Timestamp
		n++
	}
	if got := strings.TrimSpace(want); got != strconv.Itoa(n) {
		t.Errorf("NDJSON export has %d records, search counts %s", n, want)
	}

	out, err = run(t, "export", "--store", data, "--fields", "source.ip,tls.client.server_name", "-f", "csv", "tls.client.server_name:*")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][1] != "tls.client.server_name" || recs[1][1] == "" {
		t.Errorf("CSV export: %v %q", err, out)
	}

	pq := filepath.Join(dir, "out.parquet")
	if _, err := run(t, "export", "--store", data, "-o", pq, q); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(pq); err != nil || !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
		t.Errorf("not a Parquet file: %v", err)
	}

	for _, bad := range [][]string{
		{"export", "--store", data, "-f", "parquet", q},
		{"export", "--store", data, "-f", "xml", "-o", filepath.Join(dir, "x"), q},
		{"export", "--store", data, "--fields", "source.ipp", "-o", filepath.Join(dir, "y"), q},
		{"export", "--store", data, "-o", filepath.Join(dir, "z"), "destination.port:"},
	} {
		_, err := run(t, bad...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: err %v, want a usage error (exit 2)", bad, err)
		}
	}
}
