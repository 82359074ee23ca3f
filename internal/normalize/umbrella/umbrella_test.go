package umbrella

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in Umbrella's DNS log CSV layout.
var cases = []normalizetest.Case{
	{
		Name:    "allowed, user and computer",
		Line:    `"2024-05-06 07:08:09","jdoe","jdoe,LAPTOP-42","10.0.0.5","203.0.113.9","Allowed","28 (AAAA)","NOERROR","www.example.co.uk.","News,Application","AD Users","AD Users, Roaming Computers",""`,
		Dataset: "log.umbrella.dns",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.type": []any{"allowed", "connection"},
			"event.action": "dns-request-Allowed", "dns.question.name": "www.example.co.uk",
			"dns.question.registered_domain": "example.co.uk", "dns.question.type": "28 (AAAA)",
			"dns.response_code": "NOERROR", "source.ip": "10.0.0.5", "source.nat.ip": "203.0.113.9", "user.name": "jdoe",
			"host.name": "laptop-42", "cisco.umbrella.identity": "jdoe", "cisco.umbrella.identities": []any{"jdoe", "LAPTOP-42"},
			"cisco.umbrella.identity_types": []any{"AD Users", "Roaming Computers"},
			"cisco.umbrella.categories":     []any{"News", "Application"}, "cisco.umbrella.policy_identity_type": "AD Users",
			"_absent": []any{"cisco.umbrella.blocked_categories", "network.name"},
		},
	},
	{
		Name: "blocked, user with e-mail, network",
		Line: `"2024-05-06 07:08:10","Jane Roe (jroe@example.com)","Jane Roe (jroe@example.com),Branch-Net","10.0.0.6","203.0.113.9","Blocked","1 (A)","NXDOMAIN","bad.example.","Malware","AD Users","AD Users,Networks","Malware"`,
		Want: map[string]any{
			"event.type": []any{"denied", "connection"}, "event.action": "dns-request-Blocked",
			"user.full_name": "Jane Roe", "user.email": "jroe@example.com", "user.id": "jroe@example.com",
			"user.name": "jroe", "user.domain": "example.com", "network.name": []any{"Branch-Net"},
			"cisco.umbrella.blocked_categories": []any{"Malware"},
		},
	},
	{
		Name: "older version without the last columns",
		Line: `"2024-05-06 07:08:11","Site-A","Site-A","10.0.0.7","203.0.113.9","Allowed","16 (TXT)","NOERROR","example.org.",""`,
		Want: map[string]any{"dns.question.type": "16 (TXT)", "_absent": []any{"cisco.umbrella.categories", "network.name"}},
	},
	{Name: "cut", Line: `"2024-05-06 07:08:11","Site-A","Site-A","10.0.0.7","203.0.113.9","Allowed","16 (TXT)","NOERROR","example.org.","News,Sof`, Err: true},
	{Name: "bad time", Line: `"2024-13-06 07:08:11","a","a","10.0.0.7","203.0.113.9","Allowed","16 (TXT)","NOERROR","example.org.",""`, Err: true},
	{Name: "short", Line: `"2024-05-06 07:08:11","a","a","10.0.0.7","203.0.113.9","Allowed","16 (TXT)","NOERROR","x"`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`"2024-05-06 07:08:09","a","a","10.0.0.5","203.0.113.9","Allowed","1 (A)","NOERROR","x.","",""`:                               true,
		`"2024-05-06 07:08:09","a","10.0.0.5","203.0.113.9","198.51.100.1","text/html","ALLOWED","http://x/","","curl","200","","10"`: false,
		`"2024-05-06 07:08:09","a","a","10.0.0.5","203.0.113.9","Allowed","A","NOERROR","x.","",""`:                                   false,
		`2024-05-06 07:08:09,a,a,10.0.0.5,203.0.113.9,Allowed,1 (A),NOERROR,x.,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,`:                    false,
		`{"timestamp":"2024-05-06 07:08:09","identity":"a","action":"Allowed","query":"1 (A)","domain":"example.org."}`:               false,
	} {
		var m normalize.Message
		normalize.ParseHeader(line, &normalize.Env{}, &m)
		if got := (Parser{}).Detect(&m); got != want {
			t.Errorf("Detect(%q) = %v", line, got)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var m normalize.Message
	var e normalize.Event
	env := &normalize.Env{}
	normalize.ParseHeader(cases[0].Line, env, &m)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		_ = Parser{}.Parse(&m, env, &e)
	}
}
