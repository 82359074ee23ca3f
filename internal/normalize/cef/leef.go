package cef

import (
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
)

// LEEF parses IBM QRadar LEEF 1.0 and 2.0 lines. The zero value is ready
// to use.
type LEEF struct{}

var _ normalize.Parser = LEEF{}

// Name returns "leef".
func (LEEF) Name() string { return "leef" }

// DetectOrder puts LEEF after the vendor parsers.
func (LEEF) DetectOrder() int { return 80 }

// Detect accepts a body containing "LEEF:<digit>" near its start.
func (LEEF) Detect(m *normalize.Message) bool {
	_, ok := findLEEF(m.Body)
	return ok
}

func findLEEF(b string) (string, bool) {
	head := b[:min(len(b), 128)]
	i := strings.Index(head, "LEEF:")
	if i < 0 || i > 0 && head[i-1] != ' ' && head[i-1] != ':' {
		return "", false
	}
	b = b[i:]
	return b, len(b) > 6 && b[5] >= '1' && b[5] <= '2'
}

// leefFields maps LEEF's predefined attribute keys to ECS.
var leefFields = map[string]struct {
	ecs  string
	kind kind
}{
	"src":            {"source.ip", kIP},
	"dst":            {"destination.ip", kIP},
	"srcPort":        {"source.port", kInt},
	"dstPort":        {"destination.port", kInt},
	"srcPreNAT":      {"source.ip", kIP},
	"dstPreNAT":      {"destination.ip", kIP},
	"srcPostNAT":     {"source.nat.ip", kIP},
	"dstPostNAT":     {"destination.nat.ip", kIP},
	"srcPreNATPort":  {"source.port", kInt},
	"dstPreNATPort":  {"destination.port", kInt},
	"srcPostNATPort": {"source.nat.port", kInt},
	"dstPostNATPort": {"destination.nat.port", kInt},
	"srcMAC":         {"source.mac", kMAC},
	"dstMAC":         {"destination.mac", kMAC},
	"srcBytes":       {"source.bytes", kInt},
	"dstBytes":       {"destination.bytes", kInt},
	"totalBytes":     {"network.bytes", kInt},
	"srcPackets":     {"source.packets", kInt},
	"dstPackets":     {"destination.packets", kInt},
	"totalPackets":   {"network.packets", kInt},
	"usrName":        {"user.name", kString},
	"accountName":    {"user.name", kString},
	"domain":         {"user.domain", kString},
	"identHostName":  {"host.name", kString},
	"identSrc":       {"host.ip", kIP},
	"identGrpName":   {"group.name", kString},
	"sev":            {"event.severity", kInt},
	"url":            {"url.original", kString},
	"policy":         {"rule.name", kString},
	"action":         {"event.action", kString},
	"resource":       {"url.original", kString},
	"realm":          {"user.domain", kString},
	"vSrc":           {"source.ip", kIP},
	"vSrcName":       {"source.domain", kString},
	"role":           {"user.roles", kString},
	"sid":            {"user.id", kString},
}

// Parse fills e from a LEEF line.
func (LEEF) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	b, ok := findLEEF(m.Body)
	if !ok {
		return ErrHeader
	}
	v2 := b[5] == '2'
	n := 5
	if v2 {
		n = 6
	}
	var buf [6]string
	h, attrs, ok := splitLEEFHeader(b[5:], buf[:0], n)
	if !ok {
		return ErrHeader
	}
	e.Dataset = "log.leef"
	e.SetStr("event.kind", "event")
	e.SetStr("leef.version", h[0])
	e.SetStr("observer.vendor", h[1])
	e.SetStr("observer.product", h[2])
	e.SetStr("observer.version", h[3])
	e.SetStr("event.code", h[4])
	delim := byte('\t')
	if v2 {
		delim = leefDelimiter(h[5])
	} else if strings.IndexByte(attrs, '\t') < 0 {
		delim = ' ' // some 1.0 senders separate with spaces
	}
	var devTime string
	each := func(k, v string) {
		switch k {
		case "devTime":
			devTime = v
			return
		case "devTimeFormat":
			e.SetStr("leef.devTimeFormat", v)
			return
		case "proto":
			if _, isNum := normalize.Atoi(v); isNum {
				e.SetStr("network.iana_number", v)
			} else {
				e.SetStr("network.transport", normalize.Lower(v))
			}
			return
		case "cat":
			e.SetStr("leef.cat", v)
			return
		}
		if f, known := leefFields[k]; known {
			switch f.kind {
			case kIP:
				e.SetIP(f.ecs, v)
			case kInt:
				e.SetIntStr(f.ecs, v)
			case kMAC:
				e.SetStr(f.ecs, normalize.FormatMAC(v))
			default:
				e.SetStr(f.ecs, v)
			}
			return
		}
		if len(k) <= 64 && validKey(k) {
			e.SetStr("leef."+k, v)
		}
	}
	count := 0
	if delim == ' ' {
		kv := normalize.NewKV(attrs)
		for count < maxExtensions {
			k, v, ok := kv.Next()
			if !ok {
				break
			}
			each(k, v)
			count++
		}
	} else {
		for part := range strings.SplitSeq(attrs, string(delim)) {
			if count == maxExtensions {
				break
			}
			k, v, found := strings.Cut(part, "=")
			if !found || k == "" {
				continue
			}
			each(strings.TrimSpace(k), strings.TrimRight(v, " \r\n"))
			count++
		}
	}
	if devTime != "" {
		if t, ok := parseLEEFTime(devTime, env); ok {
			e.Time = t
		}
	}
	return nil
}

// splitLEEFHeader cuts the n '|'-separated header fields (LEEF does not
// escape them).
func splitLEEFHeader(s string, dst []string, n int) ([]string, string, bool) {
	for len(dst) < n {
		i := strings.IndexByte(s, '|')
		if i < 0 {
			return dst, "", false
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
	return dst, s, true
}

// leefDelimiter reads LEEF 2.0's delimiter field: one character, or its
// code as "x09"/"0x09"/"\t"; tab when empty or unreadable.
func leefDelimiter(s string) byte {
	switch {
	case len(s) == 1:
		return s[0]
	case s == `\t`:
		return '\t'
	case len(s) >= 3 && (s[0] == 'x' || s[0] == 'X' || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")):
		if n, ok := normalize.AtoiHex(strings.TrimLeft(s, "xX")); ok && n > 0 && n < 128 {
			return byte(n)
		}
	}
	return '\t'
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !keyChar(k[i]) {
			return false
		}
	}
	return true
}

// parseLEEFTime reads devTime: milliseconds since 1970, or one of the
// common formats ("MMM dd yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss", ISO
// 8601). devTimeFormat's Java pattern is not interpreted: the value's
// shape decides.
func parseLEEFTime(v string, env *normalize.Env) (time.Time, bool) {
	if t, ok := parseTime(v, env); ok {
		return t, true
	}
	return normalize.LocalDateTime(v, env.Loc())
}
