package signature_test

import (
	"bytes"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/signature"
)

// maxInput caps fuzz inputs: the engine probes at most 4 KiB a side.
const maxInput = 4096

// FuzzProbe calls every signature's probe on fuzzed bytes and hints: no
// panic, a valid verdict, and the input left as it was.
func FuzzProbe(f *testing.F) {
	for _, s := range [][]byte{
		[]byte("GNUTELLA CONNECT/0.6\r\n"), gnutellaPing, []byte("GND\x02\x00\x01\x01\x01x"),
		hx("000100002112a442414b37515079504b39657556"), hx("4544000100000408090805574105020004de12db"),
		hx("01000014000102030405060708090a0b0c0d0e0f"), []byte("M-SEARCH * HTTP/1.1\r\n"),
		[]byte("\x13BitTorrent protocol"), hx("3839fded2daa10a4370000000000"), hx("000e3839fded2daa10a4370000000000"),
		hx("302902010104067075626c6963a11c02041eb1a1fb020100020100300e300c06082b060102010104000500"),
		hx("6a82011b30820117a103020105a20302010aa35830563048a103020102a241043f303da003020117a2360434b60e0b50"),
		[]byte("REGISTER sip:a SIP/2.0\r\n"), hx("16fefd0000000000000000000c010000000000000000000000"),
		hx("030000130ee00000000000010008000b000000"), hx("056405c901000004a657"), []byte("\x00\x01f\x00octet\x00"),
		[]byte("<34>1 2003-10-11T22:14:15.003Z host"), []byte("ZBXD\x01"), []byte("*1\r\n$4\r\nPING\r\n"),
	} {
		for h := range uint8(8) {
			f.Add(s, h)
		}
	}
	sigs := signature.Signatures()
	f.Fuzz(func(t *testing.T, data []byte, hb uint8) {
		if len(data) > maxInput {
			return
		}
		h := dissect.Hint{FromClient: hb&1 != 0, OnPort: hb&2 != 0, TCP: hb&4 != 0}
		orig := bytes.Clone(data)
		for _, s := range sigs {
			v := s.Probe(data, h)
			if v != dissect.No && v != dissect.Maybe && v != dissect.Yes {
				t.Fatalf("%s: verdict %d", s.Name, v)
			}
			if v == dissect.Yes && !h.TCP && !s.UDP || v == dissect.Yes && h.TCP && !s.TCP {
				t.Fatalf("%s: Yes on a transport it does not register", s.Name)
			}
			if !bytes.Equal(data, orig) {
				t.Fatalf("%s: probe modified its input", s.Name)
			}
		}
	})
}
