package sshd

import (
	"errors"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses auth.log lines by their syslog tag. The zero value is
// ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrTruncated marks an sshd login line cut before its source address.
var ErrTruncated = errors.New("sshd: login line without its source address")

// Name returns "sshd".
func (Parser) Name() string { return "sshd" }

// Detect accepts lines whose syslog tag is one of the programs this
// parser reads.
func (Parser) Detect(m *normalize.Message) bool {
	switch m.AppName {
	case "sshd", "sshd-session", "sudo", "su", "useradd", "groupadd", "userdel", "groupdel":
		return m.Body != ""
	}
	return false
}

var (
	catAuth        = []string{"authentication"}
	catAuthSession = []string{"authentication", "session"}
	catSession     = []string{"session"}
	catProcess     = []string{"process"}
	catIAM         = []string{"iam"}
	typeInfo       = []string{"info"}
	typeStart      = []string{"start"}
	typeEnd        = []string{"end"}
	typeUserCreate = []string{"user", "creation"}
	typeGroupCreat = []string{"group", "creation"}
	typeUserDelete = []string{"user", "deletion"}
	typeGroupDel   = []string{"group", "deletion"}
)

// Parse fills e from an auth.log line. A line of a known program that
// matches none of the known messages is kept with its message; only a
// login line cut before its address fails.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	e.Dataset = "log.linux.auth"
	e.SetStr("event.kind", "event")
	e.SetStr("event.timezone", zone(m.Time, env))
	e.SetStr("host.hostname", m.Hostname)
	e.SetStr("process.name", m.AppName)
	e.SetIntStr("process.pid", m.ProcID)
	s := normalize.TrimSpace(m.Body)
	e.SetStr("message", s)
	if strings.HasPrefix(s, "pam_unix(") {
		pam(e, s)
		return nil
	}
	switch m.AppName {
	case "sshd", "sshd-session":
		return ssh(e, s)
	case "sudo":
		sudo(e, s)
	case "su":
		su(e, s)
	default:
		account(e, s)
	}
	return nil
}

// zone renders the offset of the line's timezone as "+hhmm", as
// event.timezone.
func zone(t time.Time, env *normalize.Env) string {
	if t.IsZero() {
		t = time.Now().In(env.Loc())
	}
	_, off := t.Zone()
	if off == 0 {
		return "+0000"
	}
	b := [5]byte{'+', '0', '0', '0', '0'}
	if off < 0 {
		b[0] = '-'
		off = -off
	}
	h, mi := off/3600, off%3600/60
	b[1], b[2], b[3], b[4] = byte('0'+h/10), byte('0'+h%10), byte('0'+mi/10), byte('0'+mi%10)
	return string(b[:])
}

// ssh reads sshd's messages.
func ssh(e *normalize.Event, s string) error {
	switch {
	case strings.HasPrefix(s, "Accepted ") || strings.HasPrefix(s, "Failed "):
		return login(e, s)
	case strings.HasPrefix(s, "Invalid user "):
		rest := s[len("Invalid user "):]
		user, from, ok := strings.Cut(rest, " from ")
		if !ok || fromPort(e, from) == "" {
			return ErrTruncated
		}
		e.SetStr("user.name", user)
		e.SetStr("system.auth.ssh.event", "Invalid")
		e.SetStr("event.action", "ssh_login")
		e.SetStr("event.outcome", "failure")
		e.SetStrs("event.category", catAuth...)
		e.SetStrs("event.type", typeInfo...)
	case strings.HasPrefix(s, "Did not receive identification string from "):
		ip := fromPort(e, s[len("Did not receive identification string from "):])
		e.SetStr("system.auth.ssh.dropped_ip", ip)
	case strings.HasPrefix(s, "Received disconnect from "):
		disconnect(e, "Received disconnect", s[len("Received disconnect from "):])
	case strings.HasPrefix(s, "Disconnected from "):
		disconnect(e, "Disconnected", s[len("Disconnected from "):])
	case strings.HasPrefix(s, "Connection closed by "):
		disconnect(e, "Connection closed", s[len("Connection closed by "):])
	case strings.HasPrefix(s, "Connection reset by "):
		disconnect(e, "Connection reset", s[len("Connection reset by "):])
	case strings.HasPrefix(s, "Disconnecting "):
		disconnect(e, "Disconnecting", s[len("Disconnecting "):])
	default:
		// "<what> user NAME from HOST", e.g. "error: PAM: User not known to
		// the underlying authentication module for illegal user NAME from HOST".
		i := strings.LastIndex(s, " user ")
		if i <= 0 {
			return nil
		}
		user, from, ok := strings.Cut(s[i+len(" user "):], " from ")
		if !ok || user == "" || strings.IndexByte(user, ' ') >= 0 {
			return nil
		}
		e.SetStr("system.auth.ssh.event", s[:i])
		e.SetStr("user.name", user)
		host, _, _ := strings.Cut(from, " ")
		e.SetStr("source.address", host)
		if !e.SetIP("source.ip", host) {
			e.SetStr("source.domain", host)
		}
	}
	return nil
}

