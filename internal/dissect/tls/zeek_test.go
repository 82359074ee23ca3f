package tls

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

// zeekVersion renders a version the way Zeek's ssl.log does.
func zeekVersion(v uint16) string {
	switch v {
	case 0x0300:
		return "SSLv3"
	case 0x0301:
		return "TLSv10"
	case 0x0302:
		return "TLSv11"
	case 0x0303:
		return "TLSv12"
	case 0x0304:
		return "TLSv13"
	}
	if v>>8 == 0x7f {
		return fmt.Sprintf("TLSv13-draft%d", v&0xff)
	}
	return fmt.Sprintf("unknown-%d", v)
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprint(v)
}

// TestZeekAgreement compares with Zeek's ssl.log (version, cipher,
// server_name, established, joined on the 4-tuple) and x509.log (subject,
// issuer, DNS SANs, serial, validity, joined on the SHA-256 fingerprint)
// for the TCP traces in the corpus. QUIC and DTLS rows are skipped here.
func TestZeekAgreement(t *testing.T) {
	root := filepath.Join(testutil.CorpusDir(t), "truth/zeek")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	var sslFiles []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (d.Name() == "ssl.jsonl" || d.Name() == "x509.jsonl") {
			sslFiles = append(sslFiles, filepath.Dir(p))
		}
		return nil
	})
	slices.Sort(sslFiles)
	sslFiles = slices.Compact(sslFiles)
	fields := map[string]*score{}
	names := []string{"version", "cipher", "server_name", "established", "subject", "issuer", "san.dns", "serial", "not_valid_before", "not_valid_after"}
	for _, n := range names {
		fields[n] = &score{}
	}
	var misses []string
	var sslRows, sslMatched, x509Rows, x509Matched int
	for _, dir := range sslFiles {
		trace, _ := filepath.Rel(root, dir)
		if strings.HasPrefix(trace, "quic/") {
			continue
		}
		flows, err := testutil.ReadFlows(filepath.Join(testutil.CorpusDir(t), "pcap/zeek", trace))
		if err != nil {
			t.Logf("%s: %v", trace, err)
			continue
		}
		sessions := map[testutil.FlowKey]*Session{}
		certs := map[string]Certificate{}
		for _, f := range flows {
			if f.Key.L4 != "TCP" {
				continue
			}
			s, _ := parseFlow(f)
			sessions[f.Key] = s
			for _, c := range s.Handshake.Certificates {
				certs[c.SHA256] = c
			}
		}
		check := func(name, want, got string) {
			ok := want == got
			fields[name].add(ok)
			if !ok {
				misses = append(misses, trace+" "+name+": want "+want+" got "+got)
			}
		}
		for _, r := range testutil.ReadJSONL(t, filepath.Join(dir, "ssl.jsonl")) {
			oa, _ := netip.ParseAddr(str(r["id.orig_h"]))
			ra, _ := netip.ParseAddr(str(r["id.resp_h"]))
			var op, rp uint16
			fmt.Sscan(str(r["id.orig_p"]), &op)
			fmt.Sscan(str(r["id.resp_p"]), &rp)
			a, b := testutil.Endpoint{Addr: oa.Unmap(), Port: op}, testutil.Endpoint{Addr: ra.Unmap(), Port: rp}
			if b.Less(a) {
				a, b = b, a
			}
			s := sessions[testutil.FlowKey{L4: "TCP", A: a, B: b}]
			sslRows++
			if s == nil || (s.Handshake.ClientHello == nil && s.Handshake.ServerHello == nil) {
				misses = append(misses, trace+" ssl row not parsed: "+str(r["uid"]))
				continue // UDP (DTLS), or TLS inside another protocol (RDP, PostgreSQL)
			}
			sslMatched++
			hs := &s.Handshake
			var ver, cipher, sni string
			if hs.ServerHello != nil {
				ver, cipher = zeekVersion(hs.ServerHello.Version()), CipherSuiteName(hs.ServerHello.CipherSuite)
			}
			if hs.ClientHello != nil {
				sni = hs.ClientHello.ServerName
			}
			if r["version"] != nil {
				check("version", str(r["version"]), ver)
			}
			if r["cipher"] != nil {
				check("cipher", str(r["cipher"]), cipher)
			}
			if r["server_name"] != nil || sni != "" {
				check("server_name", str(r["server_name"]), sni)
			}
			if r["established"] != nil {
				check("established", str(r["established"]), fmt.Sprint(hs.Completed()))
			}
		}
		for _, r := range testutil.ReadJSONL(t, filepath.Join(dir, "x509.jsonl")) {
			x509Rows++
			c, ok := certs[str(r["fingerprint"])]
			if !ok {
				misses = append(misses, trace+" x509 row not found: "+str(r["certificate.subject"]))
				continue // client certificates, DTLS, TLS 1.3 (encrypted), TLS inside RDP/PostgreSQL
			}
			x509Matched++
			check("subject", str(r["certificate.subject"]), c.Subject)
			check("issuer", str(r["certificate.issuer"]), c.Issuer)
			check("serial", str(r["certificate.serial"]), c.Serial)
			check("not_valid_before", str(r["certificate.not_valid_before"]), fmt.Sprint(c.NotBefore.Unix()))
			check("not_valid_after", str(r["certificate.not_valid_after"]), fmt.Sprint(c.NotAfter.Unix()))
			var dns []string
			if l, ok := r["san.dns"].([]any); ok {
				for _, d := range l {
					dns = append(dns, str(d))
				}
			}
			var got []string
			for _, s := range c.SANs {
				if _, err := netip.ParseAddr(s); err != nil && !strings.Contains(s, "@") && !strings.Contains(s, "://") {
					got = append(got, s)
				}
			}
			check("san.dns", strings.Join(dns, ","), strings.Join(got, ","))
		}
	}
	for _, m := range misses {
		t.Log(m)
	}
	t.Logf("Zeek rows parsed: ssl %d/%d, x509 %d/%d", sslMatched, sslRows, x509Matched, x509Rows)
	total := score{}
	for _, n := range names {
		s := fields[n]
		total.n += s.n
		total.ok += s.ok
		t.Logf("Zeek agreement %-16s %6.2f%% (%d/%d)", n, s.pct(), s.ok, s.n)
	}
	t.Logf("Zeek agreement %-16s %6.2f%% (%d/%d)", "all fields", total.pct(), total.ok, total.n)
	if total.pct() < 97 {
		t.Errorf("Zeek agreement %.2f%% is under 97%%", total.pct())
	}
}
