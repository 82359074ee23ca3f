package ftp

import "slices"

// replyCodes lists the final replies each command may get (RFC 959 §5.4,
// RFC 2428, RFC 2228/4217, RFC 3659); 4xx/5xx replies common to every
// command are checked in expects.
var replyCodes = map[string][]int{
	"USER": {230, 331, 332}, "PASS": {230, 202, 332}, "ACCT": {230, 202},
	"CWD": {250}, "CDUP": {200, 250}, "SMNT": {202, 250}, "REIN": {120, 220},
	"QUIT": {221}, "PORT": {200}, "EPRT": {200}, "PASV": {227}, "EPSV": {229},
	"TYPE": {200}, "STRU": {200}, "MODE": {200},
	"RETR": {226, 250}, "STOR": {226, 250}, "STOU": {226, 250}, "APPE": {226, 250},
	"LIST": {226, 250}, "NLST": {226, 250}, "MLSD": {226, 250},
	"ALLO": {200, 202}, "REST": {350}, "RNFR": {350}, "RNTO": {250},
	"ABOR": {225, 226}, "DELE": {250}, "RMD": {250}, "MKD": {257}, "PWD": {257},
	"SITE": {200, 202}, "SYST": {215}, "STAT": {211, 212, 213}, "HELP": {211, 214},
	"NOOP": {200}, "FEAT": {211}, "OPTS": {200}, "SIZE": {213}, "MDTM": {213},
	"MLST": {250}, "AUTH": {234, 334}, "PBSZ": {200}, "PROT": {200}, "CCC": {200},
}

// expects reports whether code is a plausible final reply to cmd.
func expects(cmd string, code int) bool {
	if codes, ok := replyCodes[cmd]; ok {
		if slices.Contains(codes, code) {
			return true
		}
		// Errors: RFC 959 allows 421, 450-553 almost everywhere.
		return code >= 400
	}
	return true // unknown command: any reply
}
