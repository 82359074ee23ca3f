package auditd

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up audit records.
var cases = []normalizetest.Case{
	{
		Name:    "syscall connect",
		Line:    `type=SYSCALL msg=audit(1714979289.123:5001): arch=c000003e syscall=42 success=no exit=-111 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=900 pid=901 auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=7 comm="curl" exe=2F6F70742F6D7920746F6F6C2F72756E key="egress"`,
		Dataset: "log.linux.audit",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.123Z", "event.kind": "event", "event.action": "syscall",
			"event.category": []any{"process"}, "event.type": []any{"info"}, "event.outcome": "failure",
			"auditd.log.record_type": "SYSCALL", "auditd.log.sequence": 5001, "auditd.log.syscall": "42",
			"auditd.log.success": false, "host.architecture": "x86_64", "network.direction": "egress",
			"process.exit_code": -111, "process.pid": 901, "process.parent.pid": 900, "process.name": "curl",
			"process.executable": "/opt/my tool/run", "user.id": "1000", "user.audit.id": "1000",
			"user.effective.id": "0", "user.group.id": "1000", "auditd.log.key": "egress", "auditd.log.tty": "pts0",
		},
	},
	{
		Name: "user command with nested message",
		Line: `type=USER_CMD msg=audit(1714979290.000:5002): pid=902 uid=1000 auid=1000 ses=7 msg='cwd="/home/alice" cmd=2F7573722F62696E2F6375726C202D732068747470733A2F2F6578616D706C652E6F7267 terminal=pts/0 res=success'`,
		Want: map[string]any{
			"event.action": []any{"ran-command"}, "event.category": []any{"process"}, "event.type": []any{"start"},
			"event.outcome": "success", "process.working_directory": "/home/alice",
			"process.args": []any{"/usr/bin/curl", "-s", "https://example.org"}, "process.args_count": 3,
			"process.command_line": "/usr/bin/curl -s https://example.org", "auditd.log.terminal": "pts/0",
		},
	},
	{
		Name: "login over syslog with node, failed",
		Line: `<85>May  6 07:08:11 host1 audispd: node=host1.example.net type=USER_LOGIN msg=audit(1714979291.500:5003): pid=903 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=203.0.113.5 terminal=ssh res=failed'`,
		Want: map[string]any{
			"host.name": "host1.example.net", "event.action": []any{"logged-in"}, "event.category": []any{"authentication"},
			"event.outcome": "failure", "user.name": "root", "source.ip": "203.0.113.5", "process.executable": "/usr/sbin/sshd",
			"auditd.log.op": "login", "_absent": []any{"source.domain"},
		},
	},
	{
		Name: "tty keystrokes",
		Line: `type=TTY msg=audit(1714979292.000:5004): tty pid=904 uid=1000 auid=1000 ses=7 major=136 minor=0 comm="bash" data=6C730D7F7669202F6574632F686F7374730D1B5B41`,
		Want: map[string]any{"event.action": []any{"typed"}, "auditd.log.data": "ls^M^?vi /etc/hosts^M^[[A", "process.name": "bash"},
	},
	{
		Name: "proctitle with NUL separators",
		Line: `type=PROCTITLE msg=audit(1714979293.000:5005): proctitle=707974686F6E33002D6D00687474702E736572766572`,
		Want: map[string]any{"event.action": "proctitle", "auditd.log.proctitle": "python3 -m http.server"},
	},
	{
		Name: "boot: category and type as strings",
		Line: `type=SYSTEM_BOOT msg=audit(1714979294.000:5006): pid=1 uid=0 auid=4294967295 ses=4294967295 msg=' comm="systemd-update-utmp" exe="/usr/lib/systemd/systemd-update-utmp" hostname=? addr=? terminal=? res=success'`,
		Want: map[string]any{"event.category": "host", "event.type": "info", "event.action": []any{"booted-system"}, "event.outcome": "success"},
	},
	{
		Name: "crypto session ended",
		Line: `type=CRYPTO_SESSION msg=audit(1714979295.000:5007): pid=905 uid=0 auid=0 ses=1 msg='op=destroy kind=server pfs=curve25519-sha256 direction=from-server spid=906 suid=74 rport=50000 laddr=10.0.0.2 lport=22 exe="/usr/sbin/sshd" hostname=? addr=198.51.100.9 terminal=? res=success'`,
		Want: map[string]any{
			"event.action": []any{"ended-crypto-session"}, "auditd.log.lport": 22, "auditd.log.rport": 50000,
			"auditd.log.laddr": "10.0.0.2", "user.saved.id": "74", "source.address": "198.51.100.9",
		},
	},
	{
		Name: "kernel form with a numeric type",
		Line: `<5>May  6 07:08:16 host1 kernel: audit: type=1400 audit(1714979296.100:5008): apparmor="DENIED" operation="open" profile="/usr/sbin/cupsd" name="/etc/shadow" pid=907 comm="cupsd"`,
		Want: map[string]any{
			"auditd.log.record_type": "AVC", "event.action": "avc", "auditd.log.apparmor": "DENIED",
			"auditd.log.name": "/etc/shadow", "process.name": "cupsd",
		},
	},
	{
		Name: "ipsec event",
		Line: `type=MAC_IPSEC_EVENT msg=audit(1714979297.000:5009): op=SAD-add auid=4294967295 ses=4294967295 src=192.0.2.1 dst=198.51.100.1 spi=1234(0x4d2) res=1`,
		Want: map[string]any{
			"event.action": "mac_ipsec_event", "event.outcome": "success", "source.ip": "192.0.2.1",
			"destination.address": "198.51.100.1", "destination.ip": "198.51.100.1", "auditd.log.op": "SAD-add",
		},
	},
	{Name: "cut inside a quoted value", Line: `type=USER_CMD msg=audit(1714979290.000:5002): pid=902 uid=1000 msg='cwd="/home/al`, Err: true},
	{Name: "no stamp", Line: `type=SYSCALL msg=audit(x:1): pid=1`, Err: true},
	{Name: "no closing parenthesis", Line: `type=SYSCALL msg=audit(1714979297.000:5009 pid=1`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2024}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`type=SYSCALL msg=audit(1714979289.123:5001): arch=c000003e`:                                  true,
		`node=h type=EXECVE msg=audit(1714979289.123:5001): argc=1 a0="ls"`:                           true,
		`<5>May  6 07:08:16 h kernel: audit: type=1400 audit(1714979296.100:5008): apparmor="DENIED"`: true,
		`type=traffic subtype=forward msg=audit(x)`:                                                   false,
		`date=2024-05-06 time=07:08:09 type="traffic" logid="0000000013" devid="FGT"`:                 false,
		`device="SFW" date=2017-01-31 time=14:16:19 log_id=010101600001 log_type="Firewall"`:          false,
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
