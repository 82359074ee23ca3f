package netflow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	gfnetflow "github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"

	"github.com/flowsift/flowsift/internal/communityid"
	"github.com/flowsift/flowsift/internal/record"
)

// Config bounds what a Decoder keeps per exporter.
type Config struct {
	// MaxTemplates caps the templates kept over all exporters; a template
	// beyond it is refused and counted.
	MaxTemplates int
	// MaxPending caps the data sets held while their template is unknown;
	// the oldest is dropped and counted beyond it.
	MaxPending int
	// MaxPendingBytes caps the bytes of those data sets.
	MaxPendingBytes int
}

// DefaultConfig returns working bounds.
func DefaultConfig() Config {
	return Config{MaxTemplates: 65536, MaxPending: 1024, MaxPendingBytes: 4 << 20}
}

// Validate checks the settings.
func (c Config) Validate() error {
	var errs []error
	if c.MaxTemplates < 1 {
		errs = append(errs, fmt.Errorf("netflow.max_templates: %d must be positive", c.MaxTemplates))
	}
	if c.MaxPending < 0 || c.MaxPendingBytes < 0 {
		errs = append(errs, errors.New("netflow.max_pending: must not be negative"))
	}
	return errors.Join(errs...)
}

// Stats counts what a Decoder saw.
type Stats struct {
	Packets        uint64 // export packets decoded (or tried)
	Records        uint64 // flow records produced
	OptionRecords  uint64 // options data records read (sampling, interfaces, …)
	Templates      uint64 // template and options template records learnt
	Withdrawals    uint64 // templates withdrawn by the exporter
	DecodeErrors   uint64 // packets or sets that could not be decoded
	UnknownVersion uint64 // packets that are not NetFlow v5/v9 or IPFIX
	Pending        uint64 // data sets held because their template was unknown
	Backfilled     uint64 // held data sets decoded when the template came
	NoTemplate     uint64 // held data sets dropped without a template (bounds)
	TemplatesFull  uint64 // templates refused by MaxTemplates
	SequenceGaps   uint64 // times an exporter's sequence number jumped forward
	Lost           uint64 // export packets (v9) or flows (v5, IPFIX) the gaps say were lost
}

// Deps are what records are stamped with.
type Deps struct {
	Observer string // observer.name of the collector
	Tenant   string
}

type domainKey struct {
	exporter netip.Addr
	version  uint16
	domain   uint32
}

type templateKey struct {
	domainKey
	id uint16
}

type samplerKey struct {
	domainKey
	sampler uint64
}

type seqState struct {
	next uint32
	ok   bool
}

type pendingSet struct {
	key  templateKey
	hdr  header
	data []byte
}

// header is what data records need from their packet's header.
type header struct {
	version  uint16
	exporter netip.Addr
	domain   uint32
	uptimeMs uint32 // v5/v9 sysUptime
	exportS  uint32 // unix seconds of the export
	exportNs uint32 // v5
	v5Rate   uint64
}

// Decoder decodes export packets into records. Not safe for concurrent
// use.
type Decoder struct {
	cfg  Config
	deps Deps

	templates map[templateKey]*template
	sampling  map[samplerKey]uint64
	sysInit   map[domainKey]uint64 // IPFIX systemInitTimeMilliseconds
	seq       map[domainKey]seqState
	pending   []pendingSet
	pendBytes int

	ids   *record.IDGenerator
	cid   *communityid.Hasher
	buf   bytes.Buffer
	v5    netflowlegacy.PacketNetFlowV5
	stats Stats
}

// New returns a Decoder.
func New(cfg Config, deps Deps) (*Decoder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Decoder{cfg: cfg, deps: deps, templates: map[templateKey]*template{},
		sampling: map[samplerKey]uint64{}, sysInit: map[domainKey]uint64{}, seq: map[domainKey]seqState{},
		ids: record.NewIDGenerator(), cid: communityid.New(0)}, nil
}

// Stats returns the counters so far.
func (d *Decoder) Stats() Stats { return d.stats }

