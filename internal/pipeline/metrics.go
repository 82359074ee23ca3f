package pipeline

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/flowsift/flowsift/internal/decode"
)

// collector exposes a running pipeline's counters to Prometheus. It reads
// Runner.Snapshot on each scrape, so the hot path never touches a metric.
type collector struct {
	r *Runner

	frames, frameBytes, decoded, panics       *prometheus.Desc
	packets, ipBytes, flows, records, evicted *prometheus.Desc
	portReuse, active, fragments              *prometheus.Desc
}

// Collector returns a Prometheus collector for the runner's counters,
// named flowsift_<stage>_<what>_<unit>.
func (r *Runner) Collector() prometheus.Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &collector{
		r:          r,
		frames:     d("flowsift_capture_frames_total", "Frames read from the capture source."),
		frameBytes: d("flowsift_capture_frame_bytes_total", "Captured bytes of the frames read."),
		decoded:    d("flowsift_decode_frames_total", "Frames by decoding result: ok, or why the frame gave no packet to track.", "result"),
		panics:     d("flowsift_pipeline_panics_total", "Frames whose processing panicked; they are skipped and logged."),
		packets:    d("flowsift_flow_packets_total", "Packets counted into flows."),
		ipBytes:    d("flowsift_flow_ip_bytes_total", "IP-level bytes counted into flows."),
		flows:      d("flowsift_flow_created_total", "Flows created."),
		records:    d("flowsift_flow_records_total", "Flow records emitted, final or interim.", "kind"),
		evicted:    d("flowsift_flow_evicted_total", "Flows ended early because the flow table was full."),
		portReuse:  d("flowsift_flow_port_reuse_total", "Closed TCP flows ended by a new SYN on the same 5-tuple."),
		active:     d("flowsift_flow_active", "Flows live in the flow tables."),
		fragments:  d("flowsift_decode_fragments_total", "IP fragments by outcome.", "result"),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.frames, c.frameBytes, c.decoded, c.panics, c.packets, c.ipBytes,
		c.flows, c.records, c.evicted, c.portReuse, c.active, c.fragments} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.r.Snapshot()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(c.frames, st.Frames)
	counter(c.frameBytes, st.Bytes)
	for r := decode.Reason(0); r < decode.NumReasons; r++ {
		counter(c.decoded, st.Reasons[r], r.String())
	}
	counter(c.panics, st.Panics)
	counter(c.packets, st.Flow.Packets)
	counter(c.ipBytes, st.Flow.Bytes)
	counter(c.flows, st.Flow.Flows)
	counter(c.records, st.Flow.Records-st.Flow.Interim, "final")
	counter(c.records, st.Flow.Interim, "interim")
	counter(c.evicted, st.Flow.Evicted)
	counter(c.portReuse, st.Flow.PortReuse)
	ch <- prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, float64(st.Flow.ActiveFlows))
	counter(c.fragments, st.Defrag.Fragments-st.Defrag.Dropped, "accepted")
	counter(c.fragments, st.Defrag.Dropped, "dropped")
	counter(c.fragments, st.Defrag.Reassembled, "reassembled_datagrams")
	counter(c.fragments, st.Defrag.Expired, "expired_datagrams")
}
