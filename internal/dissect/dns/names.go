package dns

import "strconv"

// typeNames holds Zeek's DNS::query_types (base/protocols/dns/consts.zeek):
// the names dns.log writes in qtype_name.
var typeNames = map[uint16]string{
	1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
	11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25",
	20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 28: "AAAA",
	29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT",
	38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY",
	46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA",
	53: "SMIMEA", 55: "HIP", 56: "NINFO", 57: "RKEY", 58: "TALINK", 59: "CDS", 60: "CDNSKEY",
	61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS", 99: "SPF", 100: "UINFO",
	101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID", 105: "L32", 106: "L64", 107: "LP", 108: "EUI48",
	109: "EUI64", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA",
	255: "*", 256: "URI", 257: "CAA", 32768: "TA", 32769: "DLV",
}

// TypeName returns the name Zeek writes for a query type ("A", "AAAA",
// "*"), or "query-N" for a type it does not know, as Zeek does.
func TypeName(t uint16) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "query-" + strconv.Itoa(int(t))
}

var rcodeNames = [...]string{
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	"NXRRSet", "NOTAUTH", "NOTZONE", "unassigned-11", "unassigned-12", "unassigned-13",
	"unassigned-14", "unassigned-15", "BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME",
	"BADALG", "BADTRUNC", "BADCOOKIE",
}

// RCodeName returns the name Zeek writes for a response code (rcode_name
// in dns.log: NOERROR, NXDOMAIN, …), or "rcode-N" beyond its table.
func RCodeName(rc uint16) string {
	if int(rc) < len(rcodeNames) {
		return rcodeNames[rc]
	}
	return "rcode-" + strconv.Itoa(int(rc))
}

// ClassName returns the name Zeek writes for a query class
// (qclass_name: C_INTERNET, …), or "qclass-N".
func ClassName(c uint16) string {
	switch c {
	case 1:
		return "C_INTERNET"
	case 2:
		return "C_CSNET"
	case 3:
		return "C_CHAOS"
	case 4:
		return "C_HESIOD"
	case 254:
		return "C_NONE"
	case 255:
		return "C_ANY"
	}
	return "qclass-" + strconv.Itoa(int(c))
}

var opcodeNames = [...]string{"query", "iquery", "status", "unassigned-3", "notify", "dynamic-update"}

// OpcodeName returns the name Zeek writes in opcode_name.
func OpcodeName(op uint8) string {
	if int(op) < len(opcodeNames) {
		return opcodeNames[op]
	}
	return "unassigned-" + strconv.Itoa(int(op))
}