// ErrUnknownVersion marks a packet that is not NetFlow v5/v9 or IPFIX.
var ErrUnknownVersion = errors.New("not a NetFlow v5, v9 or IPFIX packet")

// Decode appends the flow records of one export packet from exporter to
// out. Records of data sets held earlier for want of a template are
// appended too when this packet brings it. On a malformed packet the
// records decoded before the fault are kept and an error is returned.
// The payload is not retained.
func (d *Decoder) Decode(exporter netip.Addr, payload []byte, out []record.Record) ([]record.Record, error) {
	d.stats.Packets++
	exporter = exporter.Unmap()
	if len(payload) < 2 {
		d.stats.DecodeErrors++
		return out, fmt.Errorf("netflow: %d-byte packet", len(payload))
	}
	var err error
	switch v := binary.BigEndian.Uint16(payload); v {
	case 5:
		out, err = d.decodeV5(exporter, payload, out)
	case 9, 10:
		out, err = d.decodeV9(v, exporter, payload, out)
	default:
		d.stats.UnknownVersion++
		return out, fmt.Errorf("netflow: version %d: %w", v, ErrUnknownVersion)
	}
	if err != nil {
		d.stats.DecodeErrors++
	}
	return out, err
}

func (d *Decoder) decodeV5(exporter netip.Addr, payload []byte, out []record.Record) ([]record.Record, error) {
	d.buf.Reset()
	d.buf.Write(payload)
	p := &d.v5
	*p = netflowlegacy.PacketNetFlowV5{Records: p.Records[:0]}
	if err := netflowlegacy.DecodeMessageVersion(&d.buf, p); err != nil {
		return out, fmt.Errorf("netflow v5: %w", err)
	}
	// The header's count may claim more records than the packet holds;
	// only those present are decoded.
	n := min(int(p.Count), (len(payload)-24)/48)
	h := header{version: 5, exporter: exporter, uptimeMs: p.SysUptime, exportS: p.UnixSecs, exportNs: p.UnixNSecs}
	if iv := uint64(p.SamplingInterval & 0x3fff); iv > 0 {
		h.v5Rate = iv
	}
	d.sequence(domainKey{exporter, 5, uint32(p.EngineType)<<8 | uint32(p.EngineId)}, p.FlowSequence, uint32(n)) //nolint:gosec // n ≤ 65535
	for i := range n {
		f := &p.Records[i]
		var v vals
		v.ip[ipSrc], v.ip[ipDst], v.ip[ipNextHop] = v4(uint32(f.SrcAddr)), v4(uint32(f.DstAddr)), v4(uint32(f.NextHop))
		v.put(kInIf, uint64(f.Input))
		v.put(kOutIf, uint64(f.Output))
		v.put(kPackets, uint64(f.DPkts))
		v.put(kOctets, uint64(f.DOctets))
		v.put(kStartUptime, uint64(f.First))
		v.put(kEndUptime, uint64(f.Last))
		v.put(kSrcPort, uint64(f.SrcPort))
		v.put(kDstPort, uint64(f.DstPort))
		v.put(kTCPFlags, uint64(f.TCPFlags))
		v.put(kProto, uint64(f.Proto))
		v.put(kToS, uint64(f.Tos))
		if f.SrcAS != 0 {
			v.put(kSrcAS, uint64(f.SrcAS))
		}
		if f.DstAS != 0 {
			v.put(kDstAS, uint64(f.DstAS))
		}
		out = append(out, record.Record{})
		d.finish(&out[len(out)-1], &h, &v)
	}
	return out, nil
}

