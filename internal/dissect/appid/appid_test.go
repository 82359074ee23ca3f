package appid_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/dissect/appid"
)

// minApps is the catalog size the package promises; dropping under it is
// a regression of coverage, not of code.
const minApps = 320

func TestDefault(t *testing.T) {
	c := appid.Default()
	if c.Len() < minApps {
		t.Errorf("embedded catalog has %d applications, want at least %d", c.Len(), minApps)
	}
	if c != appid.Default() {
		t.Error("Default parsed the catalog twice")
	}
	apps := c.Apps()
	if len(apps) != c.Len() {
		t.Errorf("Apps returned %d applications, Len %d", len(apps), c.Len())
	}
	if !slices.IsSortedFunc(apps, func(a, b appid.App) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Apps is not sorted by name")
	}
	// Apps returns a copy: changing it must not change the catalog.
	apps[0].Name = "changed"
	if c.Apps()[0].Name == "changed" {
		t.Error("Apps exposes the catalog's own slice")
	}
	used := map[string]int{}
	for _, a := range apps {
		used[a.Category]++
	}
	for _, cat := range appid.CategoryNames() {
		if used[cat] == 0 {
			t.Errorf("category %s has no application: drop it or catalog one", cat)
		}
	}
}

// TestMatch covers the matching rules on the embedded catalog with names
// of services whose domains are stable.
func TestMatch(t *testing.T) {
	c := appid.Default()
	for _, tc := range []struct {
		host string
		want string // "" for no match
	}{
		// Suffixes on label boundaries, the domain itself included.
		{"e7.whatsapp.net", "whatsapp"},
		{"whatsapp.net", "whatsapp"},
		{"www.google.com", "google"},
		{"google.com", "google"},
		{"notgoogle.com", ""},
		{"google.com.evil.example", ""},
		{"oogle.com", ""},
		// The most specific domain wins.
		{"mail.google.com", "gmail"},
		{"accounts.google.com", "google"},
		{"yt3.ggpht.com", "youtube"},
		{"lh3.ggpht.com", "google"},
		{"teams.microsoft.com", "teams"},
		{"config.teams.microsoft.com", "teams"},
		{"www.microsoft.com", "microsoft"},
		{"1-courier.push.apple.com", "apple_push"},
		{"www.apple.com", "apple"},
		// Decisions of README.md's Granularity section.
		{"pagead2.googlesyndication.com", "google_ads"},
		{"www.google-analytics.com", "google_analytics"},
		{"connectivitycheck.gstatic.com", "connectivity_check"},
		{"fonts.gstatic.com", "google"},
		{"pitangui.amazon.com", "alexa"},
		{"www.amazon.com", "amazon"},
		{"wdcp.microsoft.com", "microsoft_defender"},
		{"login.microsoftonline.com", "office365"},
		{"outlook.office365.com", "outlook"},
		{"dns.google", "doh"},
		{"geant.ocsp.sectigo.com", "ocsp"},
		{"www.sectigo.com", "sectigo"},
		{"r3.o.lencr.org", "ocsp"},
		{"reddit.map.fastly.net", "reddit"},
		{"global.ssl.fastly.net", "fastly"},
		{"time.windows.com", "ntp"},
		// Case, a trailing dot and a port are ignored.
		{"WWW.Google.COM", "google"},
		{"www.google.com.", "google"},
		{"www.google.com:443", "google"},
		{"www.google.com.:8080", "google"},
		{"E7.WhatsApp.Net.:443", "whatsapp"},
		// Not host names.
		{"", ""},
		{".", ""},
		{":443", ""},
		{"google.com:", ""},
		{"google.com:https", ""},
		{"google.com:123456", ""},
		{"www..google.com", ""},
		{".google.com", ""},
		{"www.google.com..", ""},
		{"www google.com", ""},
		{"www.google.com/path", ""},
		{"wwß.google.com", ""},
		{"142.250.74.36", ""},
		{"142.250.74.36:443", ""},
		{"[2a00:1450:4007:80c::2004]:443", ""},
		{"2a00:1450:4007:80c::2004", ""},
		{"::1", ""},
		{"com", ""},
		{strings.Repeat("a", 64) + ".google.com", ""},
		{strings.Repeat("a.", 122) + "google.com", ""}, // 254 characters
	} {
		t.Run(tc.host, func(t *testing.T) {
			app, ok := c.Match(tc.host)
			if ok != (tc.want != "") || app.Name != tc.want {
				t.Errorf("Match(%q) = %+v, %v; want %q", tc.host, app, ok, tc.want)
			}
			if ok && appid.CategoryDoc(app.Category) == "" {
				t.Errorf("Match(%q) gave unknown category %q", tc.host, app.Category)
			}
		})
	}
	// The longest name that fits still matches.
	long := strings.Repeat("a.", 121) + "google.com" // 252 characters
	if app, ok := c.Match(long + "."); !ok || app.Name != "google" {
		t.Errorf("Match of a %d-character name = %+v, %v; want google", len(long), app, ok)
	}
}

