package record

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Type is the type of a field's value.
type Type uint8

// Field value types.
const (
	TypeString Type = iota + 1
	TypeInt
	TypeBool
	TypeIP
	TypeTime
	TypeMAC
	TypeIntList
	TypeStringList
)

var typeNames = [...]string{
	TypeString: "keyword", TypeInt: "long", TypeBool: "boolean", TypeIP: "ip",
	TypeTime: "date", TypeMAC: "mac", TypeIntList: "long[]", TypeStringList: "keyword[]",
}

// String returns the type name used in docs/schema.md (ECS type names).
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Value carries one field value. Only the member matching the field's Type
// is set.
type Value struct {
	Str  string
	Int  int64
	Bool bool
	IP   netip.Addr
	Time time.Time
	MAC  [6]byte
	Ints []int32
	Strs []string

	scratch []int32 // owned by the Value: getters that convert build lists here, never in a record's slices
}

// Field is one row of the schema table.
type Field struct {
	Name     string    // dotted name, e.g. source.ip
	Type     Type      // value type
	ECS      bool      // the name and meaning are ECS's
	Datasets []Dataset // datasets that carry it; nil means every record
	Doc      string    // one sentence for docs/schema.md and the API
	// Get stores the field's value in v and reports whether it is present.
	Get func(r *Record, v *Value) bool
}

func str(get func(*Record) string) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool { v.Str = get(r); return v.Str != "" }
}

func num(get func(*Record) (int64, bool)) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		var ok bool
		v.Int, ok = get(r)
		return ok
	}
}

func nonzero(get func(*Record) uint64) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool { x := get(r); v.Int = int64(x); return x != 0 } //nolint:gosec // counters stay far below 2^63
}

func always(get func(*Record) uint64) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool { v.Int = int64(get(r)); return true } //nolint:gosec // counters stay far below 2^63
}

func ip(get func(*Record) netip.Addr) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool { v.IP = get(r); return v.IP.IsValid() }
}

func tm(get func(*Record) time.Time) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool { v.Time = get(r); return !v.Time.IsZero() }
}

var (
	flowOnly    = []Dataset{DatasetFlow}
	flowLike    = []Dataset{DatasetFlow, DatasetNetFlow} // the sensor's flows and collected ones
	netflowOnly = []Dataset{DatasetNetFlow}
)

// Fields is the schema: every field a record can carry, in the order the
// JSON encoding writes them. Keep it sorted by group, then by name within a
// group, and document every field.
var Fields = append(append(baseFields, appFields...), logFields...)

