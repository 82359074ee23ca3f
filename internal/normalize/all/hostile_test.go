package all_test

import (
	"strings"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// TestHostile feeds every registered parser lines built to hurt it, in
// its own format: 100 KB lines, invalid UTF-8, unterminated quotes, NUL
// bytes, escape storms, thousands of fields. Each line must be kept
// (event.original, capped), counted, bounded in output and time, and no
// parser may panic.
func TestHostile(t *testing.T) {
	big := strings.Repeat("A", 100<<10)
	many := func(f string, n int) string { return strings.Repeat(f, n) }
	lines := []string{
		`<189>date=2024-01-01 time=00:00:00 devname="fw" devid="x" logid="1" type="traffic" msg="` + big,
		`<189>date=2024-01-01 time=00:00:00 devname="fw` + "\xff\xfe\x00" + `" devid="x" logid="1" type="utm" srcip=` + many("1", 5000),
		"Nov 30 16:44:36 PA 1,2018/11/30 16:44:36,0001,THREAT,url,1,2018/11/30 16:44:36," + many(`"`, 3000) + many(",", 3000),
		"1,2018/11/30 16:44:36,0001,TRAFFIC,end,1,2018/11/30 16:44:36," + many("999999999999999999999,", 200) + big,
		"Apr 15 2013 09:36:50: %ASA-6-302016: Teardown UDP connection 1 for " + many("a:b/c ", 8000) + "duration 99999999:99:99 bytes 1",
		"2019-08-15T16:03:31Z fp  %FTD-1-430002: " + many("K: V, ", 10000),
		`<134>1 2020-03-29T13:19:20Z gw CheckPoint 1 - [` + many(`k:"v\"; `, 5000) + "\x00\x00",
		`<14>1 2019-11-14T09:37:51Z gw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@1 ` + many(`elapsed-time="99999999999" `, 3000) + `]`,
		"<134>Jul  3 19:10:30 filterlog[1]: " + many("1,", 20000),
		`device="SFW" date=2024-01-01 time=00:00:00 log_id=1 log_type="Firewall" message="` + big,
		`id=fw sn=1 time="2024-01-01 00:00:00" m=1 src=` + many(":", 10000) + " msg=\"\xc3\x28",
		"<129>2023-03-01 14:54:44.502 +0100  waf WF ALER X 1.1.1.1 1 2.2.2.2 2 r t a f [" + many(`\]`, 20000),
		"Jan  8 03:37:09 h kernel: " + many("[", 5000) + "IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 " + many("SYN ", 10000),
		"CEF:0|V|P|1|2|n|3|" + many(`\\`, 10000) + many("k= ", 5000),
		"CEF:0|" + many(`\|`, 10000),
		"LEEF:2.0|V|P|1|2|x00|" + many("a=b\x00", 10000),
		big,
		"\x00\x00\x00\xff",
	}
	cfg := normalize.DefaultConfig()
	n, err := normalize.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var e normalize.Event
	for i, line := range lines {
		start := time.Now()
		p, _ := n.Normalize(line, &e)
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("line %d (%s): %v", i, p, d)
		}
		if want := line[:min(len(line), cfg.MaxOriginal)]; e.GetStr("event.original") != want {
			t.Errorf("line %d (%s): event.original not kept", i, p)
		}
		if err := normalizetest.Check(&e, line); err != nil {
			t.Errorf("line %d (%s): %v", i, p, err)
		}
	}
	var total uint64
	for name, c := range n.Stats() {
		total += c.Lines
		if c.Panics > 0 {
			t.Errorf("parser %s panicked %d times", name, c.Panics)
		}
	}
	if total != uint64(len(lines)) {
		t.Errorf("counted %d lines, sent %d", total, len(lines))
	}
}
