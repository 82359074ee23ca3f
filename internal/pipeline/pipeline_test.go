package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

// collect is a sink that keeps the JSON of every record.
type collect struct {
	mu   sync.Mutex
	recs []map[string]any
}

func (c *collect) Consume(batch []record.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range batch {
		var m map[string]any
		if err := json.Unmarshal(batch[i].AppendJSON(nil), &m); err != nil {
			panic(err)
		}
		c.recs = append(c.recs, m)
	}
}

func run(t *testing.T, workers int, files ...string) []map[string]any {
	t.Helper()
	src, err := pcapfile.Open(files...)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := DefaultConfig()
	cfg.Workers = workers
	var c collect
	if _, err := New(cfg, flow.Deps{Sink: &c, Observer: "test"}).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return c.recs
}

func get(m map[string]any, path string) any {
	var v any = m
	for _, p := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}

// TestCommunityIDMatchesTshark checks flowsift's Community IDs against
// Wireshark's implementation on TCP, UDP, SCTP, ICMP and ICMPv6 flows.
func TestCommunityIDMatchesTshark(t *testing.T) {
	want := map[string][]string{}
	f, err := os.Open("testdata/communityid-tshark.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, id, ok := strings.Cut(sc.Text(), " ")
		if ok {
			want[name] = append(want[name], id)
		}
	}
	if len(want) == 0 {
		t.Fatal("no expectations read")
	}
	for name, ids := range want {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if _, err := os.Stat(path); err != nil {
				path = filepath.Join("..", "..", "testdata", "demo", name)
			}
			var got []string
			for _, r := range run(t, 1, path) {
				got = append(got, get(r, "network.community_id").(string))
			}
			slices.Sort(got)
			got = slices.Compact(got)
			slices.Sort(ids)
			if diff := cmp.Diff(ids, got); diff != "" {
				t.Errorf("community ids (-tshark +flowsift):\n%s", diff)
			}
		})
	}
}

// TestICMPEchoIsOneFlow checks that echo requests and replies form one
// flow whose source is the pinging host.
func TestICMPEchoIsOneFlow(t *testing.T) {
	for _, tt := range []struct {
		file          string
		src           string
		pkts, replies float64
	}{
		{"icmp-ping.pcap", "10.0.0.1", 2, 2},
		{"icmp6-ping.pcap", "", 0, 0},
	} {
		t.Run(tt.file, func(t *testing.T) {
			recs := run(t, 1, filepath.Join("testdata", tt.file))
			var echo []map[string]any
			for _, r := range recs {
				if ty := get(r, "icmp.type").(float64); ty == 8 || ty == 128 {
					echo = append(echo, r)
				}
			}
			if len(echo) == 0 {
				t.Fatalf("no echo flow in %d records", len(recs))
			}
			for _, r := range echo {
				if get(r, "destination.packets").(float64) == 0 {
					t.Errorf("echo flow %v has no replies: they were split into another flow", get(r, "network.community_id"))
				}
				if tt.src != "" && get(r, "source.ip") != tt.src {
					t.Errorf("source.ip = %v, want the pinging host %s", get(r, "source.ip"), tt.src)
				}
				if tt.pkts > 0 && (get(r, "source.packets") != tt.pkts || get(r, "destination.packets") != tt.replies) {
					t.Errorf("packets = %v/%v, want %v/%v", get(r, "source.packets"), get(r, "destination.packets"), tt.pkts, tt.replies)
				}
			}
			for _, r := range recs {
				if ty := get(r, "icmp.type").(float64); ty == 0 || ty == 129 {
					t.Errorf("a flow starts with an echo reply: %v", r)
				}
			}
		})
	}
}

// TestWorkersAgree checks that sharding over workers changes nothing but
// record order and ids.
func TestWorkersAgree(t *testing.T) {
	files := []string{"../../testdata/demo/wikipedia.pcap", "../../testdata/demo/instagram.pcap"}
	canon := func(recs []map[string]any) []string {
		var out []string
		for _, r := range recs {
			delete(r["event"].(map[string]any), "id")
			b, _ := json.Marshal(r)
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	one := canon(run(t, 1, files...))
	two := canon(run(t, 2, files...))
	if len(one) < 50 {
		t.Fatalf("only %d records from the demo captures", len(one))
	}
	if diff := cmp.Diff(one, two); diff != "" {
		t.Errorf("1 worker vs 2 workers (-one +two):\n%s", diff)
	}
}