var baseFields = []Field{
	{Name: "@timestamp", Type: TypeTime, ECS: true, Doc: "Start of the interval the record covers (UTC).",
		Get: tm(func(r *Record) time.Time { return r.Timestamp })},

	{Name: "event.id", Type: TypeString, ECS: true, Doc: "Unique, time-ordered record id (ULID).",
		Get: str(func(r *Record) string { return r.Event.ID })},
	{Name: "event.dataset", Type: TypeString, ECS: true, Doc: "Kind of record: flow, dns, http, netflow, log.<vendor>.<type>, alert, ….",
		Get: str(func(r *Record) string { return string(r.Event.Dataset) })},
	{Name: "event.start", Type: TypeTime, ECS: true, Datasets: flowLike, Doc: "Time of the first packet the record counts.",
		Get: tm(func(r *Record) time.Time { return r.Event.Start })},
	{Name: "event.end", Type: TypeTime, ECS: true, Datasets: flowLike, Doc: "Time of the last packet the record counts.",
		Get: tm(func(r *Record) time.Time { return r.Event.End })},
	{Name: "event.duration", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "event.end minus event.start, in nanoseconds.",
		Get: num(func(r *Record) (int64, bool) {
			if r.Event.Start.IsZero() || r.Event.End.IsZero() {
				return 0, false
			}
			return int64(r.Event.End.Sub(r.Event.Start)), true
		})},

	{Name: "tenant.id", Type: TypeString, Doc: "Tenant the record belongs to.",
		Get: str(func(r *Record) string { return r.Tenant })},
	{Name: "observer.name", Type: TypeString, ECS: true, Doc: "Name of the sensor or collector that produced the record.",
		Get: str(func(r *Record) string { return r.Observer })},

	{Name: "source.ip", Type: TypeIP, ECS: true, Doc: "Address of the initiator (TCP: the SYN sender; otherwise the first sender, corrected by port heuristics).",
		Get: ip(func(r *Record) netip.Addr { return r.Source.IP })},
	{Name: "source.port", Type: TypeInt, ECS: true, Doc: "Transport port of the initiator (TCP, UDP, SCTP).",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Source.Port), r.Source.HasPort })},
	{Name: "source.mac", Type: TypeMAC, ECS: true, Doc: "MAC address of the initiator's first frame.",
		Get: func(r *Record, v *Value) bool { v.MAC = r.Source.MAC; return r.Source.HasMAC }},
	{Name: "source.packets", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "Packets sent by the source.",
		Get: always(func(r *Record) uint64 { return r.Source.Packets })},
	{Name: "source.bytes", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "IP-level bytes sent by the source (IP header and payload, as NetFlow and Zeek's orig_ip_bytes count them).",
		Get: always(func(r *Record) uint64 { return r.Source.Bytes })},

	{Name: "source.as.number", Type: TypeInt, ECS: true, Doc: "Autonomous system number of the source address (from the exporter or enrichment).",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Source.AS), r.Source.AS != 0 })},
	{Name: "source.nat.ip", Type: TypeIP, ECS: true, Doc: "Source address after NAT, as the exporter or firewall reports it.",
		Get: ip(func(r *Record) netip.Addr { return r.Source.NATIP })},
	{Name: "source.nat.port", Type: TypeInt, ECS: true, Doc: "Source port after NAT.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Source.NATPort), r.Source.HasNATPort })},

	{Name: "destination.ip", Type: TypeIP, ECS: true, Doc: "Address of the responder.",
		Get: ip(func(r *Record) netip.Addr { return r.Destination.IP })},
	{Name: "destination.port", Type: TypeInt, ECS: true, Doc: "Transport port of the responder (TCP, UDP, SCTP).",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Destination.Port), r.Destination.HasPort })},
	{Name: "destination.mac", Type: TypeMAC, ECS: true, Doc: "MAC address of the responder's first frame.",
		Get: func(r *Record, v *Value) bool { v.MAC = r.Destination.MAC; return r.Destination.HasMAC }},
	{Name: "destination.packets", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "Packets sent by the destination.",
		Get: always(func(r *Record) uint64 { return r.Destination.Packets })},
	{Name: "destination.bytes", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "IP-level bytes sent by the destination.",
		Get: always(func(r *Record) uint64 { return r.Destination.Bytes })},

	{Name: "destination.as.number", Type: TypeInt, ECS: true, Doc: "Autonomous system number of the destination address (from the exporter or enrichment).",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Destination.AS), r.Destination.AS != 0 })},
	{Name: "destination.nat.ip", Type: TypeIP, ECS: true, Doc: "Destination address after NAT, as the exporter or firewall reports it.",
		Get: ip(func(r *Record) netip.Addr { return r.Destination.NATIP })},
	{Name: "destination.nat.port", Type: TypeInt, ECS: true, Doc: "Destination port after NAT.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Destination.NATPort), r.Destination.HasNATPort })},

	{Name: "network.transport", Type: TypeString, ECS: true, Doc: "Transport protocol: tcp, udp, icmp, ipv6-icmp, sctp, or the IP protocol number.",
		Get: str(func(r *Record) string { return r.Network.Transport })},
	{Name: "network.type", Type: TypeString, ECS: true, Doc: "ipv4 or ipv6 (of the inner packet when tunnelled).",
		Get: str(func(r *Record) string { return r.Network.Type })},
	{Name: "network.iana_number", Type: TypeInt, ECS: true, Doc: "IP protocol number.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Network.IANANumber), r.Network.HasIANA })},
	{Name: "network.vlan.id", Type: TypeInt, ECS: true, Doc: "Outer 802.1Q VLAN id.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Network.VLAN), r.Network.VLAN != 0 })},
	{Name: "network.inner.vlan.id", Type: TypeInt, ECS: true, Doc: "Inner VLAN id of a QinQ (802.1ad) frame.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Network.InnerVLAN), r.Network.InnerVLAN != 0 })},
	{Name: "network.community_id", Type: TypeString, ECS: true, Doc: "Community ID v1 flow hash (seed 0), shared with Zeek, Suricata and Arkime.",
		Get: str(func(r *Record) string { return r.Network.CommunityID })},
	{Name: "network.packets", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "Packets in both directions.",
		Get: nonzero(func(r *Record) uint64 { return r.Source.Packets + r.Destination.Packets })},
	{Name: "network.bytes", Type: TypeInt, ECS: true, Datasets: flowLike, Doc: "IP-level bytes in both directions.",
		Get: nonzero(func(r *Record) uint64 { return r.Source.Bytes + r.Destination.Bytes })},

	{Name: "network.direction", Type: TypeString, ECS: true, Doc: "Direction as the exporter or device reports it: ingress or egress (of an interface), inbound, outbound, internal or external.",
		Get: str(func(r *Record) string { return r.Network.Direction })},

	{Name: "icmp.type", Type: TypeInt, Datasets: flowLike, Doc: "ICMP or ICMPv6 type of the flow's first packet.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.ICMP.Type), r.ICMP.Has })},
	{Name: "icmp.code", Type: TypeInt, Datasets: flowLike, Doc: "ICMP or ICMPv6 code of the flow's first packet.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.ICMP.Code), r.ICMP.Has })},

	{Name: "netflow.protocol", Type: TypeString, Datasets: netflowOnly, Doc: "Export protocol the record came in: netflow5, netflow9, ipfix or sflow5.",
		Get: str(func(r *Record) string { return nf(r).Protocol })},
	{Name: "netflow.exporter.ip", Type: TypeIP, Datasets: netflowOnly, Doc: "Address of the router, switch or probe that exported the flow.",
		Get: ip(func(r *Record) netip.Addr { return nf(r).Exporter })},
	{Name: "netflow.exporter.domain_id", Type: TypeInt, Datasets: netflowOnly, Doc: "NetFlow v9 source id, IPFIX observation domain id or sFlow sub-agent id.",
		Get: num(func(r *Record) (int64, bool) {
			n := nf(r)
			return int64(n.DomainID), n.Protocol != "" && n.Protocol != "netflow5"
		})},
	{Name: "netflow.sampling_rate", Type: TypeInt, Datasets: netflowOnly, Doc: "The exporter sampled 1 in this many packets; source/destination packets and bytes are already multiplied by it.",
		Get: num(func(r *Record) (int64, bool) { return int64(nf(r).SamplingRate), nf(r).SamplingRate > 1 })}, //nolint:gosec // rates are 32-bit
	{Name: "netflow.raw.packets", Type: TypeInt, Datasets: netflowOnly, Doc: "Packets as exported (both directions), before scaling by the sampling rate.",
		Get: always(func(r *Record) uint64 { return nf(r).RawPackets })},
	{Name: "netflow.raw.bytes", Type: TypeInt, Datasets: netflowOnly, Doc: "Bytes as exported (both directions), before scaling by the sampling rate.",
		Get: always(func(r *Record) uint64 { return nf(r).RawBytes })},
	{Name: "netflow.next_hop", Type: TypeIP, Datasets: netflowOnly, Doc: "IP next hop the exporter forwarded the flow to.",
		Get: ip(func(r *Record) netip.Addr { return nf(r).NextHop })},
	{Name: "netflow.tos", Type: TypeInt, Datasets: netflowOnly, Doc: "IP type of service byte (DSCP and ECN) of the flow.",
		Get: num(func(r *Record) (int64, bool) { return int64(nf(r).ToS), nf(r).HasToS })},
	{Name: "observer.ingress.interface.id", Type: TypeInt, ECS: true, Datasets: netflowOnly, Doc: "SNMP ifIndex of the exporter's interface the flow entered by.",
		Get: num(func(r *Record) (int64, bool) { return int64(nf(r).InInterface), nf(r).HasIn })},
	{Name: "observer.egress.interface.id", Type: TypeInt, ECS: true, Datasets: netflowOnly, Doc: "SNMP ifIndex of the exporter's interface the flow left by.",
		Get: num(func(r *Record) (int64, bool) { return int64(nf(r).OutInterface), nf(r).HasOut })},

	{Name: "flow.id", Type: TypeString, Doc: "Id shared by all records of one flow (its flow record, interim records and transactions).",
		Get: str(func(r *Record) string { return r.Flow.ID })},
	{Name: "flow.interim", Type: TypeBool, Datasets: flowOnly, Doc: "True for an interim record of a long flow: it counts what happened since the previous record of the flow.",
		Get: func(r *Record, v *Value) bool { v.Bool = r.Flow.Interim; return r.Flow.Interim }},
	{Name: "flow.end_reason", Type: TypeString, Datasets: flowLike, Doc: "Why the record was emitted: idle-timeout, active-timeout, tcp-fin, tcp-rst, evicted or end-of-input; an exporter's reason may also be end-of-flow, forced-end or lack-of-resources.",
		Get: str(func(r *Record) string { return r.Flow.EndReason })},
	{Name: "flow.history", Type: TypeString, Datasets: flowOnly, Doc: "Zeek-style connection history: upper case from the source, lower case from the destination (S syn, H syn-ack, A ack, D data, F fin, R rst, T retransmission, ^ direction flipped).",
		Get: str(func(r *Record) string { return r.Flow.History })},
	{Name: "flow.source.payload_bytes", Type: TypeInt, Datasets: flowOnly, Doc: "Transport payload bytes sent by the source.",
		Get: always(func(r *Record) uint64 { return r.Flow.SourcePayloadBytes })},
	{Name: "flow.source.tcp_flags", Type: TypeString, Datasets: flowLike, Doc: "TCP flags seen from the source, one letter each in the order FSRPAUEC.",
		Get: str(func(r *Record) string { return TCPFlagsString(r.Flow.SourceTCPFlags) })},
	{Name: "flow.destination.payload_bytes", Type: TypeInt, Datasets: flowOnly, Doc: "Transport payload bytes sent by the destination.",
		Get: always(func(r *Record) uint64 { return r.Flow.DestinationPayloadBytes })},
	{Name: "flow.destination.tcp_flags", Type: TypeString, Datasets: flowLike, Doc: "TCP flags seen from the destination, one letter each in the order FSRPAUEC.",
		Get: str(func(r *Record) string { return TCPFlagsString(r.Flow.DestinationTCPFlags) })},
	{Name: "flow.pattern.sizes", Type: TypeIntList, Datasets: flowOnly, Doc: "IP length of each of the first packets of the flow (up to 16).",
		Get: func(r *Record, v *Value) bool { v.Ints = r.Flow.PatternSizes; return len(v.Ints) > 0 }},
	{Name: "flow.pattern.directions", Type: TypeString, Datasets: flowOnly, Doc: "Direction of each of the first packets: s from source, d from destination.",
		Get: str(func(r *Record) string { return r.Flow.PatternDirections })},
	{Name: "flow.pattern.iat_us", Type: TypeIntList, Datasets: flowOnly, Doc: "Microseconds between each of the first packets and the one before it (0 for the first).",
		Get: func(r *Record, v *Value) bool { v.Ints = r.Flow.PatternIATMicros; return len(v.Ints) > 0 }},
	{Name: "flow.fragments", Type: TypeInt, Datasets: flowOnly, Doc: "IP datagrams of the flow that were reassembled from fragments.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Flow.Fragment), r.Flow.Fragment != 0 })},
	{Name: "flow.mpls.labels", Type: TypeIntList, Datasets: flowLike, Doc: "MPLS label stack of the flow's first packet, outermost first.",
		Get: func(r *Record, v *Value) bool {
			if len(r.Flow.MPLS) == 0 {
				return false
			}
			v.scratch = v.scratch[:0]
			for _, l := range r.Flow.MPLS {
				v.scratch = append(v.scratch, int32(l)) //nolint:gosec // labels are 20 bits
			}
			v.Ints = v.scratch
			return true
		}},
	{Name: "flow.tunnel.types", Type: TypeStringList, Datasets: flowOnly, Doc: "Encapsulations around the flow, outermost first: gre, erspan, vxlan, geneve, gtp-u, ipip, ipv6-in-ip, teredo.",
		Get: func(r *Record, v *Value) bool { v.Strs = r.Flow.Tunnel.Types; return len(v.Strs) > 0 }},
	{Name: "flow.tunnel.source.ip", Type: TypeIP, Datasets: flowOnly, Doc: "Source address of the outermost tunnel header.",
		Get: ip(func(r *Record) netip.Addr { return r.Flow.Tunnel.Source })},
	{Name: "flow.tunnel.destination.ip", Type: TypeIP, Datasets: flowOnly, Doc: "Destination address of the outermost tunnel header.",
		Get: ip(func(r *Record) netip.Addr { return r.Flow.Tunnel.Destination })},
	{Name: "flow.tunnel.id", Type: TypeInt, Datasets: flowOnly, Doc: "Innermost tunnel identifier: VXLAN/Geneve VNI, GTP TEID, GRE key or ERSPAN session id.",
		Get: num(func(r *Record) (int64, bool) { return int64(r.Flow.Tunnel.ID), r.Flow.Tunnel.HasID })},
}

// noNetFlow stands in for the group on records that lack it.
var noNetFlow NetFlow

func nf(r *Record) *NetFlow {
	if r.NetFlow == nil {
		return &noNetFlow
	}
	return r.NetFlow
}

// fieldIndex maps a field's name to its index in Fields.
var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(Fields))
	for i := range Fields {
		if _, dup := m[Fields[i].Name]; dup {
			panic("record: duplicate field " + Fields[i].Name)
		}
		m[Fields[i].Name] = i
	}
	return m
}()

// AllFields returns every field of the schema, in its order.
func AllFields() []*Field {
	out := make([]*Field, len(Fields))
	for i := range Fields {
		out[i] = &Fields[i]
	}
	return out
}

// Lookup returns the field with the given dotted name.
func Lookup(name string) (*Field, bool) {
	i, ok := fieldIndex[name]
	if !ok {
		return nil, false
	}
	return &Fields[i], true
}

// LookupIndex returns the index in Fields of the field with the given
// dotted name (LogField.Field holds such an index).
func LookupIndex(name string) (int, bool) {
	i, ok := fieldIndex[name]
	return i, ok
}

// Markdown renders the schema table as the content of docs/schema.md.
func Markdown() []byte {
	var b strings.Builder
	b.WriteString("# Record schema\n\n")
	b.WriteString("Generated from `internal/record/schema.go` by `make generate`; do not edit.\n\n")
	b.WriteString("Every record is one JSON object with nested groups as ECS writes them (`{\"source\":{\"ip\":…}}`).\n")
	b.WriteString("Absent values are left out. Times are RFC 3339 UTC with microseconds; `event.duration` is in nanoseconds.\n")
	b.WriteString("ECS: ✓ when the name and meaning are the Elastic Common Schema's.\n\n")
	b.WriteString("| field | type | ECS | datasets | description |\n|---|---|---|---|---|\n")
	for _, f := range Fields {
		ecs := ""
		if f.ECS {
			ecs = "✓"
		}
		ds := "all"
		if f.Datasets != nil {
			parts := make([]string, len(f.Datasets))
			for i, d := range f.Datasets {
				parts[i] = string(d)
			}
			ds = strings.Join(parts, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f.Name, f.Type, ecs, ds, strings.ReplaceAll(f.Doc, "|", `\|`))
	}
	return []byte(b.String())
}
