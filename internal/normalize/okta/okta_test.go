package okta

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up Okta LogEvents (documentation addresses, invented ids).
var cases = []normalizetest.Case{
	{
		Name: "sign-in denied by policy",
		Line: `{"actor":{"id":"00uEXAMPLE1","type":"User","alternateId":"bob@example.com","displayName":"Bob Example","detailEntry":null},` +
			`"client":{"userAgent":{"rawUserAgent":"Mozilla/5.0 (Windows NT 10.0)","os":"Windows 10","browser":"CHROME"},"zone":"null","device":"Computer","id":null,` +
			`"ipAddress":"198.51.100.77","geographicalContext":{"city":"Springfield","state":"Illinois","country":"United States","postalCode":"62701","geolocation":{"lat":39.8,"lon":-89.6}}},` +
			`"authenticationContext":{"authenticationStep":0,"externalSessionId":"unknown"},"displayMessage":"User login to Okta","eventType":"user.session.start",` +
			`"outcome":{"result":"FAILURE","reason":"VERIFICATION_ERROR"},"published":"2024-05-06T07:08:09.123Z","securityContext":{"asNumber":64500,"asOrg":"example isp","isp":"example isp","domain":"example.net","isProxy":false},` +
			`"severity":"WARN","debugContext":{"debugData":{"requestUri":"/api/v1/authn","threatSuspected":"false","risk":"{level=HIGH, reasons=New Device}"}},` +
			`"legacyEventType":"core.user_auth.login_failed","transaction":{"type":"WEB","id":"TX1","detail":{}},"uuid":"11111111-2222-3333-4444-555555555555","version":"0","request":{"ipChain":[]},"target":null}`,
		Dataset: "log.okta.system",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.123Z", "event.kind": "event", "event.category": []any{"authentication", "session"},
			"event.type": []any{"start", "info"}, "event.action": "user.session.start", "event.outcome": "failure",
			"event.reason": "VERIFICATION_ERROR", "event.id": "11111111-2222-3333-4444-555555555555",
			"client.ip": "198.51.100.77", "source.ip": "198.51.100.77", "user.name": "bob", "user.domain": "example.com",
			"user.full_name": "Bob Example", "source.user.id": "00uEXAMPLE1", "user_agent.original": "Mozilla/5.0 (Windows NT 10.0)",
			"okta.outcome.result": "FAILURE", "okta.actor.alternate_id": "bob@example.com", "log.level": "warn",
			"client.geo.city_name": "Springfield", "okta.security_context.as.number": 64500,
			"okta.debug_context.debug_data.risk_level": "HIGH", "okta.debug_context.debug_data.threat_suspected": false,
			"_absent": []any{"okta.client.zone"},
		},
	},
	{
		Name: "admin adds a user to a group",
		Line: `{"actor":{"id":"00uADMIN","type":"User","alternateId":"admin@example.com","displayName":"Admin"},"eventType":"group.user_membership.add",` +
			`"outcome":{"result":"SUCCESS"},"published":"2024-05-06T07:09:00Z","uuid":"u2","severity":"INFO",` +
			`"target":[{"id":"00uCAROL","type":"User","alternateId":"carol@example.com","displayName":"Carol"},{"id":"00gOPS","type":"UserGroup","alternateId":"unknown","displayName":"Operators"}]}`,
		Want: map[string]any{
			"event.category": []any{"iam"}, "event.type": []any{"group", "change"}, "event.outcome": "success",
			"user.target.name": "carol", "user.target.domain": "example.com", "user.target.id": "00uCAROL",
			"user.target.group.name": "Operators", "log.level": "info",
		},
	},
	{Name: "truncated", Line: `{"eventType":"user.session.start","published":"2024-05-06T07:09:00Z","actor":{"id":"x"`, Err: true},
	{Name: "actor not an object", Line: `{"eventType":"user.session.start","published":"2024-05-06T07:09:00Z","actor":"x"}`, Err: true},
	{Name: "event type empty", Line: `{"eventType":"","published":"2024-05-06T07:09:00Z"}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventType":"AwsApiCall"}`:            false,
		`{"kind":"admin#reports#activity","id":{"time":"2024-05-06T07:08:09Z"},"events":{"type":"x"}}`: false,
		`eventType=user.session.start published=now`:                                                   false,
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
		if err := (Parser{}).Parse(&m, env, &e); err != nil {
			b.Fatal(err)
		}
	}
}
