package auditd

import (
	"errors"
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Linux audit records. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors for records that are not whole.
var (
	// ErrHeader marks a line without the "type=T msg=audit(EPOCH:SERIAL):"
	// header every record has.
	ErrHeader = errors.New("auditd: no type=... msg=audit(...) header")
	// ErrTruncated marks a record whose quoted value never ends: the line
	// was cut.
	ErrTruncated = errors.New("auditd: unterminated quoted value")
)

// Name returns "auditd".
func (Parser) Name() string { return "auditd" }

// Detect accepts a body that starts with "type=" (after an optional
// "node=NAME " or "audit: ") and has "audit(" right after the type.
func (Parser) Detect(m *normalize.Message) bool {
	s := m.Body
	if len(s) < 20 {
		return false
	}
	switch s[0] {
	case 'n':
		if !strings.HasPrefix(s, "node=") {
			return false
		}
		_, s, _ = strings.Cut(s, " ")
	case 'a':
		s = strings.TrimPrefix(s, "audit: ")
	}
	if !strings.HasPrefix(s, "type=") {
		return false
	}
	sp := strings.IndexByte(s, ' ')
	return sp > 5 && sp < 40 && (strings.HasPrefix(s[sp+1:], "msg=audit(") || strings.HasPrefix(s[sp+1:], "audit("))
}

// Parse fills e from an audit record.
func (Parser) Parse(m *normalize.Message, _ *normalize.Env, e *normalize.Event) error {
	s := m.Body
	if rest, ok := strings.CutPrefix(s, "node="); ok {
		node, after, _ := strings.Cut(rest, " ")
		e.SetStr("host.name", node)
		s = after
	}
	s = strings.TrimPrefix(s, "audit: ")
	s, ok := strings.CutPrefix(s, "type=")
	if !ok {
		return ErrHeader
	}
	typ, s, _ := strings.Cut(s, " ")
	if name, ok := numericTypes[typ]; ok {
		typ = name
	}
	if !strings.HasPrefix(s, "msg=audit(") && !strings.HasPrefix(s, "audit(") {
		return ErrHeader
	}
	_, s, _ = strings.Cut(s, "(")
	stamp, s, ok := strings.Cut(s, ")")
	if !ok || typ == "" {
		return ErrHeader
	}
	epoch, serial, ok := strings.Cut(stamp, ":")
	t, tok := normalize.Epoch(epoch)
	if !ok || !tok || t.Year() > 9999 {
		return ErrHeader
	}
	s = strings.TrimPrefix(s, ":")

	e.Dataset = "log.linux.audit"
	e.Time = t
	e.SetStr("event.kind", "event")
	e.SetStr("auditd.log.record_type", typ)
	e.SetIntStr("auditd.log.sequence", serial)
	r := record{typ: typ}
	if !r.fields(e, s, 0) {
		return ErrTruncated
	}
	r.finish(e)
	return nil
}

// record collects what decides fields once the record is read.
type record struct {
	typ, op, arch, syscall string
}

// fields reads the key=value pairs of s; a nested msg='...' (user-space
// records) is read the same way, once. It reports false when a quoted
// value does not end.
func (r *record) fields(e *normalize.Event, s string, depth int) bool {
	for i := 0; i < len(s); {
		k, v, q, next := scan(s, i)
		if next > len(s) {
			return false
		}
		i = next
		if k == "" {
			continue
		}
		if k == "msg" && q == '\'' && depth == 0 {
			if !r.fields(e, v, 1) {
				return false
			}
			continue
		}
		if q == 0 && (v == "?" || v == "(none)" || v == "(null)" || v == "") {
			continue
		}
		r.field(e, k, v, q != 0)
	}
	return true
}

// scan reads the pair starting at or after i: key=value, key="value" or
// key='value' (q is the quote). A word without '=' gives an empty key.
// It returns the index after the pair, beyond len(s) when a quoted value
// does not end.
func scan(s string, i int) (k, v string, q byte, next int) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	for i < len(s) && s[i] != '=' && s[i] != ' ' {
		i++
	}
	if i >= len(s) || s[i] == ' ' || i == start {
		return "", "", 0, i + 1
	}
	k = s[start:i]
	i++
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q = s[i]
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			return k, s[i+1:], q, len(s) + 1
		}
		return k, s[i+1 : i+1+end], q, i + end + 2
	}
	end := strings.IndexByte(s[i:], ' ')
	if end < 0 {
		return k, s[i:], 0, len(s)
	}
	return k, s[i : i+end], 0, i + end
}

