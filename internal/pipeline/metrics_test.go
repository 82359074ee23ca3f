package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/flow"
)

// TestMetrics runs a real capture and checks that the collector reports
// the pipeline's counters and that the metric names pass promlint.
func TestMetrics(t *testing.T) {
	src, err := pcapfile.Open("../../testdata/demo/wikipedia.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var c collect
	r := New(DefaultConfig(), flow.Deps{Sink: &c})
	st, err := r.Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if st.Flow.Packets == 0 || uint64(len(c.recs)) != st.Flow.Records {
		t.Fatalf("stats: %d packets, %d records; the sink got %d", st.Flow.Packets, st.Flow.Records, len(c.recs))
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(r.Collector())

	want := fmt.Sprintf(`
# HELP flowsift_flow_packets_total Packets counted into flows.
# TYPE flowsift_flow_packets_total counter
flowsift_flow_packets_total %d
# HELP flowsift_flow_records_total Flow records emitted, final or interim.
# TYPE flowsift_flow_records_total counter
flowsift_flow_records_total{kind="final"} %d
flowsift_flow_records_total{kind="interim"} %d
`, st.Flow.Packets, st.Flow.Records-st.Flow.Interim, st.Flow.Interim)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "flowsift_flow_packets_total", "flowsift_flow_records_total"); err != nil {
		t.Error(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
