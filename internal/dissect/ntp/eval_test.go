package ntp

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

// num renders a number as the corpus converter does after Zeek's TSV
// writer rounded it to microseconds.
func num(v float64) string { return str(math.Round(v*1e6) / 1e6) }

// close compares a Zeek number with ours within a microsecond and a
// relative 1e-12 (Zeek's TSV keeps six decimals).
func closeTo(want any, got float64) string {
	w, ok := want.(float64)
	if ok && math.Abs(w-got) <= 1.5e-6+1e-12*math.Abs(w) {
		return str(w)
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
	ty := newTally()
	for _, log := range []string{"ntp", "ntp_control", "ntp_private"} {
		traces := zeekTraces(t, log)
		if len(traces) == 0 {
			t.Skip("corpus absent")
		}
		for _, trace := range traces {
			flows, err := readFlows(filepath.Join(corpusDir, "pcap/zeek", trace))
			if err != nil {
				t.Fatalf("%s: %v", trace, err)
			}
			byKey := map[flowKey]*testFlow{}
			for _, f := range flows {
				byKey[f.key] = f
			}
			next := map[flowKey]int{}
			for i, r := range readJSONL(t, filepath.Join(corpusDir, "truth/zeek", trace, log+".jsonl")) {
				where := fmt.Sprintf("%s %s#%d", trace, log, i)
				k := zeekKey("UDP", r)
				f := byKey[k]
				var m *Message
				for f != nil && next[k] < len(f.grams) && m == nil {
					m, _ = Parse(f.grams[next[k]])
					next[k]++
				}
				if m == nil {
					ty.check(where, "message", "found", "missing")
					continue
				}
				ty.check(where, "version", str(r["version"]), fmt.Sprint(m.Version))
				ty.check(where, "mode", str(r["mode"]), fmt.Sprint(m.Mode))
				switch {
				case m.Std != nil:
					s := m.Std
					ty.check(where, "stratum", str(r["stratum"]), fmt.Sprint(s.Stratum))
					ty.check(where, "poll", str(r["poll"]), closeTo(r["poll"], s.PollInterval()))
					ty.check(where, "precision", str(r["precision"]), closeTo(r["precision"], s.PrecisionSeconds()))
					ty.check(where, "root_delay", str(r["root_delay"]), closeTo(r["root_delay"], s.RootDelay))
					ty.check(where, "root_disp", str(r["root_disp"]), closeTo(r["root_disp"], s.RootDispersion))
					ref := s.RefID
					if s.Stratum <= 1 {
						ref = zeekEscape(binary.BigEndian.AppendUint32(nil, s.RefIDRaw))
					}
					ty.check(where, "ref_id", str(r["ref_id"]), ref)
					ty.check(where, "ref_time", str(r["ref_time"]), closeTo(r["ref_time"], s.RefTime.Unix()))
					ty.check(where, "org_time", str(r["org_time"]), closeTo(r["org_time"], s.OrgTime.Unix()))
					ty.check(where, "rec_time", str(r["rec_time"]), closeTo(r["rec_time"], s.RecTime.Unix()))
					ty.check(where, "xmt_time", str(r["xmt_time"]), closeTo(r["xmt_time"], s.XmtTime.Unix()))
					ty.check(where, "num_exts", str(r["num_exts"]), fmt.Sprint(s.NumExts))
				case m.Control != nil:
					c := m.Control
					ty.check(where, "op_code", str(r["op_code"]), fmt.Sprint(c.OpCode))
					ty.check(where, "sequence", str(r["sequence"]), fmt.Sprint(c.Sequence))
					ty.check(where, "status", str(r["status"]), fmt.Sprint(c.Status))
					ty.check(where, "association_id", str(r["association_id"]), fmt.Sprint(c.AssociationID))
					ty.check(where, "resp_bit", str(r["resp_bit"]), fmt.Sprint(c.Response))
					ty.check(where, "err_bit", str(r["err_bit"]), fmt.Sprint(c.Error))
					ty.check(where, "more_bit", str(r["more_bit"]), fmt.Sprint(c.More))
				case m.Private != nil:
					p := m.Private
					ty.check(where, "req_code", str(r["req_code"]), fmt.Sprint(p.RequestCode))
					ty.check(where, "sequence", str(r["sequence"]), fmt.Sprint(p.Sequence))
					ty.check(where, "implementation", str(r["implementation"]), fmt.Sprint(p.Implementation))
					ty.check(where, "auth_bit", str(r["auth_bit"]), fmt.Sprint(p.Auth))
					ty.check(where, "err", str(r["err"]), fmt.Sprint(p.Err))
				}
			}
		}
	}
	ty.report(t, "Zeek ntp", 95)
}

// TestNDPIAgreement checks that every flow nDPI labels NTP by DPI parses
// as NTP (nDPI prints no NTP fields to compare beyond the label).
func TestNDPIAgreement(t *testing.T) {
	ty := newTally()
	for _, r := range ndpiRows(t, "NTP") {
		flows, _ := readFlows(filepath.Join(corpusDir, "pcap/ndpi", r.Pcap))
		k := r.key()
		where := r.Pcap + " " + k.String()
		var f *testFlow
		for _, x := range flows {
			if x.key == k {
				f = x
			}
		}
		if f == nil || len(f.grams) == 0 {
			ty.check(where, "flow", "found", "missing")
			continue
		}
		_, err := Parse(f.grams[0])
		ty.check(where, "parses_as_ntp", "true", fmt.Sprint(err == nil))
	}
	ty.report(t, "nDPI ntp", 95)
}
