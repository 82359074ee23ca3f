package normalize_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/record"
)

// TestRecorder: an event becomes a log record whose schema fields answer
// their getters with the schema's types; a value the type cannot hold
// stays outside the schema under its name; a connection gets its
// Community ID; strings no longer alias the line.
func TestRecorder(t *testing.T) {
	line := []byte("10.0.0.1")
	var e normalize.Event
	e.Dataset = "log.test.firewall"
	e.Time = time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("x", 3600))
	e.SetStr("source.ip", string(line))
	e.SetInt("source.port", 51000)
	e.SetIP("destination.ip", "192.0.2.7")
	e.SetStr("destination.port", "443") // text, but the schema's type is a number
	e.SetStr("network.transport", "tcp")
	e.SetStr("source.port.bogus", "x") // not in the schema
	e.SetStr("observer.name", "fw-1")
	e.SetStrs("event.category", "network")
	e.SetStr("destination.bytes", "many") // cannot be a number
	rc := normalize.NewRecorder("collector", "acme")
	var r record.Record
	rc.Record(&e, time.Now(), &r)
	copy(line, "xxxxxxxx")

	get := func(name string) (record.Value, bool) {
		f, ok := record.Lookup(name)
		if !ok {
			t.Fatalf("no field %s", name)
		}
		var v record.Value
		return v, f.Get(&r, &v)
	}
	if v, ok := get("source.ip"); !ok || v.IP != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("source.ip = %v %v", v.IP, ok)
	}
	if v, ok := get("destination.port"); !ok || v.Int != 443 {
		t.Errorf("destination.port = %v %v", v.Int, ok)
	}
	if v, ok := get("observer.name"); !ok || v.Str != "fw-1" {
		t.Errorf("observer.name = %q (the line's observer wins)", v.Str)
	}
	if v, ok := get("tenant.id"); !ok || v.Str != "acme" {
		t.Errorf("tenant.id = %q", v.Str)
	}
	if _, ok := get("destination.bytes"); ok {
		t.Errorf("destination.bytes answered with a value that is not a number")
	}
	if f, ok := r.Log.Get("destination.bytes"); !ok || f.Field != -1 || f.Value.Str != "many" {
		t.Errorf("destination.bytes kept as %+v", f)
	}
	if v, ok := get("network.community_id"); !ok || v.Str == "" {
		t.Errorf("no Community ID for a TCP connection")
	}
	if !r.Timestamp.Equal(e.Time) || r.Timestamp.Location() != time.UTC || r.Event.ID == "" || r.Event.Dataset != "log.test.firewall" {
		t.Errorf("timestamp %s, id %q, dataset %q", r.Timestamp, r.Event.ID, r.Event.Dataset)
	}
	js := string(r.AppendJSON(nil))
	for _, want := range []string{`"source":{"ip":"10.0.0.1","port":51000`, `"source.port.bogus":"x"`, `"destination.bytes":"many"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
}
