package normalize

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leodido/go-syslog/v4/rfc3164"
	"github.com/leodido/go-syslog/v4/rfc5424"
)

type hdr struct {
	Priority                        int
	Time                            string
	Hostname, AppName, ProcID, Body string
	MsgID                           string
	SD                              map[string]map[string]string
}

func TestParseHeader(t *testing.T) {
	env := &Env{Year: 2024}
	tests := []struct {
		name, line string
		want       hdr
	}{
		{"rfc3164", "<30>Mar 11 23:51:31 ns1.example.net named[1042]: client 10.0.0.1#53 query",
			hdr{30, "2024-03-11T23:51:31Z", "ns1.example.net", "named", "1042", "client 10.0.0.1#53 query", "", nil}},
		{"rfc3164 no host", "<134>Jul  3 19:10:30 filterlog[72237]: 5,,,1000,em0,match,pass",
			hdr{134, "2024-07-03T19:10:30Z", "", "filterlog", "72237", "5,,,1000,em0,match,pass", "", nil}},
		{"single digit day", "<134>Jan 1 02:21:38 fw.example.org filterlog[9]: x",
			hdr{134, "2024-01-01T02:21:38Z", "fw.example.org", "filterlog", "9", "x", "", nil}},
		{"no pri bsd", "Nov 30 16:44:36 PA-220 1,2018/11/30 16:44:36,0128,THREAT",
			hdr{-1, "2024-11-30T16:44:36Z", "PA-220", "", "", "1,2018/11/30 16:44:36,0128,THREAT", "", nil}},
		{"asa year", "Apr 15 2013 09:36:50: %ASA-4-106023: Deny tcp src",
			hdr{-1, "2013-04-15T09:36:50Z", "", "", "", "%ASA-4-106023: Deny tcp src", "", nil}},
		{"asa zone", "Apr 15 2014 09:34:34 EDT: %ASA-session-5-106100: access-list",
			hdr{-1, "2014-04-15T13:34:34Z", "", "", "", "%ASA-session-5-106100: access-list", "", nil}},
		{"asa host colon", "Apr 24 2013 16:00:28 FW-A : %ASA-6-106100: access-list",
			hdr{-1, "2013-04-24T16:00:28Z", "FW-A", "", "", "%ASA-6-106100: access-list", "", nil}},
		{"iso no version", "<6>2021-03-12T14:10:18Z gw kernel: [x]IN=eth0 OUT=",
			hdr{6, "2021-03-12T14:10:18Z", "gw", "kernel", "", "[x]IN=eth0 OUT=", "", nil}},
		{"iso no pri", "2019-08-15T16:03:31Z fp  %FTD-1-430002: A: b",
			hdr{-1, "2019-08-15T16:03:31Z", "fp", "", "", "%FTD-1-430002: A: b", "", nil}},
		{"iso space zone", "<129>2023-03-01 14:54:44.502 +0100  waf WF ALER X",
			hdr{129, "2023-03-01T13:54:44.502Z", "waf", "", "", "WF ALER X", "", nil}},
		{"tag without host", "Jan  8 03:37:09 DENY: IN=eth0 OUT=",
			hdr{-1, "2024-01-08T03:37:09Z", "", "DENY", "", "IN=eth0 OUT=", "", nil}},
		{"pri only", "<188>date=2020-04-23 time=12:17:48 devname=\"x\"",
			hdr{188, "", "", "", "", "date=2020-04-23 time=12:17:48 devname=\"x\"", "", nil}},
		{"no header json", `{"a":1}`, hdr{-1, "", "", "", "", `{"a":1}`, "", nil}},
		{"no header cef", "CEF:0|V|P|1|2|n|3|src=1.2.3.4   ", hdr{-1, "", "", "", "", "CEF:0|V|P|1|2|n|3|src=1.2.3.4", "", nil}},
		{"epoch squid", "1525344856.899  16867 10.0.0.1 TCP_TUNNEL/200", hdr{-1, "", "", "", "", "1525344856.899  16867 10.0.0.1 TCP_TUNNEL/200", "", nil}},
		{"rfc5424 sd", `<14>1 2019-11-14T09:37:51.184+01:00 GW1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636 a="1" b="x \"y\" \]"][meta seq="2"] hello`,
			hdr{14, "2019-11-14T08:37:51.184Z", "GW1", "RT_FLOW", "", "hello", "RT_FLOW_SESSION_CREATE",
				map[string]map[string]string{"junos@2636": {"a": "1", "b": `x "y" ]`}, "meta": {"seq": "2"}}}},
		{"rfc5424 nil sd", "<165>1 2003-10-11T22:14:15.003Z host app 1234 ID47 - \ufeffmsg text",
			hdr{165, "2003-10-11T22:14:15.003Z", "host", "app", "1234", "msg text", "ID47", nil}},
		{"rfc5424 bad sd", `<134>1 2020-03-29T13:19:20Z gw CheckPoint 1930 - [flags:"1"; ifdir:"inbound"]`,
			hdr{134, "2020-03-29T13:19:20Z", "gw", "CheckPoint", "1930", `[flags:"1"; ifdir:"inbound"]`, "", nil}},
		{"rfc5424 nil time", "<13>1 - - - - - -", hdr{13, "", "", "", "", "", "", nil}},
		{"bad pri", "<999>Jan  1 00:00:00 h a: b", hdr{-1, "", "", "", "", "<999>Jan  1 00:00:00 h a: b", "", nil}},
		{"empty", "", hdr{-1, "", "", "", "", "", "", nil}},
	}
	var m Message
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ParseHeader(tc.line, env, &m)
			got := hdr{m.Priority, "", m.Hostname, m.AppName, m.ProcID, m.Body, m.MsgID, m.StructuredData}
			if !m.Time.IsZero() {
				got.Time = m.Time.UTC().Format(time.RFC3339Nano)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseHeader(%q) (-want +got):\n%s", tc.line, diff)
			}
			if m.Raw != tc.line {
				t.Errorf("Raw = %q", m.Raw)
			}
		})
	}
}

