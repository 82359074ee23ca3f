package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Made-up lines in the vendors' formats (not copied from anywhere).
const testLogLines = `<189>date=2026-11-23 time=10:00:01 devname="fw-a" devid="FGT0000000000001" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.1.1.5 srcport=50123 srcintf="port1" dstip=198.51.100.20 dstport=443 dstintf="wan1" proto=6 action="deny" policyid=7 service="HTTPS" sentbyte=0 rcvdbyte=0
<134>Nov 23 10:00:02 fw-b filterlog[123]: 5,,,1000000103,em0,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,203.0.113.9,10.1.1.5,4444,22,0,S,1,,64240,,mss
this line matches no parser at all
`

// TestReadLogs: read detects that the file holds log lines, normalizes
// each into a record (an unknown line too, as log.unparsed), stores them,
// and search finds them by ECS field, CIDR and free text.
func TestReadLogs(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "fw.log")
	if err := os.WriteFile(logs, []byte(testLogLines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "read", "-q", logs)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d records, want 3:\n%s", len(lines), out)
	}
	var datasets []string
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		datasets = append(datasets, m["event"].(map[string]any)["dataset"].(string))
	}
	if datasets[2] != "log.unparsed" || !strings.HasPrefix(datasets[0], "log.fortigate") || !strings.HasPrefix(datasets[1], "log.") {
		t.Errorf("datasets %v", datasets)
	}

	st := filepath.Join(dir, "store")
	if _, err := run(t, "read", "-q", "--format", "syslog", "--store", st, logs); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		`source.ip:10.0.0.0/8 AND event.dataset:log.fortigate*`: 1,
		`destination.port:22`: 1,
		`"matches no parser"`: 1,
		`event.dataset:log.*`: 3,
	} {
		res, err := run(t, "search", "--store", st, "--format", "ndjson", q)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if n := strings.Count(res, "\n"); n != want {
			t.Errorf("search %q: %d records, want %d:\n%s", q, n, want, res)
		}
	}
}