// TestMatchAllocs holds Match to its promise of no allocation, for
// lower-case names (the common case) and mixed-case ones alike.
func TestMatchAllocs(t *testing.T) {
	c := appid.Default()
	for _, host := range []string{"r3---sn-vh5ouxa-hjuk.googlevideo.com", "WWW.Google.COM:443", "unknown.example.org", "10.1.2.3"} {
		if n := testing.AllocsPerRun(100, func() { c.Match(host) }); n != 0 {
			t.Errorf("Match(%q) allocates %v times", host, n)
		}
	}
}

func TestParse(t *testing.T) {
	const in = `application,category,domains,source
b,chat,b.example b.example.net,https://b.example/
a,web,"a.example  x.a.example",https://a.example/about
c,web,c.b.example,http://c.example/
`
	c, err := appid.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []appid.App{{"a", "web"}, {"b", "chat"}, {"c", "web"}}
	if diff := cmp.Diff(want, c.Apps()); diff != "" {
		t.Errorf("Apps (-want +got):\n%s", diff)
	}
	for host, want := range map[string]string{
		"a.example": "a", "y.x.a.example": "a", "b.example": "b", "q.c.b.example": "c", "b.example.net": "b", "example": "",
	} {
		if got, _ := c.Match(host); got.Name != want {
			t.Errorf("Match(%q) = %q, want %q", host, got.Name, want)
		}
	}
}

// TestParseEmpty: a catalog with no rows is valid and matches nothing.
func TestParseEmpty(t *testing.T) {
	c, err := appid.Parse(strings.NewReader("application,category,domains,source\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"a.b.c.d.example", "example", "WWW.Example.COM:80"} {
		if app, ok := c.Match(h); ok {
			t.Errorf("empty catalog: Match(%q) = %+v", h, app)
		}
	}
	if c.Len() != 0 || len(c.Apps()) != 0 {
		t.Errorf("empty catalog has %d applications", c.Len())
	}
}

func TestParseErrors(t *testing.T) {
	const head = "application,category,domains,source\n"
	const src = ",https://x.example/"
	for _, tc := range []struct {
		name, in string
		is       error // nil: any error
		want     string
	}{
		{"empty", "", nil, "header"},
		{"header", "app,category,domains,source\n", appid.ErrMalformed, "line 1"},
		{"fields", head + "a,web,a.example\n", nil, "line 2"},
		{"name upper", head + "Google,web,a.example" + src, appid.ErrMalformed, `line 2: malformed application name "Google"`},
		{"name space", head + "a b,web,a.example" + src, appid.ErrMalformed, "line 2"},
		{"name empty", head + ",web,a.example" + src, appid.ErrMalformed, "line 2"},
		{"name dash", head + "-a,web,a.example" + src, appid.ErrMalformed, "line 2"},
		{"duplicate name", head + "a,web,a.example" + src + "\na,web,b.example" + src, appid.ErrDuplicate, `line 3: duplicate application "a", first on line 2`},
		{"category", head + "a,weird,a.example" + src, appid.ErrMalformed, `line 2: malformed category "weird" of a: known categories are advertising, ai,`},
		{"no domains", head + "a,web, " + src, appid.ErrMalformed, "line 2: malformed: a has no domains"},
		{"domain upper", head + "a,web,A.example" + src, appid.ErrMalformed, `line 2: malformed domain "A.example" of a`},
		{"domain single label", head + "a,web,example" + src, appid.ErrMalformed, "at least two"},
		{"domain empty label", head + "a,web,a..example" + src, appid.ErrMalformed, "empty label"},
		{"domain trailing dot", head + "a,web,a.example." + src, appid.ErrMalformed, "empty label"},
		{"domain hyphen", head + "a,web,-a.example" + src, appid.ErrMalformed, "hyphen"},
		{"domain numeric tld", head + "a,web,10.0.0.1" + src, appid.ErrMalformed, "numeric"},
		{"domain wildcard", head + "a,web,*.a.example" + src, appid.ErrMalformed, "character"},
		{"domain long label", head + "a,web," + strings.Repeat("x", 64) + ".example" + src, appid.ErrMalformed, "63"},
		{"duplicate domain", head + "a,web,a.example" + src + "\nb,web,b.example a.example" + src, appid.ErrDuplicate, `line 3: duplicate domain "a.example" of b, already on line 2`},
		{"duplicate domain same row", head + "a,web,a.example a.example" + src, appid.ErrDuplicate, "line 2"},
		{"source empty", head + "a,web,a.example,", appid.ErrMalformed, "line 2: malformed source of a"},
		{"source relative", head + "a,web,a.example,/wiki/A", appid.ErrMalformed, "line 2"},
		{"source ftp", head + "a,web,a.example,ftp://x.example/", appid.ErrMalformed, "line 2"},
		{"quote", head + "a,web,\"a.example" + src, nil, "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := appid.Parse(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestREADMECategories keeps the category table of README.md in step with
// the set the code validates.
func TestREADMECategories(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, cat := range appid.CategoryNames() {
		if !strings.Contains(string(readme), "| `"+cat+"` |") {
			t.Errorf("README.md has no row for category %s", cat)
		}
	}
}
