package sshd

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up auth.log lines.
var cases = []normalizetest.Case{
	{
		Name:    "accepted publickey",
		Line:    `May  6 07:08:09 bastion sshd[2001]: Accepted publickey for alice from 198.51.100.4 port 50022 ssh2: ED25519 SHA256:AbCdEfGh0123456789`,
		Dataset: "log.linux.auth",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.kind": "event", "event.category": []any{"authentication", "session"},
			"event.type": []any{"info"}, "event.action": "ssh_login", "event.outcome": "success", "event.timezone": "+0000",
			"host.hostname": "bastion", "process.name": "sshd", "process.pid": 2001, "source.ip": "198.51.100.4",
			"source.port": 50022, "user.name": "alice", "system.auth.ssh.event": "Accepted",
			"system.auth.ssh.method": "publickey", "system.auth.ssh.signature": "ED25519 SHA256:AbCdEfGh0123456789",
		},
	},
	{
		Name: "failed password for invalid user, with PRI",
		Line: `<38>May  6 07:08:10 bastion sshd[2002]: Failed password for invalid user admin from 2001:db8::7 port 41000 ssh2`,
		Want: map[string]any{
			"event.category": []any{"authentication"}, "event.outcome": "failure", "user.name": "admin",
			"source.ip": "2001:db8::7", "source.port": 41000, "system.auth.ssh.method": "password",
			"_absent": []any{"system.auth.ssh.signature"},
		},
	},
	{
		Name: "invalid user",
		Line: `May  6 07:08:11 bastion sshd[2003]: Invalid user oracle from 203.0.113.8 port 51515`,
		Want: map[string]any{
			"system.auth.ssh.event": "Invalid", "event.outcome": "failure", "user.name": "oracle", "source.port": 51515,
		},
	},
	{
		Name: "no identification string",
		Line: `May  6 07:08:12 bastion sshd[2004]: Did not receive identification string from 203.0.113.9 port 60000`,
		Want: map[string]any{"source.ip": "203.0.113.9", "system.auth.ssh.dropped_ip": "203.0.113.9"},
	},
	{
		Name: "disconnect of an invalid user",
		Line: `May  6 07:08:13 bastion sshd[2005]: Disconnected from invalid user oracle 203.0.113.8 port 51515 [preauth]`,
		Want: map[string]any{
			"event.action": "ssh_disconnect", "event.type": []any{"end"}, "user.name": "oracle", "source.port": 51515,
			"system.auth.ssh.event": "Disconnected",
		},
	},
	{
		Name: "received disconnect",
		Line: `May  6 07:08:14 bastion sshd[2006]: Received disconnect from 198.51.100.4 port 50022:11: disconnected by user`,
		Want: map[string]any{"source.ip": "198.51.100.4", "source.port": 50022, "system.auth.ssh.event": "Received disconnect"},
	},
	{
		Name: "PAM user not known",
		Line: `May  6 07:08:15 bastion sshd[2007]: error: PAM: User not known to the underlying authentication module for illegal user guest from scanner.example.net`,
		Want: map[string]any{
			"system.auth.ssh.event": "error: PAM: User not known to the underlying authentication module for illegal",
			"user.name":             "guest", "source.address": "scanner.example.net", "source.domain": "scanner.example.net",
		},
	},
	{
		Name: "pam session opened by sudo",
		Line: `May  6 07:08:16 bastion sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)`,
		Want: map[string]any{
			"event.action": "session_opened", "event.type": []any{"start"}, "user.name": "alice", "user.effective.name": "root",
			"_absent": []any{"process.pid"},
		},
	},
	{
		Name: "pam authentication failure",
		Line: `May  6 07:08:17 bastion sshd[2008]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.10  user=root`,
		Want: map[string]any{"event.outcome": "failure", "user.name": "root", "source.ip": "203.0.113.10"},
	},
	{
		Name: "sudo command",
		Line: `May  6 07:08:18 bastion sudo:    alice : TTY=pts/3 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/systemctl restart web ; echo`,
		Want: map[string]any{
			"event.category": []any{"process"}, "user.name": "alice", "user.effective.name": "root",
			"system.auth.sudo.tty": "pts/3", "system.auth.sudo.pwd": "/srv", "system.auth.sudo.user": "root",
			"system.auth.sudo.command": "/usr/bin/systemctl restart web ; echo", "_absent": []any{"system.auth.sudo.error"},
		},
	},
	{
		Name: "sudo refused",
		Line: `May  6 07:08:19 bastion sudo: mallory : 3 incorrect password attempts ; TTY=pts/4 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh`,
		Want: map[string]any{"system.auth.sudo.error": "3 incorrect password attempts", "system.auth.sudo.command": "/bin/sh"},
	},
	{
		Name: "useradd",
		Line: `May  6 07:08:20 bastion useradd[2010]: new user: name=svc, UID=990, GID=985, home=/var/lib/svc, shell=/usr/sbin/nologin, from=none`,
		Want: map[string]any{
			"event.category": []any{"iam"}, "event.type": []any{"user", "creation"}, "event.outcome": "success",
			"user.name": "svc", "user.id": "990", "group.id": "985", "system.auth.useradd.home": "/var/lib/svc",
			"system.auth.useradd.shell": "/usr/sbin/nologin",
		},
	},
	{
		Name: "groupadd",
		Line: `May  6 07:08:21 bastion groupadd[2011]: new group: name=svc, GID=985`,
		Want: map[string]any{"event.type": []any{"group", "creation"}, "group.name": "svc", "group.id": "985"},
	},
	{
		Name: "userdel",
		Line: `May  6 07:08:22 bastion userdel[2012]: delete user 'svc'`,
		Want: map[string]any{"event.type": []any{"user", "deletion"}, "user.name": "svc"},
	},
	{
		Name: "su failed",
		Line: `May  6 07:08:23 bastion su[2013]: FAILED SU (to root) alice on pts/3`,
		Want: map[string]any{"event.outcome": "failure", "user.name": "alice", "user.effective.name": "root"},
	},
	{
		Name: "invalid user from a resolved name",
		Line: `May  6 07:08:25 bastion sshd[2015]: Invalid user test from scanner.example.net port 4000`,
		Want: map[string]any{"source.domain": "scanner.example.net", "source.port": 4000, "_absent": []any{"source.ip"}},
	},
	{Name: "login cut before the address", Line: `May  6 07:08:26 bastion sshd[2016]: Accepted password for alice from 198.51.`, Err: true},
	{Name: "invalid user cut", Line: `May  6 07:08:27 bastion sshd[2017]: Invalid user bob fr`, Err: true},
	{
		Name: "other sshd message kept",
		Line: `May  6 07:08:24 bastion sshd[2014]: Server listening on 0.0.0.0 port 22.`,
		Want: map[string]any{"message": "Server listening on 0.0.0.0 port 22.", "_absent": []any{"event.action", "source.ip"}},
	},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2024}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`May  6 07:08:09 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2`:                true,
		`<86>1 2024-05-06T07:08:09Z h sudo - - - a : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls`: true,
		`May  6 07:08:09 h CRON[1]: pam_unix(cron:session): session opened for user root by (uid=0)`:  false,
		`May  6 07:08:09 h kernel: [1.0] IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2`:                      false,
		`May  6 07:08:09 h sshd[1]:`: false,
	} {
		var m normalize.Message
		normalize.ParseHeader(line, &normalize.Env{}, &m)
		if got := (Parser{}).Detect(&m); got != want {
			t.Errorf("Detect(%q) = %v", line, got)
		}
	}
}

func TestZone(t *testing.T) {
	env := &normalize.Env{Year: 2024}
	for tz, want := range map[string]string{"+05:30": "+0530", "-04:00": "-0400", "UTC": "+0000"} {
		loc, err := normalize.ParseLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		env.Location = loc
		var m normalize.Message
		normalize.ParseHeader(`May  6 07:08:09 h sshd[1]: x`, env, &m)
		if got := zone(m.Time, env); got != want {
			t.Errorf("zone in %s = %q, want %q", tz, got, want)
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
