package auditd

// kind is what a record type sets: event.action as a list (user-space
// records, named as the peer names them) or as the lower-cased type
// (kernel records), and the categories.
type kind struct {
	action      string
	actions     []string
	category    []string
	types       []string
	categoryStr string
	typeStr     string
}

var (
	catProcess = []string{"process"}
	catAuth    = []string{"authentication"}
	catSession = []string{"session"}
	catIAM     = []string{"iam"}
	catPackage = []string{"package"}
	typeInfo   = []string{"info"}
	typeStart  = []string{"start"}
	typeEnd    = []string{"end"}

	actionEndedCrypto = []string{"ended-crypto-session"}
)

func user(action string, category, types []string) kind {
	return kind{actions: []string{action}, category: category, types: types}
}

var kinds = map[string]kind{
	"SYSCALL":         {action: "syscall", category: catProcess, types: typeInfo},
	"USER_CMD":        user("ran-command", catProcess, typeStart),
	"CRYPTO_SESSION":  user("started-crypto-session", catProcess, typeInfo),
	"TTY":             {actions: []string{"typed"}},
	"USER_TTY":        {actions: []string{"typed"}},
	"SOFTWARE_UPDATE": user("package-updated", catPackage, typeInfo),
	"SYSTEM_BOOT":     {actions: []string{"booted-system"}, categoryStr: "host", typeStr: "info"},
	"SYSTEM_SHUTDOWN": {actions: []string{"shutdown-system"}, categoryStr: "host", typeStr: "info"},
	"SYSTEM_RUNLEVEL": {actions: []string{"changed-to-runlevel"}, categoryStr: "host", typeStr: "info"},
	"USER_LOGIN":      user("logged-in", catAuth, typeStart),
	"USER_LOGOUT":     user("logged-out", catAuth, typeEnd),
	"USER_AUTH":       user("authenticated", catAuth, typeInfo),
	"USER_ACCT":       user("was-authorized", catAuth, typeInfo),
	"USER_START":      user("started-session", catSession, typeStart),
	"USER_END":        user("ended-session", catSession, typeEnd),
	"CRED_ACQ":        user("acquired-credentials", catAuth, typeInfo),
	"CRED_DISP":       user("disposed-credentials", catAuth, typeInfo),
	"CRED_REFR":       user("refreshed-credentials", catAuth, typeInfo),
	"USER_CHAUTHTOK":  user("changed-password", catIAM, []string{"user", "change"}),
	"ADD_USER":        user("added-user-account", catIAM, []string{"user", "creation"}),
	"DEL_USER":        user("deleted-user-account", catIAM, []string{"user", "deletion"}),
	"ADD_GROUP":       user("added-group-account", catIAM, []string{"group", "creation"}),
	"DEL_GROUP":       user("deleted-group-account", catIAM, []string{"group", "deletion"}),
	"SERVICE_START":   user("started-service", catProcess, typeStart),
	"SERVICE_STOP":    user("stopped-service", catProcess, typeEnd),
	"ANOM_ABEND":      user("crashed-program", catProcess, typeEnd),
}

// lowerTypes spares the allocation of lower-casing the common kernel
// record types.
var lowerTypes = map[string]string{
	"PROCTITLE": "proctitle", "EXECVE": "execve", "PATH": "path", "CWD": "cwd", "SOCKADDR": "sockaddr",
	"MAC_IPSEC_EVENT": "mac_ipsec_event", "CONFIG_CHANGE": "config_change", "AVC": "avc", "USER_AVC": "user_avc",
	"NETFILTER_CFG": "netfilter_cfg", "BPF": "bpf", "EOE": "eoe", "SECCOMP": "seccomp", "ANOM_PROMISCUOUS": "anom_promiscuous",
	"LOGIN": "login", "DAEMON_START": "daemon_start", "DAEMON_END": "daemon_end", "FEATURE_CHANGE": "feature_change",
}

// numericTypes names the record types the kernel prints as numbers
// ("audit: type=1300 audit(...)").
var numericTypes = map[string]string{
	"1100": "USER_AUTH", "1101": "USER_ACCT", "1103": "CRED_ACQ", "1104": "CRED_DISP", "1105": "USER_START",
	"1106": "USER_END", "1107": "USER_AVC", "1112": "USER_LOGIN", "1113": "USER_LOGOUT", "1123": "USER_CMD",
	"1124": "USER_TTY", "1130": "SERVICE_START", "1131": "SERVICE_STOP", "1300": "SYSCALL", "1302": "PATH",
	"1305": "CONFIG_CHANGE", "1306": "SOCKADDR", "1307": "CWD", "1309": "EXECVE", "1320": "EOE",
	"1325": "NETFILTER_CFG", "1327": "PROCTITLE", "1400": "AVC", "1701": "ANOM_ABEND",
}

// arches names the AUDIT_ARCH_* values of the arch field.
var arches = map[string]string{
	"c000003e": "x86_64", "40000003": "i386", "c00000b7": "aarch64", "40000028": "arm",
	"c0000015": "ppc64le", "80000015": "ppc64", "80000016": "s390x", "c00000f3": "riscv64",
}
