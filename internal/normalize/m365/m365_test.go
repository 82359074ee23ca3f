package m365

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up audit records (example.com tenant, documentation addresses).
var cases = []normalizetest.Case{
	{
		Name: "exchange admin cmdlet",
		Line: `{"CreationTime": "2024-05-06T07:08:09", "Id": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", "Operation": "Add-MailboxPermission", "OrganizationId": "cccccccc-3333-4444-5555-dddddddddddd", ` +
			`"RecordType": 1, "ResultStatus": "True", "UserKey": "admin@example.com", "UserType": 2, "Version": 1, "Workload": "Exchange", "ObjectId": "ceo@example.com", ` +
			`"UserId": "admin@example.com", "ExternalAccess": false, "OrganizationName": "example.onmicrosoft.com", "OriginatingServer": "AM0PR01MB0001 (192.0.2.25)", ` +
			`"Parameters": [{"Name": "Identity", "Value": "ceo@example.com"}, {"Name": "User", "Value": "helpdesk@example.com"}, {"Name": "AccessRights", "Value": "FullAccess"}, {"Name": "DomainController", "Value": ""}]}`,
		Dataset: "log.m365.audit",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.kind": "event", "event.category": []any{"web"}, "event.type": []any{"info"},
			"event.action": "Add-MailboxPermission", "event.outcome": "success", "event.code": "ExchangeAdmin", "event.provider": "Exchange",
			"event.id": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", "user.id": "admin@example.com", "user.name": "admin", "user.domain": "example.com",
			"server.domain": "AM0PR01MB0001", "server.ip": "192.0.2.25", "destination.ip": "192.0.2.25",
			"organization.id": "cccccccc-3333-4444-5555-dddddddddddd", "organization.name": "example.onmicrosoft.com",
			"o365.audit.RecordType": "1", "o365.audit.UserType": "2", "o365.audit.ExternalAccess": false,
			"o365.audit.Parameters.AccessRights": "FullAccess", "o365.audit.Parameters.DomainController": "",
		},
	},
	{
		Name: "azure ad login failed",
		Line: `{"CreationTime":"2024-05-06T07:09:00","Id":"e1","Operation":"UserLoginFailed","OrganizationId":"o1","RecordType":15,"ResultStatus":"Failed","UserKey":"k",` +
			`"UserType":0,"Workload":"AzureActiveDirectory","ClientIP":"198.51.100.5:51000","UserId":"ivan@example.com","LogonError":"InvalidUserNameOrPassword",` +
			`"ExtendedProperties":[{"Name":"UserAgent","Value":"Mozilla/5.0"},{"Name":"RequestType","Value":"Login:login"}],"ModifiedProperties":[{"Name":"Role","NewValue":"a","OldValue":"b"}]}`,
		Want: map[string]any{
			"event.category": []any{"authentication"}, "event.type": []any{"start"}, "event.outcome": "failure",
			"event.reason": "InvalidUserNameOrPassword", "client.ip": "198.51.100.5", "client.port": 51000, "source.ip": "198.51.100.5",
			"event.code": "AzureActiveDirectoryStsLogon", "o365.audit.ExtendedProperties.RequestType": "Login:login",
			"o365.audit.ModifiedProperties.Role.NewValue": "a", "o365.audit.ModifiedProperties.Role.OldValue": "b",
		},
	},
	{Name: "truncated", Line: `{"CreationTime":"2024-05-06T07:09:00","RecordType":1,"Operation":"x","Parameters":[{"Name":"a"`, Err: true},
	{Name: "no operation", Line: `{"CreationTime":"2024-05-06T07:09:00","RecordType":1}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","CreationTime":"x"}`: false,
		`{"a":"CreationTime","b":"RecordType"}`:                                       false,
		`CreationTime=1 RecordType=2`:                                                 false,
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