func v4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// decodeV9 walks the sets of a v9 or IPFIX packet by their lengths (never
// by the v9 header's count, which some exporters get wrong).
func (d *Decoder) decodeV9(version uint16, exporter netip.Addr, payload []byte, out []record.Record) ([]record.Record, error) {
	var h header
	h.version, h.exporter = version, exporter
	var seq uint32
	var body []byte
	if version == 9 {
		if len(payload) < 20 {
			return out, fmt.Errorf("netflow v9: %d-byte header", len(payload))
		}
		h.uptimeMs = binary.BigEndian.Uint32(payload[4:])
		h.exportS = binary.BigEndian.Uint32(payload[8:])
		seq = binary.BigEndian.Uint32(payload[12:])
		h.domain = binary.BigEndian.Uint32(payload[16:])
		body = payload[20:]
	} else {
		if len(payload) < 16 {
			return out, fmt.Errorf("ipfix: %d-byte header", len(payload))
		}
		l := int(binary.BigEndian.Uint16(payload[2:]))
		if l < 16 || l > len(payload) {
			return out, fmt.Errorf("ipfix: message length %d, packet %d bytes", l, len(payload))
		}
		h.exportS = binary.BigEndian.Uint32(payload[4:])
		seq = binary.BigEndian.Uint32(payload[8:])
		h.domain = binary.BigEndian.Uint32(payload[12:])
		body = payload[16:l]
	}
	dk := domainKey{exporter, version, h.domain}
	before := d.stats.Records + d.stats.OptionRecords
	var err error
	for len(body) >= 4 {
		id := binary.BigEndian.Uint16(body)
		l := int(binary.BigEndian.Uint16(body[2:]))
		if l < 4 || l > len(body) {
			err = fmt.Errorf("%s: set %d of length %d with %d bytes left", protoName(version), id, l, len(body))
			break
		}
		set := body[4:l]
		body = body[l:]
		switch {
		case id == 0 && version == 9, id == 2 && version == 10:
			out, err = d.templateSet(version, dk, set, out)
		case id == 1 && version == 9, id == 3 && version == 10:
			out, err = d.optionsTemplateSet(version, dk, set, out)
		case id >= 256:
			key := templateKey{dk, id}
			t := d.templates[key]
			if t == nil {
				d.hold(key, h, set)
				continue
			}
			out = d.dataSet(t, &h, set, out)
		default:
			err = fmt.Errorf("%s: reserved set id %d", protoName(version), id)
		}
		if err != nil {
			break
		}
	}
	// v9 numbers export packets; IPFIX numbers data records, options
	// data records included.
	n := uint32(1)
	if version == 10 {
		n = uint32(d.stats.Records + d.stats.OptionRecords - before) //nolint:gosec // bounded by the packet
	}
	d.sequence(dk, seq, n)
	return out, err
}

func protoName(version uint16) string {
	switch version {
	case 5:
		return "netflow5"
	case 9:
		return "netflow9"
	}
	return "ipfix"
}

// sequence counts gaps in an exporter's sequence numbers. n is what this
// packet adds to the sequence.
func (d *Decoder) sequence(k domainKey, seq, n uint32) {
	st, ok := d.seq[k]
	if ok && st.ok && seq != st.next {
		// A jump forward of less than 2^31 is a loss; anything else is
		// a restart or reordering, not counted.
		if gap := seq - st.next; gap < 1<<31 {
			d.stats.SequenceGaps++
			d.stats.Lost += uint64(gap)
		}
	}
	if !ok && len(d.seq) >= d.cfg.MaxTemplates {
		return
	}
	d.seq[k] = seqState{next: seq + n, ok: true}
}

func (d *Decoder) templateSet(version uint16, dk domainKey, set []byte, out []record.Record) ([]record.Record, error) {
	d.buf.Reset()
	d.buf.Write(set)
	recs, err := gfnetflow.DecodeTemplateSet(version, &d.buf)
	for _, tr := range recs {
		key := templateKey{dk, tr.TemplateId}
		if tr.TemplateId < 256 {
			if version == 10 && tr.TemplateId == 2 && tr.FieldCount == 0 {
				d.withdrawAll(dk, false)
			}
			continue
		}
		if tr.FieldCount == 0 {
			if _, ok := d.templates[key]; ok {
				delete(d.templates, key)
				d.stats.Withdrawals++
			}
			continue
		}
		out = d.learn(key, compile(version, tr.Fields, false), out)
	}
	if err != nil {
		return out, fmt.Errorf("%s template set: %w", protoName(version), err)
	}
	return out, nil
}

