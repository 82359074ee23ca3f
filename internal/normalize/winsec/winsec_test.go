package winsec

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up Windows events (documentation addresses, invented hosts and
// SIDs) in Winlogbeat's and NXLog's JSON shapes.
var cases = []normalizetest.Case{
	{
		Name: "winlogbeat 4625 network logon failure",
		Line: `{"@timestamp":"2024-05-06T07:08:10.000Z","event":{"code":"4625","kind":"event","provider":"Microsoft-Windows-Security-Auditing","outcome":"failure"},` +
			`"host":{"name":"ws01.example.local"},"message":"An account failed to log on.","winlog":{"channel":"Security","computer_name":"ws01.example.local",` +
			`"event_id":"4625","record_id":88001,"provider_name":"Microsoft-Windows-Security-Auditing","level":"information","keywords":["Audit Failure"],` +
			`"time_created":"2024-05-06T07:08:09.123456Z","event_data":{"SubjectUserSid":"S-1-0-0","SubjectUserName":"-","SubjectDomainName":"-","SubjectLogonId":"0x0",` +
			`"TargetUserSid":"S-1-0-0","TargetUserName":"mallory","TargetDomainName":"EXAMPLE","Status":"0xc000006d","FailureReason":"%%2313","SubStatus":"0xc000006a",` +
			`"LogonType":"3","LogonProcessName":"NtLmSsp ","AuthenticationPackageName":"NTLM","WorkstationName":"ATTACKER-PC","IpAddress":"198.51.100.66","IpPort":"49152",` +
			`"ProcessId":"0x0","ProcessName":"-"}}}`,
		Dataset: "log.windows.security",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.123Z", "event.kind": "event", "event.code": "4625", "winlog.event_id": "4625",
			"event.action": "logon-failed", "event.category": []any{"authentication"}, "event.type": []any{"start"},
			"event.outcome": "failure", "event.provider": "Microsoft-Windows-Security-Auditing", "host.name": "ws01.example.local",
			"log.level": "information", "winlog.channel": "Security", "winlog.record_id": "88001", "user.name": "mallory",
			"user.domain": "EXAMPLE", "user.id": "S-1-0-0", "source.ip": "198.51.100.66", "source.port": 49152,
			"source.domain": "ATTACKER-PC", "winlog.logon.type": "Network", "winlog.logon.failure.status": "0xc000006d",
			"winlog.logon.failure.sub_status": "0xc000006a", "related.user": []any{"mallory"}, "related.ip": []any{"198.51.100.66"},
			"winlog.event_data.AuthenticationPackageName": "NTLM", "message": "An account failed to log on.", "process.pid": 0,
			"_absent": []any{"winlog.event_data.IpAddress", "winlog.event_data.WorkstationName", "process.name", "winlog.event_data.SubjectUserName"},
		},
	},
	{
		Name: "winlogbeat 4624 interactive logon",
		Line: `{"winlog":{"event_data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"WS01$","SubjectDomainName":"EXAMPLE","SubjectLogonId":"0x3e7","TargetUserSid":"S-1-5-21-1-2-3-1104",` +
			`"TargetUserName":"alice","TargetDomainName":"EXAMPLE","TargetLogonId":"0x5a1f2","LogonType":"10","IpAddress":"::ffff:192.0.2.10","IpPort":"0",` +
			`"ProcessId":"0x2a4","ProcessName":"C:\\Windows\\System32\\svchost.exe"},"channel":"Security","event_id":4624,"time_created":"2024-05-06T07:09:00Z","outcome":"success"}}`,
		Want: map[string]any{
			"event.action": "logged-in", "event.outcome": "success", "user.name": "alice", "winlog.logon.id": "0x5a1f2",
			"winlog.logon.type": "RemoteInteractive", "source.ip": "192.0.2.10", "source.port": 0, "process.pid": 676,
			"process.name": "svchost.exe", "process.executable": `C:\Windows\System32\svchost.exe`, "related.user": []any{"alice", "WS01$"},
		},
	},
	{
		Name: "nxlog 4728 member added to a group",
		Line: `<14>May  6 07:10:00 dc01 MSWinEventLog: {"EventTime":"2024-05-06 07:10:00","Hostname":"dc01.example.local","Keywords":-9214364837600034816,"EventType":"AUDIT_SUCCESS",` +
			`"SeverityValue":2,"Severity":"INFO","EventID":4728,"SourceName":"Microsoft-Windows-Security-Auditing","Task":13826,"RecordNumber":5501,"ProcessID":640,` +
			`"Channel":"Security","Message":"A member was added to a security-enabled global group.","MemberName":"CN=Bob Example,OU=Staff,DC=example,DC=local",` +
			`"MemberSid":"S-1-5-21-1-2-3-1105","TargetUserName":"Domain Admins","TargetDomainName":"EXAMPLE","TargetSid":"S-1-5-21-1-2-3-512",` +
			`"SubjectUserSid":"S-1-5-21-1-2-3-500","SubjectUserName":"admin","SubjectDomainName":"EXAMPLE","SubjectLogonId":"0x1a2b3","PrivilegeList":"-"}`,
		Dataset: "log.windows.security",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:10:00Z", "event.action": "added-member-to-group", "event.category": []any{"iam"},
			"event.type": []any{"group", "change"}, "event.outcome": "success", "host.name": "dc01.example.local", "winlog.record_id": "5501",
			"user.name": "admin", "group.name": "Domain Admins", "group.id": "S-1-5-21-1-2-3-512", "user.target.name": "Bob Example",
			"user.target.id": "S-1-5-21-1-2-3-1105", "winlog.event_data.MemberSid": "S-1-5-21-1-2-3-1105", "winlog.logon.id": "0x1a2b3",
			"_absent": []any{"winlog.event_data.Keywords", "winlog.event_data.PrivilegeList"},
		},
	},
	{
		Name: "nxlog 4688 process creation",
		Line: `{"EventTime":"2024-05-06T07:11:00Z","Hostname":"ws02","EventID":4688,"Channel":"Security","EventType":"AUDIT_SUCCESS","SubjectUserName":"carol","SubjectDomainName":"EXAMPLE",` +
			`"SubjectUserSid":"S-1-5-21-1-2-3-1106","NewProcessId":"0x1b8","NewProcessName":"C:\\Windows\\System32\\cmd.exe","ProcessId":"0x9c4",` +
			`"CommandLine":"cmd.exe /c whoami","ParentProcessName":"C:\\Windows\\explorer.exe","TargetUserName":"-"}`,
		Want: map[string]any{
			"event.action": "created-process", "event.category": []any{"process"}, "user.name": "carol", "process.pid": 440,
			"process.name": "cmd.exe", "process.command_line": "cmd.exe /c whoami", "process.parent.pid": 2500,
			"process.parent.name": "explorer.exe", "_absent": []any{"user.target.name"},
		},
	},
	{
		Name:    "system channel",
		Line:    `{"winlog":{"channel":"System","event_id":7036,"provider_name":"Service Control Manager","event_data":{"param1":"Example Service","param2":"running"}},"@timestamp":"2024-05-06T07:12:00Z"}`,
		Dataset: "log.windows.system",
		Want:    map[string]any{"@timestamp": "2024-05-06T07:12:00Z", "event.code": "7036", "winlog.event_data.param1": "Example Service", "_absent": []any{"event.action"}},
	},
	{Name: "truncated", Line: `{"winlog":{"event_id":4624,"event_data":{"TargetUserName":"a`, Err: true},
	{Name: "winlog not an object", Line: `{"winlog":["event_id"],"event_id":1}`, Err: true},
	{Name: "no event id", Line: `{"winlog":{"channel":"Security","event_id":null}}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"winlog":{"channel":"Security"}}`:                                             false,
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","EventID":"x"}`:        false,
		`{"timestamp":"2024-05-06T07:10:00Z","event_type":"alert","event_id":"winlog"}`: false,
		`EventID=4624 Channel=Security`:                                                 false,
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
