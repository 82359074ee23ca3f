package normalize

import (
	"testing"
	"time"

	"github.com/leodido/go-syslog/v4/rfc3164"
	"github.com/leodido/go-syslog/v4/rfc5424"
)

var benchHeaders = []struct{ name, line string }{
	{"rfc3164", "<30>Mar 11 23:51:31 infoblox.localdomain named[11042]: 07-Apr-2022 08:08:10.043 client 192.168.0.1#57398 UDP: query: a1.foo.com IN A response: NOERROR +ED"},
	{"rfc5424", `<14>1 2019-11-14T09:37:51.184+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.129 source-address="10.0.0.1" source-port="594" destination-address="192.0.2.13" destination-port="10400" connection-tag="0" service-name="icmp" nat-source-address="10.0.0.1" nat-source-port="594" nat-destination-address="192.0.2.13" nat-destination-port="10400" nat-connection-tag="0" src-nat-rule-type="N/A" src-nat-rule-name="N/A" dst-nat-rule-type="N/A" dst-nat-rule-name="N/A" protocol-id="1" policy-name="vpn_trust_permit-all" source-zone-name="vpn" destination-zone-name="trust" session-id-32="6093" username="N/A" roles="N/A" packet-incoming-interface="st0.0" application="UNKNOWN" nested-application="UNKNOWN" encrypted="UNKNOWN" application-category="N/A" application-sub-category="N/A" application-risk="1" application-characteristics="N/A"]`},
}

// BenchmarkHeader compares ParseHeader with go-syslog's machines (best
// effort), the reason the header is parsed by hand.
func BenchmarkHeader(b *testing.B) {
	for _, h := range benchHeaders {
		line := []byte(h.line)
		b.Run("impl=hand/"+h.name, func(b *testing.B) {
			var m Message
			env := &Env{Year: 2024}
			b.ReportAllocs()
			for b.Loop() {
				ParseHeader(h.line, env, &m)
			}
		})
		b.Run("impl=gosyslog/"+h.name, func(b *testing.B) {
			p3164 := rfc3164.NewMachine(rfc3164.WithBestEffort(), rfc3164.WithRFC3339(),
				rfc3164.WithYear(rfc3164.Year{YYYY: 2024}), rfc3164.WithTimezone(time.UTC))
			p5424 := rfc5424.NewMachine(rfc5424.WithBestEffort())
			b.ReportAllocs()
			for b.Loop() {
				if h.name == "rfc5424" {
					_, _ = p5424.Parse(line)
				} else {
					_, _ = p3164.Parse(line)
				}
			}
		})
	}
}