func TestParseHeaderLocation(t *testing.T) {
	loc := time.FixedZone("x", -4*3600)
	var m Message
	ParseHeader("<134>Jul  3 19:10:30 filterlog[1]: x", &Env{Location: loc, Year: 2019}, &m)
	if want := time.Date(2019, 7, 3, 23, 10, 30, 0, time.UTC); !m.Time.Equal(want) {
		t.Errorf("time %v, want %v", m.Time, want)
	}
	// With no year configured, a date far in the future is last year's.
	now := time.Now().UTC()
	future := now.AddDate(0, 2, 0)
	line := future.Format("Jan _2 15:04:05") + " host app: x"
	ParseHeader(line, &Env{}, &m)
	if m.Time.Year() != future.Year()-1 && m.Time.After(now.AddDate(0, 1, 1)) {
		t.Errorf("%q: time %v is in the future", line, m.Time)
	}
}

func TestTimes(t *testing.T) {
	env := &Env{Year: 2020}
	for _, tc := range []struct {
		in   string
		want string
		n    int
	}{
		{"2019-08-15T16:03:31Z", "2019-08-15T16:03:31Z", 20},
		{"2019-08-15T16:03:31.123456+05:30 x", "2019-08-15T10:33:31.123456Z", 32},
		{"2019-08-15 16:03:31", "2019-08-15T16:03:31Z", 19},
		{"2019-08-15T16:03:31-0400", "2019-08-15T20:03:31Z", 24},
		{"2019-13-15T16:03:31Z", "", 0},
		{"2019-08-15T25:03:31Z", "", 0},
		{"2019/08/15", "", 0},
	} {
		got, n := ParseISO(tc.in, env)
		s := ""
		if n > 0 {
			s = got.UTC().Format(time.RFC3339Nano)
		}
		if s != tc.want || n != tc.n {
			t.Errorf("ParseISO(%q) = %s, %d; want %s, %d", tc.in, s, n, tc.want, tc.n)
		}
	}
	for _, tc := range []struct {
		in   string
		want string
		n    int
	}{
		{"Nov 30 16:44:36 x", "2020-11-30T16:44:36Z", 15},
		{"Jul  3 19:10:30", "2020-07-03T19:10:30Z", 15},
		{"Jan 1 02:21:38 h", "2020-01-01T02:21:38Z", 14},
		{"Apr 15 2013 09:36:50: %ASA", "2013-04-15T09:36:50Z", 20},
		{"Nov 30 16:44:36 2018 h", "2018-11-30T16:44:36Z", 20},
		{"Nov 30 16:44:36.250 h", "2020-11-30T16:44:36.25Z", 19},
		{"Foo 30 16:44:36", "", 0},
		{"Nov 30 1:44:36 h", "", 0},
	} {
		got, n := ParseBSD(tc.in, env)
		s := ""
		if n > 0 {
			s = got.UTC().Format(time.RFC3339Nano)
		}
		if s != tc.want || n != tc.n {
			t.Errorf("ParseBSD(%q) = %s, %d; want %s, %d", tc.in, s, n, tc.want, tc.n)
		}
	}
	if got, ok := LocalTime("2018/11/30", "16:09:07", time.UTC); !ok || got != time.Date(2018, 11, 30, 16, 9, 7, 0, time.UTC) {
		t.Errorf("LocalTime = %v %v", got, ok)
	}
	if got, ok := Epoch("1525344856.899"); !ok || got.UnixMilli() != 1525344856899 {
		t.Errorf("Epoch = %v %v", got, ok)
	}
}