// field maps one pair.
func (r *record) field(e *normalize.Event, k, v string, quoted bool) {
	switch k {
	case "pid":
		e.SetIntStr("process.pid", v)
	case "ppid":
		e.SetIntStr("process.parent.pid", v)
	case "uid":
		e.SetStr("user.id", v)
	case "auid":
		e.SetStr("user.audit.id", v)
	case "euid":
		e.SetStr("user.effective.id", v)
	case "suid":
		e.SetStr("user.saved.id", v)
	case "fsuid":
		e.SetStr("user.filesystem.id", v)
	case "gid":
		e.SetStr("user.group.id", v)
	case "egid":
		e.SetStr("user.effective.group.id", v)
	case "sgid":
		e.SetStr("user.saved.group.id", v)
	case "fsgid":
		e.SetStr("user.filesystem.group.id", v)
	case "comm":
		e.SetStr("process.name", text(v, quoted))
	case "exe":
		e.SetStr("process.executable", text(v, quoted))
	case "cwd":
		e.SetStr("process.working_directory", text(v, quoted))
	case "cmd":
		cmd := text(v, quoted)
		e.SetStr("process.command_line", cmd)
		if args := strings.Fields(cmd); len(args) > 0 {
			e.SetStrs("process.args", args...)
			e.SetInt("process.args_count", int64(len(args)))
		}
	case "proctitle":
		e.SetStr("auditd.log.proctitle", strings.TrimSpace(strings.ReplaceAll(text(v, quoted), "\x00", " ")))
	case "data":
		if quoted || r.typ != "TTY" && r.typ != "USER_TTY" {
			e.SetStr("auditd.log.data", v)
		} else {
			e.SetStr("auditd.log.data", caret(text(v, false)))
		}
	case "acct":
		e.SetStr("user.name", text(v, quoted))
	case "key":
		e.SetStr("auditd.log.key", strings.ReplaceAll(text(v, quoted), "\x01", ","))
	case "res", "result":
		switch v {
		case "success", "1", "yes":
			e.SetStr("event.outcome", "success")
		case "failed", "failure", "0", "no":
			e.SetStr("event.outcome", "failure")
		}
	case "success":
		e.SetBool("auditd.log.success", v == "yes")
		if v == "yes" {
			e.SetStr("event.outcome", "success")
		} else {
			e.SetStr("event.outcome", "failure")
		}
	case "exit":
		e.SetIntStr("process.exit_code", v)
	case "arch":
		r.arch = v
		e.SetStr("host.architecture", arches[v])
	case "syscall":
		r.syscall = v
		e.SetStr("auditd.log.syscall", v)
	case "src", "saddr":
		e.SetStr("source.address", v)
		e.SetIP("source.ip", v)
	case "dst", "daddr":
		e.SetStr("destination.address", v)
		e.SetIP("destination.ip", v)
	case "addr":
		if e.SetIP("source.ip", v) {
			e.SetStr("source.address", v)
		}
	case "hostname":
		if _, ok := normalize.ParseIP(v); !ok {
			e.SetStr("source.domain", v)
		}
	case "lport", "rport":
		if k == "lport" {
			e.SetIntStr("auditd.log.lport", v)
		} else {
			e.SetIntStr("auditd.log.rport", v)
		}
	case "op":
		r.op = v
		e.SetStr("auditd.log.op", v)
	default:
		if name, ok := vendorFields[k]; ok {
			e.SetStr(name, v)
		}
	}
}

