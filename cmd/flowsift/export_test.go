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

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1": 1, "500MiB": 500 << 20, "50GB": 50e9, "2TiB": 2 << 40, " 7 KiB": 7 << 10} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5GB", "10XB", "99999999999TiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
	if s := byteSize(50 << 30); s.String() != "50GiB" {
		t.Errorf("String() = %s", s.String())
	}
}

// TestReadStoreBounds reads the demo captures (three days) into a store
// bounded to nothing: the newest day stays.
func TestReadStoreBounds(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, err := run(t, "read", "-q", "--store", data, "--store-max-size", "1", "-o", os.DevNull, "../../testdata/demo/wikipedia.pcap", "../../testdata/demo/instagram.pcap"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "search", "--store", data, "-n", "10000", "--fields", "@timestamp", "-f", "csv", "*")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "2019-09-18") {
			t.Fatalf("after a 1-byte bound the store holds a record of %s; want only 2019-09-18's", l)
		}
	}
	if len(lines) < 10 {
		t.Errorf("after a 1-byte bound the store holds %d records; want 2019-09-18's", len(lines)-1)
	}
}
