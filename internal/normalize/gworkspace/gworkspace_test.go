package gworkspace

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up Reports API activities (example.com users, documentation
// addresses).
var cases = []normalizetest.Case{
	{
		Name: "login failure with challenge methods",
		Line: `{"kind":"admin#reports#activity","id":{"time":"2024-05-06T07:08:09.250Z","uniqueQualifier":"-4242","applicationName":"login","customerId":"C0abc123"},` +
			`"etag":"\"x\"","actor":{"callerType":"USER","email":"dana@example.com","profileId":"1234567890"},"ownerDomain":"example.com","ipAddress":"2001:db8::7",` +
			`"events":[{"type":"login","name":"login_failure","parameters":[{"name":"login_type","value":"google_password"},` +
			`{"name":"login_challenge_method","multiValue":["password","idv_preregistered_phone"]},{"name":"login_failure_type","value":"login_failure_invalid_password"},` +
			`{"name":"is_suspicious","boolValue":true},{"name":"login_timestamp","intValue":"1714979289250000"}]}]}`,
		Dataset: "log.googleworkspace.login",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.25Z", "event.category": []any{"authentication"}, "event.type": []any{"start"},
			"event.action": "login_failure", "event.outcome": "failure", "event.id": "-4242", "event.provider": "login",
			"organization.id": "C0abc123", "source.ip": "2001:db8::7", "user.name": "dana", "user.domain": "example.com",
			"source.user.email": "dana@example.com", "user.id": "1234567890", "google_workspace.actor.type": "USER",
			"google_workspace.login.type": "google_password", "google_workspace.login.failure_type": "login_failure_invalid_password",
			"google_workspace.login.challenge_method": []any{"password", "idv_preregistered_phone"},
			"google_workspace.login.is_suspicious":    true, "google_workspace.login.timestamp": 1714979289250000,
			"event.start": "2024-05-06T07:08:09.25Z", "google_workspace.event.type": "login",
		},
	},
	{
		Name: "account disabled, event object, id after events",
		Line: `{"kind":"admin#reports#activity","events":{"type":"account_warning","name":"account_disabled_hijacked","parameters":[{"name":"affected_email_address","value":"erin@example.org"}]},` +
			`"actor":{"callerType":"USER","email":"system@example.org","profileId":1},"id":{"time":"2024-05-06T08:00:00Z","uniqueQualifier":7,"applicationName":"login","customerId":"C1"}}`,
		Want: map[string]any{
			"event.type": []any{"user", "change"}, "user.target.name": "erin", "user.target.domain": "example.org",
			"google_workspace.login.affected_email_address": "erin@example.org", "event.id": "7",
		},
	},
	{
		Name:    "admin setting change",
		Line:    `{"kind":"admin#reports#activity","id":{"time":"2024-05-06T09:00:00Z","uniqueQualifier":"1","applicationName":"admin","customerId":"C1"},"actor":{"email":"root@example.com"},"events":[{"type":"USER_SETTINGS","name":"CHANGE_PASSWORD","parameters":[{"name":"USER_EMAIL","value":"frank@example.com"}]}]}`,
		Dataset: "log.googleworkspace.admin",
		Want:    map[string]any{"event.category": []any{"iam"}, "google_workspace.admin.USER_EMAIL": "frank@example.com", "user.target.name": "frank"},
	},
	{Name: "two events", Line: `{"kind":"admin#reports#activity","id":{"applicationName":"login"},"events":[{"name":"a"},{"name":"b"}]}`, Err: true},
	{Name: "no events", Line: `{"kind":"admin#reports#activity","id":{"applicationName":"login"}}`, Err: true},
	{Name: "truncated", Line: `{"kind":"admin#reports#activity","id":{"applicationName":"login"},"events":{"name":"a","parameters":[{"name":"x"`, Err: true},
	{Name: "parameters not a list", Line: `{"kind":"admin#reports#activity","id":{"applicationName":"login"},"events":{"name":"a","parameters":{"name":"x"}}}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"id":{"time":"2024-05-06T09:00:00Z","uniqueQualifier":"1","applicationName":"drive"},"events":[]}`: true,
		`{"eventType":"user.session.start","published":"2024-05-06T07:08:09Z"}`:                              false,
		`kind=admin#reports#activity`: false,
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