// login reads "Accepted|Failed METHOD for [invalid user ]USER from IP
// port PORT PROTO[: SIGNATURE]".
func login(e *normalize.Event, s string) error {
	event, s, _ := strings.Cut(s, " ")
	method, s, _ := strings.Cut(s, " ")
	s, ok := strings.CutPrefix(s, "for ")
	if !ok {
		return nil // "Failed to ...": another message
	}
	i := strings.LastIndex(s, " from ")
	if i < 0 {
		return ErrTruncated
	}
	rest := s[i+len(" from "):]
	if fromPort(e, rest) == "" {
		return ErrTruncated
	}
	e.SetStr("user.name", strings.TrimPrefix(s[:i], "invalid user "))
	if _, sig, ok := strings.Cut(rest, ": "); ok {
		e.SetStr("system.auth.ssh.signature", sig)
	}
	e.SetStr("system.auth.ssh.event", event)
	e.SetStr("system.auth.ssh.method", method)
	e.SetStr("event.action", "ssh_login")
	e.SetStrs("event.type", typeInfo...)
	if event == "Accepted" {
		e.SetStr("event.outcome", "success")
		e.SetStrs("event.category", catAuthSession...)
	} else {
		e.SetStr("event.outcome", "failure")
		e.SetStrs("event.category", catAuth...)
	}
	return nil
}

// disconnect reads "[invalid |authenticating ]user USER IP port PORT..."
// or "IP port PORT...".
func disconnect(e *normalize.Event, event, s string) {
	for _, p := range [...]string{"invalid user ", "authenticating user ", "user "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			user, after, _ := strings.Cut(rest, " ")
			e.SetStr("user.name", user)
			s = after
			break
		}
	}
	fromPort(e, s)
	e.SetStr("system.auth.ssh.event", event)
	e.SetStr("event.action", "ssh_disconnect")
	e.SetStrs("event.category", catSession...)
	e.SetStrs("event.type", typeEnd...)
}

