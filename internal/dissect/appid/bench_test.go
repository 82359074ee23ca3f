package appid_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/appid"
)

// benchNames is a mix of the names Match sees: TLS SNI and DNS names of
// popular services, CDN edges with long labels, names in upper case and
// with a port (HTTP Host), names the catalog does not know and addresses.
var benchNames = []string{
	"www.google.com",
	"r3---sn-vh5ouxa-hjuk.googlevideo.com",
	"e7.whatsapp.net",
	"scontent-mxp1-1.cdninstagram.com",
	"api-global.netflix.com",
	"eu-prod.asyncgw.teams.microsoft.com",
	"login.microsoftonline.com",
	"1-courier.push.apple.com",
	"mobileanalytics.us-east-1.amazonaws.com",
	"WWW.Example.ORG:8080",
	"unknown-host.example.net",
	"b._dns-sd._udp.local",
	"192.168.1.20",
	"a.very.long.name.with.many.labels.of.some.tracking.service.example.com",
}

func BenchmarkMatch(b *testing.B) {
	c := appid.Default()
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range benchNames {
			c.Match(h)
		}
	}
	b.ReportMetric(float64(len(benchNames)*b.N)/b.Elapsed().Seconds(), "names/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(benchNames)*b.N), "ns/name")
}

// BenchmarkParse is the one-time cost of the embedded catalog at start.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("catalog.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := appid.Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