func (d *Decoder) optionsTemplateSet(version uint16, dk domainKey, set []byte, out []record.Record) ([]record.Record, error) {
	// An IPFIX withdrawal is 4 bytes (id, count 0): too short for the
	// options template header goflow2 reads.
	if version == 10 && len(set) >= 4 && len(set) < 6 {
		id := binary.BigEndian.Uint16(set)
		if binary.BigEndian.Uint16(set[2:]) == 0 {
			if id == 3 {
				d.withdrawAll(dk, true)
			} else if _, ok := d.templates[templateKey{dk, id}]; ok {
				delete(d.templates, templateKey{dk, id})
				d.stats.Withdrawals++
			}
		}
		return out, nil
	}
	d.buf.Reset()
	d.buf.Write(set)
	var err error
	if version == 9 {
		var recs []gfnetflow.NFv9OptionsTemplateRecord
		recs, err = gfnetflow.DecodeNFv9OptionsTemplateSet(&d.buf)
		for _, tr := range recs {
			if tr.TemplateId >= 256 {
				out = d.learn(templateKey{dk, tr.TemplateId}, compile(version, append(tr.Scopes, tr.Options...), true), out)
			}
		}
	} else {
		var recs []gfnetflow.IPFIXOptionsTemplateRecord
		recs, err = gfnetflow.DecodeIPFIXOptionsTemplateSet(&d.buf)
		for _, tr := range recs {
			if tr.TemplateId >= 256 {
				out = d.learn(templateKey{dk, tr.TemplateId}, compile(version, append(tr.Scopes, tr.Options...), true), out)
			}
		}
	}
	if err != nil {
		return out, fmt.Errorf("%s options template set: %w", protoName(version), err)
	}
	return out, nil
}

func (d *Decoder) withdrawAll(dk domainKey, options bool) {
	for k, t := range d.templates {
		if k.domainKey == dk && t.options == options {
			delete(d.templates, k)
			d.stats.Withdrawals++
		}
	}
}

// learn stores a template and decodes the data sets held for it.
func (d *Decoder) learn(key templateKey, t *template, out []record.Record) []record.Record {
	if _, ok := d.templates[key]; !ok && len(d.templates) >= d.cfg.MaxTemplates {
		d.stats.TemplatesFull++
		return out
	}
	d.templates[key] = t
	d.stats.Templates++
	if len(d.pending) == 0 {
		return out
	}
	kept := d.pending[:0]
	for _, p := range d.pending {
		if p.key != key {
			kept = append(kept, p)
			continue
		}
		d.stats.Backfilled++
		d.pendBytes -= len(p.data)
		hdr := p.hdr
		out = d.dataSet(t, &hdr, p.data, out)
	}
	clear(d.pending[len(kept):])
	d.pending = kept
	return out
}

// hold keeps a copy of a data set until its template arrives, within
// the bounds; the oldest held sets make room.
func (d *Decoder) hold(key templateKey, h header, set []byte) {
	if len(set) > d.cfg.MaxPendingBytes || d.cfg.MaxPending == 0 {
		d.stats.NoTemplate++
		return
	}
	for len(d.pending) > 0 && (len(d.pending) >= d.cfg.MaxPending || d.pendBytes+len(set) > d.cfg.MaxPendingBytes) {
		d.pendBytes -= len(d.pending[0].data)
		d.pending[0] = pendingSet{}
		d.pending = d.pending[1:]
		d.stats.NoTemplate++
	}
	d.pending = append(d.pending, pendingSet{key: key, hdr: h, data: bytes.Clone(set)})
	d.pendBytes += len(set)
	d.stats.Pending++
}

// PendingSets returns how many data sets are held for want of a template.
func (d *Decoder) PendingSets() int { return len(d.pending) }