// TestHeaderAgainstGoSyslog checks ParseHeader against go-syslog's strict
// machines on conformant lines, where both must agree.
func TestHeaderAgainstGoSyslog(t *testing.T) {
	p3164 := rfc3164.NewMachine(rfc3164.WithYear(rfc3164.Year{YYYY: 2024}), rfc3164.WithTimezone(time.UTC))
	p5424 := rfc5424.NewMachine()
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, line := range []string{
		"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
		"<13>Feb  5 17:32:18 10.0.0.99 myapp[123]: Use the BFG!",
		"<30>Mar 11 23:51:31 ns1.example.net named[11042]: client 192.0.2.1#57398 UDP: query",
	} {
		msg, err := p3164.Parse([]byte(line))
		if err != nil {
			t.Fatalf("go-syslog rejects %q: %v", line, err)
		}
		g := msg.(*rfc3164.SyslogMessage)
		var m Message
		ParseHeader(line, &Env{Year: 2024}, &m)
		want := []string{str(g.Hostname), str(g.Appname), str(g.ProcID), str(g.Message), g.Timestamp.UTC().String()}
		got := []string{m.Hostname, m.AppName, m.ProcID, m.Body, m.Time.UTC().String()}
		if diff := cmp.Diff(want, got); diff != "" || int(*g.Priority) != m.Priority {
			t.Errorf("%q (-go-syslog +ours):\n%s", line, diff)
		}
	}
	for _, line := range []string{
		"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] An application event",
		"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
		`<14>1 2019-11-14T09:37:51.184+01:00 GW1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.129 a="1" b="x \"y\" \]"][meta sequenceId="2"]`,
	} {
		msg, err := p5424.Parse([]byte(line))
		if err != nil {
			t.Fatalf("go-syslog rejects %q: %v", line, err)
		}
		g := msg.(*rfc5424.SyslogMessage)
		var m Message
		ParseHeader(line, &Env{}, &m)
		want := []string{str(g.Hostname), str(g.Appname), str(g.ProcID), str(g.MsgID), str(g.Message), g.Timestamp.UTC().String()}
		got := []string{m.Hostname, m.AppName, m.ProcID, m.MsgID, m.Body, m.Time.UTC().String()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-go-syslog +ours):\n%s", line, diff)
		}
		var sd map[string]map[string]string
		if g.StructuredData != nil {
			sd = *g.StructuredData
		}
		if diff := cmp.Diff(sd, m.StructuredData); diff != "" {
			t.Errorf("%q structured data (-go-syslog +ours):\n%s", line, diff)
		}
	}
}
