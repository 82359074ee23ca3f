package winsec

import (
	"strings"

	"github.com/flowsift/flowsift/internal/normalize"
)

// who says whose account the ECS user fields describe.
type who uint8

const (
	whoDefault who = iota // the target when the record names one, else the subject
	whoTarget             // the account logged on (logon events)
	whoSubject            // the account acting, the target being the object (IAM, process)
	whoGroup              // the subject acting on the target group, the member as user.target
)

// kind is what the ECS event fields say of one event id.
type kind struct {
	action     string
	categories []string
	types      []string
	who        who
	outcome    string // forced outcome ("" to take the record's)
	logon      bool   // a logon-session event: winlog.logon.* from the target
}

var (
	catAuth      = []string{"authentication"}
	catIAM       = []string{"iam"}
	catProcess   = []string{"process"}
	catConfig    = []string{"configuration"}
	catHost      = []string{"host"}
	typeStart    = []string{"start"}
	typeEnd      = []string{"end"}
	typeAdmin    = []string{"admin"}
	typeChange   = []string{"change"}
	typeCreation = []string{"creation"}
	typeUserNew  = []string{"user", "creation"}
	typeUserDel  = []string{"user", "deletion"}
	typeUserChg  = []string{"user", "change"}
	typeGroupNew = []string{"group", "creation"}
	typeGroupDel = []string{"group", "deletion"}
	typeGroupChg = []string{"group", "change"}
)

