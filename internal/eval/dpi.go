package eval

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flowsift/flowsift/internal/dissect/appid"
)

// Bars of the application identification against nDPI.
const (
	DPIProtocolBar    = 97.0 // % of nDPI's DPI flows of the wave-1 protocols with the same network.protocol
	DPIHostBar        = 97.0 // % of those with a host name whose host name agrees
	DPIApplicationBar = 60.0 // % of all flows nDPI classified by DPI whose application agrees
)

// ndpiProtocols maps the nDPI master protocols of wave 1 to
// network.protocol. SMTPS, IMAPS and friends are TLS to flowsift.
var ndpiProtocols = map[string]string{
	"DNS": "dns", "HTTP": "http", "TLS": "tls", "QUIC": "quic", "SSH": "ssh",
	"SMTP": "smtp", "FTP_CONTROL": "ftp", "DHCP": "dhcp", "NTP": "ntp",
}

// DPIResult is the comparison of application identification with nDPI.
type DPIResult struct {
	Protocol map[string]*[2]int // nDPI protocol → [agree, flows]
	Host     map[string]*[2]int // nDPI protocol → [agree, flows with a host name]
	Finger   map[string]*[2]int // ja3, ja4, hassh → [agree, flows where nDPI prints it]
	App      [2]int             // [agree, flows classified by DPI]
	AppMiss  map[string]int     // "nDPI app → ours" → count, for the report
	Misses   []Disagreement     // protocol and host disagreements
}

func newDPIResult() *DPIResult {
	return &DPIResult{Protocol: map[string]*[2]int{}, Host: map[string]*[2]int{}, Finger: map[string]*[2]int{}, AppMiss: map[string]int{}}
}

func tally(m map[string]*[2]int, k string, ok bool) {
	c := m[k]
	if c == nil {
		c = &[2]int{}
		m[k] = c
	}
	c[1]++
	if ok {
		c[0]++
	}
}

// add compares one nDPI flow with the flowsift flow matched to it (nil if
// none).
func (r *DPIResult) add(pcap string, t *NDPIFlow, f *Flow) {
	if !strings.HasPrefix(t.Confidence, "DPI") || t.Section != "detected" {
		return
	}
	var got Flow
	if f != nil {
		got = *f
	}
	master := t.App
	if t.Master != nil {
		master = *t.Master
	}
	// Application: ours is network.application, else the protocol
	// (nDPI names the protocol when it knows no application), else the
	// transport for ICMP and friends.
	mine := got.Application
	if mine == "" {
		mine = got.Protocol
	}
	if mine == "" {
		mine = got.Transport
	}
	want := appid.NDPIAlias(t.App)
	okApp := mine == want || (got.Protocol != "" && got.Protocol == want)
	r.App[1]++
	if okApp {
		r.App[0]++
	} else {
		r.AppMiss[t.App+" → "+mine]++
	}
	proto, ok := ndpiProtocols[master]
	if !ok {
		return
	}
	tally(r.Protocol, master, got.Protocol == proto)
	if got.Protocol != proto {
		r.Misses = append(r.Misses, Disagreement{Pcap: pcap, Class: "protocol " + master, Tuple: fmt.Sprintf("%s %s:%d-%s:%d", t.L4, t.Src, t.Sport, t.Dst, t.Dport),
			Want: proto, Got: got.Protocol})
	}
	if t.Hostname != "" && master != "DHCP" {
		// For SSH nDPI prints the first banner on the wire, which is
		// the server's when the server speaks first.
		okHost := sameHost(t.Hostname, got.Host) || (master == "SSH" && sameHost(t.Hostname, got.ServerBanner))
		tally(r.Host, master, okHost)
		if !okHost {
			r.Misses = append(r.Misses, Disagreement{Pcap: pcap, Class: "host " + master, Tuple: fmt.Sprintf("%s %s:%d-%s:%d", t.L4, t.Src, t.Sport, t.Dst, t.Dport),
				Want: t.Hostname, Got: got.Host})
		}
	}
	if t.JA3C != "" {
		tally(r.Finger, "ja3", got.JA3 == t.JA3C)
	}
	if t.JA4 != "" {
		ok := ja4Equal(t.JA4, got.JA4)
		tally(r.Finger, "ja4", ok)
		if !ok {
			r.Misses = append(r.Misses, Disagreement{Pcap: pcap, Class: "ja4 " + master, Tuple: fmt.Sprintf("%s %s:%d-%s:%d", t.L4, t.Src, t.Sport, t.Dst, t.Dport),
				Want: t.JA4, Got: got.JA4})
		}
	}
	if t.HASSHC != "" {
		tally(r.Finger, "hassh", strings.EqualFold(got.HASSH, t.HASSHC)) // nDPI prints it in upper case
	}
}

