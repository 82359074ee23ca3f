package dhcp

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func build(op byte, opts ...[]byte) []byte {
	b := make([]byte, fixedHeaderSize, 300)
	b[0], b[1], b[2] = op, 1, 6
	binary.BigEndian.PutUint32(b[4:], 0xdeadbeef)
	copy(b[16:20], []byte{10, 0, 0, 9})
	copy(b[28:], []byte{0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29})
	b = binary.BigEndian.AppendUint32(b, magicCookie)
	for _, o := range opts {
		b = append(b, o...)
	}
	return append(b, optEnd)
}

func opt(code byte, v ...byte) []byte { return append([]byte{code, byte(len(v))}, v...) }

func TestParse(t *testing.T) {
	p := build(2,
		opt(optMsgType, byte(Ack)),
		opt(optServerID, 10, 0, 0, 1),
		opt(optLeaseTime, 0, 0, 0x0e, 0x10),
		opt(optHostName, []byte("host\x00")...),
		opt(optDomainName, []byte("example.org")...),
		opt(optParamReq, 1, 3, 6),
		[]byte{optPad, optPad},
		opt(optParamReq, 15, 119), // RFC 3396 continuation
		opt(optVendorClass, []byte("MSFT 5.0")...),
		opt(optClientID, 1, 0x90, 0xb1),
		opt(optClientFQDN, 0x04, 0, 0, 4, 'h', 'o', 's', 't', 3, 'o', 'r', 'g', 0),
	)
	m, err := Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	want := &Message{
		Op: 2, XID: 0xdeadbeef, HType: 1, YIAddr: netip.MustParseAddr("10.0.0.9"), ClientMAC: "90:b1:1c:99:49:29",
		Type: Ack, HostName: "host", DomainName: "example.org", ServerID: netip.MustParseAddr("10.0.0.1"),
		LeaseTime: 3600, HasLeaseTime: true, ParamRequestList: []uint8{1, 3, 6, 15, 119}, VendorClass: "MSFT 5.0",
		ClientID: "0190b1", ClientFQDN: "host.org",
		Options: []uint8{53, 54, 51, 12, 15, 55, 55, 60, 61, 81},
	}
	if diff := cmp.Diff(want, m, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := m.Fingerprint(); got != "1,3,6,15,119" {
		t.Errorf("fingerprint %q", got)
	}
	if Ack.String() != "ACK" || MsgType(99).String() != "UNKNOWN-99" {
		t.Error("type names")
	}
}

func TestOverload(t *testing.T) {
	p := build(1, opt(optMsgType, byte(Discover)), opt(optOverload, 1))
	copy(p[108:], opt(optHostName, 'f', 'i', 'l', 'e'))
	p[108+6] = optEnd
	m, err := Parse(p)
	if err != nil || m.HostName != "file" {
		t.Fatalf("host %q err %v", m.HostName, err)
	}
}

func TestErrors(t *testing.T) {
	good := build(1, opt(optMsgType, 1))
	noCookie := append([]byte(nil), good...)
	noCookie[fixedHeaderSize] = 0
	badOp := append([]byte(nil), good...)
	badOp[0] = 7
	badHlen := append([]byte(nil), good...)
	badHlen[2] = 17
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short", good[:100], ErrTruncated},
		{"no cookie", noCookie, ErrMalformed},
		{"bad op", badOp, ErrMalformed},
		{"bad hlen", badHlen, ErrMalformed},
		{"option overruns", append(good[:len(good)-1], optHostName, 40, 'x'), ErrTruncated},
		{"huge", make([]byte, MaxMessageSize+1), ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