// fromPort reads "HOST[ port PORT]..." into source.ip (or, for a name
// that sshd resolved, source.address and source.domain) and source.port,
// and returns the host; "" when there is none or it is a cut address.
func fromPort(e *normalize.Event, s string) string {
	ip, rest, _ := strings.Cut(s, " ")
	ip = strings.TrimSuffix(ip, ":")
	if !e.SetIP("source.ip", ip) {
		if !hasLetter(ip) {
			return ""
		}
		e.SetStr("source.address", ip)
		e.SetStr("source.domain", ip)
	}
	if p, ok := strings.CutPrefix(rest, "port "); ok {
		p, _, _ = strings.Cut(p, " ")
		p, _, _ = strings.Cut(p, ":")
		e.SetIntStr("source.port", p)
	}
	return ip
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// pam reads pam_unix's session and authentication-failure lines.
func pam(e *normalize.Event, s string) {
	_, msg, ok := strings.Cut(s, "): ")
	if !ok {
		return
	}
	switch {
	case strings.HasPrefix(msg, "session opened for user "):
		target, by, _ := strings.Cut(msg[len("session opened for user "):], " by ")
		target, by = trimUID(target), trimUID(by)
		if by != "" { // sudo, su: BY became TARGET
			e.SetStr("user.name", by)
			e.SetStr("user.effective.name", target)
		} else {
			e.SetStr("user.name", target)
		}
		e.SetStr("event.action", "session_opened")
		e.SetStrs("event.category", catSession...)
		e.SetStrs("event.type", typeStart...)
	case strings.HasPrefix(msg, "session closed for user "):
		e.SetStr("user.name", trimUID(msg[len("session closed for user "):]))
		e.SetStr("event.action", "session_closed")
		e.SetStrs("event.category", catSession...)
		e.SetStrs("event.type", typeEnd...)
	case strings.HasPrefix(msg, "authentication failure;"):
		kv := normalize.NewKV(msg[len("authentication failure;"):])
		for {
			k, v, ok := kv.Next()
			if !ok {
				break
			}
			switch k {
			case "user":
				e.SetStr("user.name", v)
			case "rhost":
				if !e.SetIP("source.ip", v) {
					e.SetStr("source.domain", v)
				}
			case "tty":
				e.SetStr("system.auth.pam.tty", v)
			}
		}
		e.SetStr("event.action", "authentication_failure")
		e.SetStr("event.outcome", "failure")
		e.SetStrs("event.category", catAuth...)
		e.SetStrs("event.type", typeInfo...)
	}
}

// trimUID turns "root(uid=0)" into "root" (and "(uid=0)" into "").
func trimUID(s string) string {
	s = normalize.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	return s
}

// sudo reads "USER : [ERROR ; ]TTY=tty ; PWD=dir ; USER=user ; [...;
// ]COMMAND=command".
func sudo(e *normalize.Event, s string) {
	user, rest, ok := strings.Cut(s, " : ")
	if !ok || strings.IndexByte(user, ' ') >= 0 {
		return
	}
	e.SetStr("user.name", user)
	e.SetStrs("event.category", catProcess...)
	if i := strings.Index(rest, "COMMAND="); i >= 0 {
		e.SetStr("system.auth.sudo.command", rest[i+len("COMMAND="):])
		rest = rest[:i]
	}
	for item := range strings.SplitSeq(rest, " ; ") {
		item = normalize.TrimSpace(strings.TrimSuffix(normalize.TrimSpace(item), ";"))
		k, v, ok := strings.Cut(item, "=")
		if !ok || !upper(k) {
			e.SetStr("system.auth.sudo.error", item)
			continue
		}
		switch k {
		case "TTY":
			e.SetStr("system.auth.sudo.tty", v)
		case "PWD":
			e.SetStr("system.auth.sudo.pwd", v)
		case "USER":
			e.SetStr("system.auth.sudo.user", v)
			e.SetStr("user.effective.name", v)
		}
	}
}

func upper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// su reads "(to TARGET) USER on TTY" and "FAILED SU (to TARGET) USER on
// TTY".
func su(e *normalize.Event, s string) {
	failed := false
	if rest, ok := strings.CutPrefix(s, "FAILED SU "); ok {
		s, failed = rest, true
	}
	rest, ok := strings.CutPrefix(s, "(to ")
	if !ok {
		return
	}
	target, rest, ok := strings.Cut(rest, ") ")
	if !ok {
		return
	}
	user, _, _ := strings.Cut(rest, " on ")
	e.SetStr("user.name", user)
	e.SetStr("user.effective.name", target)
	e.SetStr("event.action", "su")
	e.SetStrs("event.category", catAuth...)
	e.SetStrs("event.type", typeInfo...)
	if failed {
		e.SetStr("event.outcome", "failure")
	} else {
		e.SetStr("event.outcome", "success")
	}
}

// account reads the shadow-utils tools' lines: "new group: name=N,
// GID=G", "new user: name=N, UID=U, GID=G, home=H, shell=S", "delete user
// 'N'", "group 'N' removed".
func account(e *normalize.Event, s string) {
	switch {
	case strings.HasPrefix(s, "new group: "):
		fields(e, s[len("new group: "):], true)
		e.SetStrs("event.type", typeGroupCreat...)
	case strings.HasPrefix(s, "new user: "):
		fields(e, s[len("new user: "):], false)
		e.SetStrs("event.type", typeUserCreate...)
	case strings.HasPrefix(s, "delete user '"):
		name, _, _ := strings.Cut(s[len("delete user '"):], "'")
		e.SetStr("user.name", name)
		e.SetStrs("event.type", typeUserDelete...)
	case strings.HasPrefix(s, "group '") && strings.HasSuffix(s, "' removed"):
		e.SetStr("group.name", s[len("group '"):len(s)-len("' removed")])
		e.SetStrs("event.type", typeGroupDel...)
	default:
		return
	}
	e.SetStrs("event.category", catIAM...)
	e.SetStr("event.outcome", "success")
}

// fields reads "name=N, UID=U, GID=G, home=H, shell=S, from=F".
func fields(e *normalize.Event, s string, group bool) {
	for item := range strings.SplitSeq(s, ", ") {
		k, v, _ := strings.Cut(item, "=")
		switch k {
		case "name":
			if group {
				e.SetStr("group.name", v)
			} else {
				e.SetStr("user.name", v)
			}
		case "UID":
			e.SetStr("user.id", v)
		case "GID":
			e.SetStr("group.id", v)
		case "home":
			e.SetStr("system.auth.useradd.home", v)
		case "shell":
			e.SetStr("system.auth.useradd.shell", v)
		}
	}
}