// kinds maps Security channel event ids to their ECS description (actions
// named as Winlogbeat's security module names them).
var kinds = map[string]kind{
	"1102": {action: "audit-log-cleared", categories: catHost, types: typeChange, who: whoSubject},
	"4624": {action: "logged-in", categories: catAuth, types: typeStart, who: whoTarget, logon: true},
	"4625": {action: "logon-failed", categories: catAuth, types: typeStart, who: whoTarget, outcome: "failure", logon: true},
	"4634": {action: "logged-out", categories: catAuth, types: typeEnd, who: whoTarget, logon: true},
	"4647": {action: "logged-out", categories: catAuth, types: typeEnd, who: whoTarget, logon: true},
	"4648": {action: "logged-in-explicit", categories: catAuth, types: typeStart, who: whoSubject},
	"4672": {action: "logged-in-special", categories: catIAM, types: typeAdmin, who: whoSubject},
	"4688": {action: "created-process", categories: catProcess, types: typeStart, who: whoSubject},
	"4689": {action: "exited-process", categories: catProcess, types: typeEnd, who: whoSubject},
	"4697": {action: "service-installed", categories: catConfig, types: typeCreation, who: whoSubject},
	"4698": {action: "scheduled-task-created", categories: catConfig, types: typeCreation, who: whoSubject},
	"4719": {action: "changed-audit-config", categories: catConfig, types: typeChange, who: whoSubject},
	"4720": {action: "added-user-account", categories: catIAM, types: typeUserNew, who: whoSubject},
	"4722": {action: "enabled-user-account", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4723": {action: "changed-password", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4724": {action: "reset-password", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4725": {action: "disabled-user-account", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4726": {action: "deleted-user-account", categories: catIAM, types: typeUserDel, who: whoSubject},
	"4727": {action: "added-group-account", categories: catIAM, types: typeGroupNew, who: whoGroup},
	"4728": {action: "added-member-to-group", categories: catIAM, types: typeGroupChg, who: whoGroup},
	"4729": {action: "removed-member-from-group", categories: catIAM, types: typeGroupChg, who: whoGroup},
	"4730": {action: "deleted-group-account", categories: catIAM, types: typeGroupDel, who: whoGroup},
	"4731": {action: "added-group-account", categories: catIAM, types: typeGroupNew, who: whoGroup},
	"4732": {action: "added-member-to-group", categories: catIAM, types: typeGroupChg, who: whoGroup},
	"4733": {action: "removed-member-from-group", categories: catIAM, types: typeGroupChg, who: whoGroup},
	"4734": {action: "deleted-group-account", categories: catIAM, types: typeGroupDel, who: whoGroup},
	"4738": {action: "modified-user-account", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4740": {action: "locked-out-user-account", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4754": {action: "added-group-account", categories: catIAM, types: typeGroupNew, who: whoGroup},
	"4756": {action: "added-member-to-group", categories: catIAM, types: typeGroupChg, who: whoGroup},
	"4757": {action: "removed-member-from-group", categories: catIAM, types: typeGroupChg, who: whoGroup},
	"4758": {action: "deleted-group-account", categories: catIAM, types: typeGroupDel, who: whoGroup},
	"4767": {action: "unlocked-user-account", categories: catIAM, types: typeUserChg, who: whoSubject},
	"4768": {action: "kerberos-authentication-ticket-requested", categories: catAuth, types: typeStart, who: whoTarget},
	"4769": {action: "kerberos-service-ticket-requested", categories: catAuth, types: typeStart, who: whoTarget},
	"4770": {action: "kerberos-service-ticket-renewed", categories: catAuth, types: typeStart, who: whoTarget},
	"4771": {action: "kerberos-preauth-failed", categories: catAuth, types: typeStart, who: whoTarget, outcome: "failure"},
	"4776": {action: "credential-validated", categories: catAuth, types: typeStart, who: whoTarget},
	"4778": {action: "session-reconnected", categories: catAuth, types: typeStart, who: whoTarget},
	"4779": {action: "session-disconnected", categories: catAuth, types: typeEnd, who: whoTarget},
}

// logonTypes names the LogonType numbers.
var logonTypes = map[string]string{
	"0": "System", "2": "Interactive", "3": "Network", "4": "Batch", "5": "Service", "7": "Unlock",
	"8": "NetworkCleartext", "9": "NewCredentials", "10": "RemoteInteractive", "11": "CachedInteractive",
	"12": "CachedRemoteInteractive", "13": "CachedUnlock",
}

func (r *record) finish(e *normalize.Event) {
	switch r.channel {
	case "Security":
		e.Dataset = "log.windows.security"
	case "System":
		e.Dataset = "log.windows.system"
	case "Application":
		e.Dataset = "log.windows.application"
	case "Microsoft-Windows-Sysmon/Operational":
		e.Dataset = "log.windows.sysmon_operational"
	case "Microsoft-Windows-PowerShell/Operational", "Windows PowerShell":
		e.Dataset = "log.windows.powershell"
	default:
		e.Dataset = "log.windows.other"
	}
	if !r.created.IsZero() {
		e.Time = r.created
	} else {
		e.Time = r.agentTime
	}
	e.SetStr("event.kind", "event")
	e.SetStr("event.code", r.eventID)
	e.SetStr("winlog.event_id", r.eventID)
	e.SetStr("event.provider", r.provider)
	e.SetStr("winlog.provider_name", r.provider)
	e.SetStr("winlog.channel", r.channel)
	e.SetStr("winlog.record_id", r.recordID)
	e.SetStr("winlog.computer_name", r.computer)
	if !e.Has("host.name") {
		e.SetStr("host.name", r.computer)
	}
	e.SetStr("log.level", r.level)
	d := &r.data
	k, known := kinds[r.eventID]
	if r.channel != "Security" && r.channel != "" {
		known = false // the ids are the Security channel's
	}
	outcome := r.outcome
	if known {
		e.SetStr("event.action", k.action)
		e.SetStrs("event.category", k.categories...)
		e.SetStrs("event.type", k.types...)
		if k.outcome != "" {
			outcome = k.outcome
		}
	}
	e.SetStr("event.outcome", outcome)

	// The users.
	actor, target := k.who, false
	if actor == whoDefault {
		actor = whoSubject
		if !normalize.Empty(d.targetUser) {
			actor = whoTarget
		}
	}
	switch actor {
	case whoTarget:
		setUser(e, "user", d.targetUser, d.targetDomain, d.targetSid)
	case whoSubject:
		setUser(e, "user", d.subjectUser, d.subjectDomain, d.subjectSid)
		target = true
	case whoGroup:
		setUser(e, "user", d.subjectUser, d.subjectDomain, d.subjectSid)
		e.SetStr("group.name", d.targetUser)
		e.SetStr("group.domain", d.targetDomain)
		e.SetStr("group.id", d.targetSid)
		e.SetStr("user.target.name", memberName(d.memberName))
		e.SetStr("user.target.id", d.memberSid)
	}
	if target && r.eventID != "4688" && r.eventID != "4689" {
		setUser(e, "user.target", d.targetUser, d.targetDomain, d.targetSid)
	}
	related(e, d.targetUser, d.subjectUser)

	// The logon session.
	if lt, ok := logonTypes[d.logonType]; ok {
		e.SetStr("winlog.logon.type", lt)
	}
	if k.logon && !normalize.Empty(d.targetLogon) {
		e.SetStr("winlog.logon.id", d.targetLogon)
	} else {
		e.SetStr("winlog.logon.id", d.subjectLogon)
	}
	if r.eventID == "4625" || r.eventID == "4771" || r.eventID == "4776" && d.status != "0x0" {
		e.SetStr("winlog.logon.failure.status", d.status)
		e.SetStr("winlog.logon.failure.sub_status", d.subStatus)
		e.SetStr("winlog.logon.failure.reason", d.reason)
	}

	// Where from.
	if e.SetIP("source.ip", d.ip) {
		e.SetIntStr("source.port", d.port)
		if ip, ok := normalize.ParseIP(d.ip); ok {
			e.SetStrs("related.ip", ip.String())
		}
	}
	e.SetStr("source.domain", d.workstation)

	// The process.
	switch {
	case r.eventID == "4688":
		setProcess(e, "process", d.newProcName, d.newProcID)
		e.SetStr("process.command_line", d.cmdline)
		setProcess(e, "process.parent", d.parentName, d.procID)
	default:
		setProcess(e, "process", d.procName, d.procID)
	}
}

func setUser(e *normalize.Event, prefix, name, domain, sid string) {
	switch prefix {
	case "user":
		e.SetStr("user.name", name)
		e.SetStr("user.domain", domain)
		e.SetStr("user.id", sid)
	case "user.target":
		e.SetStr("user.target.name", name)
		e.SetStr("user.target.domain", domain)
		e.SetStr("user.target.id", sid)
	}
}

// related lists the accounts of the event once each.
func related(e *normalize.Event, target, subject string) {
	switch {
	case normalize.Empty(target) && normalize.Empty(subject):
	case normalize.Empty(subject) || subject == target:
		e.SetStrs("related.user", target)
	case normalize.Empty(target):
		e.SetStrs("related.user", subject)
	default:
		e.SetStrs("related.user", target, subject)
	}
}

// setProcess sets <prefix>.executable, .name (the file name) and .pid
// (event data writes it in hex, "0x1fc").
func setProcess(e *normalize.Event, prefix, path, pid string) {
	exe, name, pidName := "process.executable", "process.name", "process.pid"
	if prefix == "process.parent" {
		exe, name, pidName = "process.parent.executable", "process.parent.name", "process.parent.pid"
	}
	if !normalize.Empty(path) {
		e.SetStr(exe, path)
		base := path
		if i := strings.LastIndexAny(base, `\/`); i >= 0 {
			base = base[i+1:]
		}
		e.SetStr(name, base)
	}
	if n, ok := normalize.AtoiHex(pid); ok && strings.HasPrefix(pid, "0x") {
		e.SetInt(pidName, n)
	} else {
		e.SetIntStr(pidName, pid)
	}
}

// memberName takes the account name out of a member's distinguished name
// ("CN=Alice,OU=Staff,DC=example,DC=com" gives "Alice").
func memberName(dn string) string {
	if len(dn) > 3 && strings.EqualFold(dn[:3], "CN=") {
		dn = dn[3:]
		for i := 0; i < len(dn); i++ {
			if dn[i] == '\\' {
				i++
				continue
			}
			if dn[i] == ',' {
				return dn[:i]
			}
		}
	}
	return dn
}
