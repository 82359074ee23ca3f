package normalize

import (
	"time"
)

// Env is what a parser needs to know about the source that the line does
// not say: the timezone of local timestamps and the year of yearless ones.
type Env struct {
	Location     *time.Location // zone of timestamps that carry none; nil is UTC
	Year         int            // year of yearless timestamps (BSD syslog); 0 is the current year
	KeepOriginal bool           // store the line as event.original
	// Organization is the organization (customer, tenant) the source's
	// lines belong to, when the lines do not say: organization.name.
	Organization string
}

// Loc returns the location for zone-less timestamps (UTC when unset).
func (env *Env) Loc() *time.Location {
	if env == nil || env.Location == nil {
		return time.UTC
	}
	return env.Location
}

// yearOf returns the year for a yearless month/day: Env.Year, or the
// current one, or last year when that would put the date more than a month
// in the future (a December line read in January).
func (env *Env) yearOf(month time.Month, day int, loc *time.Location) int {
	if env != nil && env.Year != 0 {
		return env.Year
	}
	now := time.Now().In(loc)
	y := now.Year()
	if time.Date(y, month, day, 0, 0, 0, 0, loc).Sub(now) > 31*24*time.Hour {
		y--
	}
	return y
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Month parses a three-letter English month abbreviation, any case.
func Month(s string) (time.Month, bool) {
	if len(s) < 3 {
		return 0, false
	}
	a, b, c := s[0]|0x20, s[1]|0x20, s[2]|0x20
	for i, m := range monthNames {
		if a == m[0]|0x20 && b == m[1] && c == m[2] {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// num parses exactly len(s) digits.
func num(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !digit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, len(s) > 0
}

// clock parses "hh:mm:ss" with an optional fraction (".123" or ",123")
// at the start of s, returning the nanoseconds since midnight and the
// length consumed.
func clock(s string) (h, m, sec, nsec, n int, ok bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	var ok1, ok2, ok3 bool
	h, ok1 = num(s[0:2])
	m, ok2 = num(s[3:5])
	sec, ok3 = num(s[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 60 {
		return 0, 0, 0, 0, 0, false
	}
	n = 8
	if n < len(s) && (s[n] == '.' || s[n] == ',') && n+1 < len(s) && digit(s[n+1]) {
		n++
		scale := 100_000_000
		for n < len(s) && digit(s[n]) {
			nsec += int(s[n]-'0') * scale
			scale /= 10
			n++
		}
	}
	return h, m, sec, nsec, n, true
}

// zoneOffset parses "Z", "+hh:mm", "+hhmm" or "+hh" at the start of s and
// returns the offset in seconds and the length consumed (0 when there is
// no zone).
func zoneOffset(s string) (off, n int) {
	if s == "" {
		return 0, 0
	}
	if s[0] == 'Z' || s[0] == 'z' {
		return 0, 1
	}
	if s[0] != '+' && s[0] != '-' || len(s) < 3 {
		return 0, 0
	}
	h, ok := num(s[1:3])
	if !ok || h > 14 {
		return 0, 0
	}
	n = 3
	m := 0
	switch {
	case len(s) >= 6 && s[3] == ':':
		if m, ok = num(s[4:6]); !ok {
			return 0, 0
		}
		n = 6
	case len(s) >= 5 && digit(s[3]) && digit(s[4]):
		m, _ = num(s[3:5])
		n = 5
	}
	if len(s) > n && digit(s[n]) { // "+12345": not a zone
		return 0, 0
	}
	off = h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, n
}

// zoneAbbrevs holds the unambiguous zone abbreviations devices print after
// a timestamp (Cisco's "Apr 15 2014 09:34:34 EDT"), in seconds east of
// UTC. Ambiguous ones (IST, BST as Bangladesh, CST as China) are left out.
var zoneAbbrevs = map[string]int{
	"UTC": 0, "GMT": 0, "UT": 0, "WET": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
	"PST": -8 * 3600, "PDT": -7 * 3600, "AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
	"WEST": 3600, "CET": 3600, "CEST": 2 * 3600, "MET": 3600, "MEST": 2 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600,
	"MSK": 3 * 3600, "JST": 9 * 3600, "KST": 9 * 3600, "AEST": 10 * 3600, "AEDT": 11 * 3600,
	"ACST": 34200, "ACDT": 37800, "AWST": 8 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
}

// ZoneAbbrev returns the offset of an unambiguous zone abbreviation.
func ZoneAbbrev(s string) (off int, ok bool) {
	if len(s) < 2 || len(s) > 4 {
		return 0, false
	}
	off, ok = zoneAbbrevs[s]
	return off, ok
}

// date builds a time from wall-clock fields, in loc unless an explicit
// offset was given (hasOff), and returns it in UTC when the offset is
// explicit.
func date(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location, off int, hasOff bool) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1 || y > 9999 {
		return time.Time{}, false
	}
	if hasOff {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC).Add(-time.Duration(off) * time.Second), true
	}
	return time.Date(y, mo, d, h, mi, s, ns, loc), true
}

// ParseISO parses an ISO 8601 / RFC 3339 timestamp at the start of s:
// "yyyy-mm-ddThh:mm:ss[.frac][Z|±hh:mm|±hhmm]", also with a space instead
// of the T and an optional space before the zone ("2023-03-01 14:54:44.502
// +0100"). Without a zone the time is in env's location. It returns the
// length consumed, 0 when s does not start with such a timestamp.
func ParseISO(s string, env *Env) (time.Time, int) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') {
		return time.Time{}, 0
	}
	y, ok1 := num(s[0:4])
	mo, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, 0
	}
	h, mi, sec, ns, n, ok := clock(s[11:])
	if !ok {
		return time.Time{}, 0
	}
	n += 11
	off, zn := zoneOffset(s[n:])
	if zn == 0 && s[10] == ' ' && n+1 < len(s) && s[n] == ' ' && (s[n+1] == '+' || s[n+1] == '-') {
		if off, zn = zoneOffset(s[n+1:]); zn > 0 {
			n++
		}
	}
	t, ok := date(y, time.Month(mo), d, h, mi, sec, ns, env.Loc(), off, zn > 0)
	if !ok {
		return time.Time{}, 0
	}
	return t, n + zn
}

// ParseBSD parses a BSD syslog timestamp at the start of s: "Mmm dd
// hh:mm:ss" with the day padded by a space or zero or not at all, an
// optional fraction, and the year either after the day (Cisco's "Apr 15
// 2013 09:36:50") or after the time ("Nov 30 16:44:36 2018"). It returns
// the length consumed, 0 when s does not start with such a timestamp.
func ParseBSD(s string, env *Env) (time.Time, int) {
	if len(s) < 14 || s[3] != ' ' {
		return time.Time{}, 0
	}
	mo, ok := Month(s)
	if !ok {
		return time.Time{}, 0
	}
	i := 4
	if s[i] == ' ' {
		i++
	}
	d := 0
	for j := 0; j < 2 && i < len(s) && digit(s[i]); j++ {
		d = d*10 + int(s[i]-'0')
		i++
	}
	if d == 0 || i >= len(s) || s[i] != ' ' {
		return time.Time{}, 0
	}
	i++
	year := 0
	if i+5 <= len(s) && s[i+4] == ' ' {
		if y, ok := num(s[i : i+4]); ok {
			year = y
			i += 5
		}
	}
	h, mi, sec, ns, n, ok := clock(s[i:])
	if !ok {
		return time.Time{}, 0
	}
	i += n
	if year == 0 && i+5 <= len(s) && s[i] == ' ' && (i+5 == len(s) || s[i+5] == ' ' || s[i+5] == ':') {
		if y, ok := num(s[i+1 : i+5]); ok && y >= 1970 {
			year = y
			i += 5
		}
	}
	loc := env.Loc()
	if year == 0 {
		year = env.yearOf(mo, d, loc)
	}
	t, ok := date(year, mo, d, h, mi, sec, ns, loc, 0, false)
	if !ok {
		return time.Time{}, 0
	}
	return t, i
}

// LocalTime joins a date ("yyyy-mm-dd" or "yyyy/mm/dd") and a clock
// ("hh:mm:ss[.frac]") in loc, as many devices print them in separate
// fields.
func LocalTime(day, clk string, loc *time.Location) (time.Time, bool) {
	if len(day) != 10 || (day[4] != '-' && day[4] != '/') || day[7] != day[4] {
		return time.Time{}, false
	}
	y, ok1 := num(day[0:4])
	mo, ok2 := num(day[5:7])
	d, ok3 := num(day[8:10])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	h, mi, sec, ns, n, ok := clock(clk)
	if !ok || n != len(clk) {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	return date(y, time.Month(mo), d, h, mi, sec, ns, loc, 0, false)
}

// LocalDateTime parses "yyyy-mm-dd hh:mm:ss[.frac]" or the same with
// slashes or a T, in loc.
func LocalDateTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) < 19 || (s[10] != ' ' && s[10] != 'T') {
		return time.Time{}, false
	}
	return LocalTime(s[:10], s[11:], loc)
}

