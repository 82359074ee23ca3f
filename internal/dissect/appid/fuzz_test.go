package appid_test

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/appid"
)

// domainIndex reads catalog.csv with encoding/csv alone, as the reference
// for FuzzMatch: domain to application.
func domainIndex(tb testing.TB) map[string]appid.App {
	tb.Helper()
	f, err := os.Open("catalog.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	idx := map[string]appid.App{}
	for _, r := range rows[1:] {
		for _, d := range strings.Fields(r[2]) {
			idx[d] = appid.App{Name: r[0], Category: r[1]}
		}
	}
	return idx
}

// slowMatch is Match written the plain way, from its documentation: cut
// the port and the trailing dot, check the labels, lower the name, and try
// every suffix from the longest.
func slowMatch(idx map[string]appid.App, host string) (appid.App, bool) {
	if i := strings.LastIndex(host, ":"); i >= 0 {
		port := host[i+1:]
		if len(port) < 1 || len(port) > 5 {
			return appid.App{}, false
		}
		for _, r := range port {
			if r < '0' || r > '9' {
				return appid.App{}, false
			}
		}
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > appid.MaxHostLen {
		return appid.App{}, false
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return appid.App{}, false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return appid.App{}, false
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return appid.App{}, false
	}
	for i := range labels {
		if app, ok := idx[strings.ToLower(strings.Join(labels[i:], "."))]; ok {
			return app, true
		}
	}
	return appid.App{}, false
}

// FuzzMatch checks that Match never panics and agrees with slowMatch on
// every input, and that case, a trailing dot and a port do not change the
// answer for names that match.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"e7.whatsapp.net", "WWW.Google.COM.:443", "notgoogle.com", "mail.google.com", "yt3.ggpht.com",
		"142.250.74.36", "[::1]:443", "a..b", "www.google.com:65536", "_dns-sd._udp.local", "\xff.google.com",
		strings.Repeat("a.", 126) + "com",
	} {
		f.Add(s)
	}
	idx := domainIndex(f)
	c := appid.Default()
	f.Fuzz(func(t *testing.T, host string) {
		app, ok := c.Match(host)
		wantApp, wantOK := slowMatch(idx, host)
		if app != wantApp || ok != wantOK {
			t.Fatalf("Match(%q) = %+v, %v; the plain version says %+v, %v", host, app, ok, wantApp, wantOK)
		}
		if !ok {
			return
		}
		if appid.CategoryDoc(app.Category) == "" {
			t.Fatalf("Match(%q) gave unknown category %q", host, app.Category)
		}
		if !strings.Contains(host, ":") && !strings.HasSuffix(host, ".") {
			for _, v := range []string{strings.ToUpper(host), host + ".", host + ":443", strings.ToUpper(host) + ".:8080"} {
				if got, ok := c.Match(v); !ok || got != app {
					t.Fatalf("Match(%q) = %+v, %v; Match(%q) = %+v", v, got, ok, host, app)
				}
			}
		}
	})
}