// vendorFields are the keys kept under auditd.log.* as text. Keys are
// listed rather than built from the line so that a record cannot invent
// field names.
var vendorFields = map[string]string{
	"ses": "auditd.log.ses", "tty": "auditd.log.tty", "terminal": "auditd.log.terminal", "subj": "auditd.log.subj",
	"items": "auditd.log.items", "a0": "auditd.log.a0", "a1": "auditd.log.a1", "a2": "auditd.log.a2", "a3": "auditd.log.a3",
	"laddr": "auditd.log.laddr", "direction": "auditd.log.direction", "cipher": "auditd.log.cipher",
	"ksize": "auditd.log.ksize", "mac": "auditd.log.mac", "pfs": "auditd.log.pfs", "spid": "auditd.log.spid",
	"sw": "auditd.log.sw", "sw_type": "auditd.log.sw_type", "key_enforce": "auditd.log.key_enforce",
	"gpg_res": "auditd.log.gpg_res", "root_dir": "auditd.log.root_dir", "src_prefixlen": "auditd.log.src_prefixlen",
	"dst_prefixlen": "auditd.log.dst_prefixlen", "spi": "auditd.log.spi", "protocol": "auditd.log.protocol",
	"sec_alg": "auditd.log.sec_alg", "sec_doi": "auditd.log.sec_doi", "sec_obj": "auditd.log.sec_obj",
	"unit": "auditd.log.unit", "apparmor": "auditd.log.apparmor", "operation": "auditd.log.operation",
	"profile": "auditd.log.profile", "name": "auditd.log.name", "nametype": "auditd.log.nametype",
	"inode": "auditd.log.inode", "mode": "auditd.log.mode", "scontext": "auditd.log.scontext",
	"tcontext": "auditd.log.tcontext", "tclass": "auditd.log.tclass", "permissive": "auditd.log.permissive",
	"audit_enabled": "auditd.log.audit_enabled", "old": "auditd.log.old", "new": "auditd.log.new",
	"id": "auditd.log.id", "family": "auditd.log.family", "table": "auditd.log.table", "entries": "auditd.log.entries",
}

// text returns a value that auditd hex-encodes when it holds spaces or
// control characters: quoted values are literal, unquoted ones are hex.
func text(v string, quoted bool) string {
	if quoted || len(v)%2 != 0 || len(v) < 2 {
		return v
	}
	for i := 0; i < len(v); i++ {
		if !isHex(v[i]) {
			return v
		}
	}
	b := make([]byte, len(v)/2)
	for i := range b {
		b[i] = unhex(v[2*i])<<4 | unhex(v[2*i+1])
	}
	return string(b)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// caret renders control characters as ^X (DEL as ^?), as the peer shows
// keystrokes of TTY records.
func caret(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0x7f:
			b.WriteString("^?")
		case c < 0x20:
			b.WriteByte('^')
			b.WriteByte(c + 0x40)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// finish sets the fields that depend on the record type.
func (r *record) finish(e *normalize.Event) {
	k, ok := kinds[r.typ]
	if !ok {
		e.SetStr("event.action", lower(r.typ))
		return
	}
	switch {
	case r.typ == "CRYPTO_SESSION" && r.op != "start":
		e.SetStrs("event.action", actionEndedCrypto...)
	case k.actions != nil:
		e.SetStrs("event.action", k.actions...)
	default:
		e.SetStr("event.action", k.action)
	}
	switch {
	case k.category != nil:
		e.SetStrs("event.category", k.category...)
		e.SetStrs("event.type", k.types...)
	case k.categoryStr != "": // the peer writes these as plain strings
		e.SetStr("event.category", k.categoryStr)
		e.SetStr("event.type", k.typeStr)
	}
	if r.typ == "SYSCALL" {
		if d := direction(r.arch, r.syscall); d != "" {
			e.SetStr("network.direction", d)
		}
	}
}

func lower(typ string) string {
	if l, ok := lowerTypes[typ]; ok {
		return l
	}
	return normalize.Lower(typ)
}

// direction tells the direction of socket syscalls by their number on
// x86_64 and on the generic table (aarch64).
func direction(arch, syscall string) string {
	switch arch {
	case "c000003e": // x86_64
		switch syscall {
		case "42", "44", "46", "307": // connect, sendto, sendmsg, sendmmsg
			return "egress"
		case "43", "45", "47", "288", "299": // accept, recvfrom, recvmsg, accept4, recvmmsg
			return "ingress"
		}
	case "c00000b7": // aarch64
		switch syscall {
		case "203", "206", "211", "269":
			return "egress"
		case "202", "207", "212", "242", "243":
			return "ingress"
		}
	}
	return ""
}