// maxUnix is 9999-12-31T23:59:59Z: later times have no RFC 3339 form.
const maxUnix = 253402300799

// Encodable reports whether t has an RFC 3339 form (years 0 to 9999):
// a time a hostile line makes up outside them is not kept.
func Encodable(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y <= 9999
}

// Epoch converts "seconds[.fraction]" since 1970 to a time.
func Epoch(s string) (time.Time, bool) {
	sec, frac, _ := Cut(s, '.')
	n, ok := Atoi(sec)
	if !ok || n < 0 || n > maxUnix {
		return time.Time{}, false
	}
	ns := 0
	scale := 100_000_000
	for i := 0; i < len(frac) && i < 9; i++ {
		if !digit(frac[i]) {
			return time.Time{}, false
		}
		ns += int(frac[i]-'0') * scale
		scale /= 10
	}
	return time.Unix(n, int64(ns)).UTC(), true
}

// IsBINDTime reports whether s starts with BIND's "dd-Mon-yyyy hh:mm:ss".
func IsBINDTime(s string) bool {
	return len(s) >= 20 && s[2] == '-' && s[6] == '-' && s[11] == ' ' && s[14] == ':' && s[17] == ':' &&
		s[0] >= '0' && s[0] <= '9'
}

// BINDTime parses BIND's "dd-Mon-yyyy hh:mm:ss[.fff]" (also in Infoblox
// lines) at the start of s in loc and returns the length consumed (0 when
// s does not start with one).
func BINDTime(s string, loc *time.Location) (time.Time, int) {
	if !IsBINDTime(s) {
		return time.Time{}, 0
	}
	d, ok1 := Atoi(s[0:2])
	mo, ok2 := Month(s[3:6])
	y, ok3 := Atoi(s[7:11])
	h, ok4 := Atoi(s[12:14])
	mi, ok5 := Atoi(s[15:17])
	sec, ok6 := Atoi(s[18:20])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1 {
		return time.Time{}, 0
	}
	n := 20
	ns := 0
	if n < len(s) && s[n] == '.' {
		n++
		scale := 100_000_000
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			ns += int(s[n]-'0') * scale
			scale /= 10
			n++
		}
	}
	return time.Date(int(y), mo, int(d), int(h), int(mi), int(sec), ns, loc), n
}
