package communityid

import (
	"net/netip"
	"testing"
)

// The expected values are the Community ID spec's published baseline
// examples (community-id-spec, baseline/baseline_deflt.json).
func TestSum(t *testing.T) {
	tests := []struct {
		name         string
		src, dst     string
		proto        uint8
		sport, dport uint16
		want         string
	}{
		{"tcp", "128.232.110.120", "66.35.250.204", 6, 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"tcp reversed", "66.35.250.204", "128.232.110.120", 6, 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	}
	h := New(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.Sum(netip.MustParseAddr(tt.src), netip.MustParseAddr(tt.dst), tt.proto, tt.sport, tt.dport)
			if got != tt.want {
				t.Errorf("Sum() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestICMPDirectionsShareID(t *testing.T) {
	h := New(0)
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	req := h.Sum(a, b, 1, 8, 0)
	rep := h.Sum(b, a, 1, 0, 0)
	if req != rep {
		t.Errorf("echo request %s and reply %s differ", req, rep)
	}
	if got := h.Sum(a, b, 1, 3, 3); got == h.Sum(b, a, 1, 3, 3) {
		t.Errorf("one-way ICMP messages in opposite directions got the same id %s", got)
	}
}

func BenchmarkSum(b *testing.B) {
	h := New(0)
	s, d := netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("192.168.7.9")
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Sum(s, d, 6, 43210, 443)
	}
}
