package sophosxg

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in the SFOS key=value layout.
var cases = []normalizetest.Case{
	{
		Name: "firewall start inbound",
		Line: `<30>device="SFW" date=2023-07-08 time=09:10:11 timezone="CEST" device_name="XG-LAB" device_id=LAB 0001 log_id=010101600001 log_type="Firewall" log_component="Firewall Rule" log_subtype="Allowed" status="Allow" priority=Notice duration=0 fw_rule_id=7 policy_type=1 user_name="" application="" in_interface="Port2" out_interface="Port1" src_mac=AA:BB:CC:00:11:22 src_ip=198.51.100.5 dst_ip=10.0.0.10 protocol="TCP" src_port=40000 dst_port=443 sent_pkts=3 recv_pkts=2 sent_bytes=300 recv_bytes=200 tran_src_ip= tran_src_port=0 tran_dst_ip=192.0.2.10 tran_dst_port=8443 srczonetype="WAN" srczone="WAN" dstzonetype="LAN" dstzone="LAN" connevent="Start" connid="99"`,
		Want: map[string]any{
			"@timestamp": "2023-07-08T09:10:11Z", "event.type": []any{"start", "allowed", "connection"}, "event.action": "allowed",
			"event.code": "00001", "event.severity": 5, "log.level": "notice", "observer.serial_number": "LAB 0001",
			"source.mac": "AA-BB-CC-00-11-22", "destination.nat.ip": "192.0.2.10", "destination.nat.port": 8443,
			"network.direction": "inbound", "network.bytes": 500, "network.packets": 5, "rule.id": "7",
			"_absent": []any{"source.nat.ip", "source.user.name", "network.protocol"},
		},
		Dataset: "log.sophos_xg.firewall",
	},
	{
		Name: "idp alert with unterminated quote",
		Line: `device="SFW" date=2023-07-08 time=09:10:12 timezone="CEST" device_name="XG-LAB" device_id=LAB1 log_id=020603401001 log_type="IDP" log_component="Anomaly" log_subtype="Drop" priority=Warning signature_id=58724 signature_msg="EXAMPLE attack" classification="Misc Attack" src_ip=198.51.100.6 dst_ip=10.0.0.11 protocol="TCP" src_port=1 dst_port=80 message="cut`,
		Want: map[string]any{
			"event.kind": "alert", "rule.id": "58724", "rule.name": "EXAMPLE attack", "event.type": []any{"denied", "connection"},
			"message": "cut", "event.code": "01001",
		},
		Dataset: "log.sophos_xg.idp",
	},
	{Name: "no log id", Line: `device="SFW" date=2023-07-08 time=09:10:12`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases[:2])
	var m normalize.Message
	var e normalize.Event
	normalize.ParseHeader(cases[2].Line, &normalize.Env{}, &m)
	if err := (Parser{}).Parse(&m, &normalize.Env{}, &e); err == nil {
		t.Error("a line without log_id parsed")
	}
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		cases[0].Line:                  true,
		`device="SFW" date=2023-07-08`: false,
		`date=2020-04-23 time=12:17:48 devname="x" logid="1"`: false,
	} {
		var m normalize.Message
		normalize.ParseHeader(line, &normalize.Env{}, &m)
		if got := (Parser{}).Detect(&m); got != want {
			t.Errorf("Detect(%q) = %v", line, got)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var m normalize.Message
	var e normalize.Event
	env := &normalize.Env{}
	normalize.ParseHeader(cases[0].Line, env, &m)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		_ = Parser{}.Parse(&m, env, &e)
	}
}
