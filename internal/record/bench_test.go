package record

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func benchRecord() *Record {
	t0 := time.Date(2024, 1, 1, 0, 0, 1, 123456000, time.UTC)
	return &Record{
		Timestamp: t0,
		Event:     Event{ID: "01HK0000000000000000000000", Dataset: DatasetFlow, Start: t0, End: t0.Add(1500 * time.Millisecond)},
		Tenant:    "default", Observer: "sensor-1",
		Source:      Endpoint{IP: netip.MustParseAddr("192.168.1.13"), Port: 53059, HasPort: true, MAC: [6]byte{0x28, 0x37, 0x37, 0, 0x6d, 0xc8}, HasMAC: true, Packets: 12, Bytes: 1890},
		Destination: Endpoint{IP: netip.MustParseAddr("178.62.197.130"), Port: 443, HasPort: true, MAC: [6]byte{0x10, 0x13, 0x31, 0xf1, 0x39, 0x76}, HasMAC: true, Packets: 15, Bytes: 14920},
		Network:     Network{Transport: "tcp", Type: "ipv4", IANANumber: 6, HasIANA: true, CommunityID: "1:KhgxkZ8o5kZAJjXqlT4IA/xFcmA="},
		Flow: Flow{ID: "a2219de2c058477a", EndReason: "tcp-fin", History: "ShADadFf", SourcePayloadBytes: 1200, DestinationPayloadBytes: 14000,
			SourceTCPFlags: 0x1b, DestinationTCPFlags: 0x1b, HasTCP: true,
			PatternSizes: []int32{60, 60, 52, 577, 52, 1500, 1500, 52, 1500, 52}, PatternDirections: "sdssddsdsd",
			PatternIATMicros: []int32{0, 59835, 56, 122, 59833, 41, 18, 2000, 12, 900}},
	}
}

// BenchmarkAppendJSON measures encoding one typical flow record.
func BenchmarkAppendJSON(b *testing.B) {
	r := benchRecord()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestMPLSDoesNotOverwritePattern guards against a getter that builds a
// list in the scratch value while it still aliases a record's slice.
func TestMPLSDoesNotOverwritePattern(t *testing.T) {
	r := benchRecord()
	r.Flow.MPLS = []uint32{16, 17, 18}
	want := append([]int32(nil), r.Flow.PatternIATMicros...)
	out := string(r.AppendJSON(nil))
	for i, x := range r.Flow.PatternIATMicros {
		if x != want[i] {
			t.Fatalf("pattern iat %d changed from %d to %d while encoding", i, want[i], x)
		}
	}
	if !strings.Contains(out, `"labels":[16,17,18]`) || !strings.Contains(out, `"iat_us":[0,59835,`) {
		t.Errorf("encoded record lacks the labels or the pattern: %s", out)
	}
	// A second record must not see the first one's data either.
	r2 := benchRecord()
	if out2 := string(r2.AppendJSON(nil)); strings.Contains(out2, "labels") {
		t.Errorf("labels leaked into a record without MPLS: %s", out2)
	}
}
