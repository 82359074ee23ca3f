package ntp

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

// num renders a number as the corpus converter does after Zeek's TSV
// writer rounded it to microseconds.
func num(v float64) string { return testutil.Str(math.Round(v*1e6) / 1e6) }

// close compares a Zeek number with ours within a microsecond and a
// relative 1e-12 (Zeek's TSV keeps six decimals).
func closeTo(want any, got float64) string {
	w, ok := want.(float64)
	if ok && math.Abs(w-got) <= 1.5e-6+1e-12*math.Abs(w) {
		return testutil.Str(w)
	}
	return num(got)
}

// zeekEscape renders bytes as Zeek's log writers do: printable ASCII as
// is, everything else as \xNN. Zeek logs the raw four bytes of a stratum
// 0/1 reference id, NUL padding included, where we trim the padding.
func zeekEscape(b []byte) string {
	var out []byte
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			out = append(out, c)
		} else {
			out = fmt.Appendf(out, "\\x%02x", c)
		}
	}
	return string(out)
}

// TestZeekAgreement compares with Zeek's ntp.log, ntp_control.log and
// ntp_private.log, joined on the 4-tuple and the order of datagrams in
// the flow.
func TestZeekAgreement(t *testing.T) {
	ty := testutil.NewTally()
	for _, log := range []string{"ntp", "ntp_control", "ntp_private"} {
		traces := testutil.ZeekTraces(t, log)
		if len(traces) == 0 {
			t.Skip("corpus absent")
		}
		for _, trace := range traces {
			flows, err := testutil.ReadFlows(filepath.Join(testutil.CorpusDir(t), "pcap/zeek", trace))
			if err != nil {
				t.Fatalf("%s: %v", trace, err)
			}
			byKey := map[testutil.FlowKey]*testutil.Flow{}
			for _, f := range flows {
				byKey[f.Key] = f
			}
			next := map[testutil.FlowKey]int{}
			for i, r := range testutil.ReadJSONL(t, filepath.Join(testutil.CorpusDir(t), "truth/zeek", trace, log+".jsonl")) {
				where := fmt.Sprintf("%s %s#%d", trace, log, i)
				k := testutil.ZeekKey("UDP", r)
				f := byKey[k]
				var m *Message
				for f != nil && next[k] < len(f.Grams) && m == nil {
					m, _ = Parse(f.Grams[next[k]])
					next[k]++
				}
				if m == nil {
					ty.Check(where, "message", "found", "missing")
					continue
				}
				ty.Check(where, "version", testutil.Str(r["version"]), fmt.Sprint(m.Version))
				ty.Check(where, "mode", testutil.Str(r["mode"]), fmt.Sprint(m.Mode))
				switch {
				case m.Std != nil:
					s := m.Std
					ty.Check(where, "stratum", testutil.Str(r["stratum"]), fmt.Sprint(s.Stratum))
					ty.Check(where, "poll", testutil.Str(r["poll"]), closeTo(r["poll"], s.PollInterval()))
					ty.Check(where, "precision", testutil.Str(r["precision"]), closeTo(r["precision"], s.PrecisionSeconds()))
					ty.Check(where, "root_delay", testutil.Str(r["root_delay"]), closeTo(r["root_delay"], s.RootDelay))
					ty.Check(where, "root_disp", testutil.Str(r["root_disp"]), closeTo(r["root_disp"], s.RootDispersion))
					ref := s.RefID
					if s.Stratum <= 1 {
						ref = zeekEscape(binary.BigEndian.AppendUint32(nil, s.RefIDRaw))
					}
					ty.Check(where, "ref_id", testutil.Str(r["ref_id"]), ref)
					ty.Check(where, "ref_time", testutil.Str(r["ref_time"]), closeTo(r["ref_time"], s.RefTime.Unix()))
					ty.Check(where, "org_time", testutil.Str(r["org_time"]), closeTo(r["org_time"], s.OrgTime.Unix()))
					ty.Check(where, "rec_time", testutil.Str(r["rec_time"]), closeTo(r["rec_time"], s.RecTime.Unix()))
					ty.Check(where, "xmt_time", testutil.Str(r["xmt_time"]), closeTo(r["xmt_time"], s.XmtTime.Unix()))
					ty.Check(where, "num_exts", testutil.Str(r["num_exts"]), fmt.Sprint(s.NumExts))
				case m.Control != nil:
					c := m.Control
					ty.Check(where, "op_code", testutil.Str(r["op_code"]), fmt.Sprint(c.OpCode))
					ty.Check(where, "sequence", testutil.Str(r["sequence"]), fmt.Sprint(c.Sequence))
					ty.Check(where, "status", testutil.Str(r["status"]), fmt.Sprint(c.Status))
					ty.Check(where, "association_id", testutil.Str(r["association_id"]), fmt.Sprint(c.AssociationID))
					ty.Check(where, "resp_bit", testutil.Str(r["resp_bit"]), fmt.Sprint(c.Response))
					ty.Check(where, "err_bit", testutil.Str(r["err_bit"]), fmt.Sprint(c.Error))
					ty.Check(where, "more_bit", testutil.Str(r["more_bit"]), fmt.Sprint(c.More))
				case m.Private != nil:
					p := m.Private
					ty.Check(where, "req_code", testutil.Str(r["req_code"]), fmt.Sprint(p.RequestCode))
					ty.Check(where, "sequence", testutil.Str(r["sequence"]), fmt.Sprint(p.Sequence))
					ty.Check(where, "implementation", testutil.Str(r["implementation"]), fmt.Sprint(p.Implementation))
					ty.Check(where, "auth_bit", testutil.Str(r["auth_bit"]), fmt.Sprint(p.Auth))
					ty.Check(where, "err", testutil.Str(r["err"]), fmt.Sprint(p.Err))
				}
			}
		}
	}
	ty.Report(t, "Zeek ntp", 95)
}

// TestNDPIAgreement checks that every flow nDPI labels NTP by DPI parses
// as NTP (nDPI prints no NTP fields to compare beyond the label).
func TestNDPIAgreement(t *testing.T) {
	ty := testutil.NewTally()
	for _, r := range testutil.NDPIRows(t, "NTP") {
		flows, _ := testutil.ReadFlows(filepath.Join(testutil.CorpusDir(t), "pcap/ndpi", r.Pcap))
		k := r.Key()
		where := r.Pcap + " " + k.String()
		var f *testutil.Flow
		for _, x := range flows {
			if x.Key == k {
				f = x
			}
		}
		if f == nil || len(f.Grams) == 0 {
			ty.Check(where, "flow", "found", "missing")
			continue
		}
		_, err := Parse(f.Grams[0])
		ty.Check(where, "parses_as_ntp", "true", fmt.Sprint(err == nil))
	}
	ty.Report(t, "nDPI ntp", 95)
}