func sum(m map[string]*[2]int) (ok, n int) {
	for _, c := range m {
		ok += c[0]
		n += c[1]
	}
	return ok, n
}

// Err names the missed bars.
func (r *DPIResult) Err() []error {
	var errs []error
	if ok, n := sum(r.Protocol); percent(ok, n) < DPIProtocolBar {
		errs = append(errs, fmt.Errorf("nDPI protocols: %.2f%% agree, bar %.0f%%", percent(ok, n), DPIProtocolBar))
	}
	if ok, n := sum(r.Host); percent(ok, n) < DPIHostBar {
		errs = append(errs, fmt.Errorf("nDPI host names: %.2f%% agree, bar %.0f%%", percent(ok, n), DPIHostBar))
	}
	if p := percent(r.App[0], r.App[1]); p < DPIApplicationBar {
		errs = append(errs, fmt.Errorf("nDPI applications: %.2f%% agree, bar %.0f%%", p, DPIApplicationBar))
	}
	return errs
}

// write prints the figures per protocol and the first n disagreements of
// each class.
func (r *DPIResult) write(w io.Writer, n int) {
	line := func(title string, m map[string]*[2]int) {
		ok, all := sum(m)
		fmt.Fprintf(w, "  %s: %d/%d = %.2f%%;", title, ok, all, percent(ok, all))
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, " %s %d/%d", k, m[k][0], m[k][1])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "nDPI application identification (flows nDPI classified by DPI):")
	line("network.protocol", r.Protocol)
	line("host name/SNI", r.Host)
	line("fingerprints", r.Finger)
	fmt.Fprintf(w, "  network.application: %d/%d = %.2f%% (bar %.0f%%)\n", r.App[0], r.App[1], percent(r.App[0], r.App[1]), DPIApplicationBar)
	type kv struct {
		k string
		v int
	}
	var miss []kv
	for k, v := range r.AppMiss {
		miss = append(miss, kv{k, v})
	}
	sort.Slice(miss, func(i, j int) bool { return miss[i].v > miss[j].v || miss[i].v == miss[j].v && miss[i].k < miss[j].k })
	if n != 0 && len(miss) > 0 {
		fmt.Fprint(w, "  most frequent application disagreements (nDPI → flowsift):")
		for i, m := range miss {
			if n > 0 && i >= 3*n {
				break
			}
			fmt.Fprintf(w, " %s ×%d;", m.k, m.v)
		}
		fmt.Fprintln(w)
	}
	byClass := map[string]int{}
	for _, d := range r.Misses {
		if n >= 0 && byClass[d.Class] >= n {
			continue
		}
		byClass[d.Class]++
		fmt.Fprintf(w, "  %s: %s %s want %q got %q\n", d.Class, d.Pcap, d.Tuple, d.Want, d.Got)
	}
}

// sameHost compares nDPI's host name with ours, allowing for how
// ndpiReader prints it: bytes outside printable ASCII become '?' (ours are
// written \xNN, as Zeek writes them), and a name longer than its buffer
// keeps only its end.
func sameHost(want, got string) bool {
	want, got = strings.TrimSuffix(want, "."), strings.TrimSuffix(got, ".")
	if strings.Contains(got, `\x`) {
		var b strings.Builder
		for i := 0; i < len(got); i++ {
			if got[i] == '\\' && i+3 < len(got) && got[i+1] == 'x' {
				b.WriteByte('?')
				i += 3
				continue
			}
			b.WriteByte(got[i])
		}
		got = b.String()
	}
	if strings.EqualFold(want, got) {
		return true
	}
	return len(want) >= 64 && len(got) > len(want) && strings.HasSuffix(strings.ToLower(got), strings.ToLower(want))
}

// ja4Equal compares nDPI's JA4 with ours, which follows the JA4 spec
// (FoxIO technical_details/JA4.md), allowing for two nDPI behaviours
// documented in internal/dissect/tls's evaluation: the SNI flag (4th
// character: nDPI prints 'i' for a numeric SNI and 'd' when it learnt a
// host name elsewhere) and the second ALPN character (nDPI prints the
// first two characters of the first ALPN value, the spec the first and
// last). Protocol, version, counts and both hashes must be equal.
func ja4Equal(want, got string) bool {
	if want == got {
		return true
	}
	if len(want) != len(got) || len(got) < 10 {
		return false
	}
	return want[:3] == got[:3] && want[4:9] == got[4:9] && want[10:] == got[10:]
}
