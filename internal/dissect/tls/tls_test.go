package tls

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/google/go-cmp/cmp"
)

// fixtureStreams returns the client and server TLS streams of every TCP
// flow carrying a ClientHello in the testdata captures.
func fixtureStreams(t testing.TB) (clients, servers [][]byte) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.pcap*")
	if len(files) == 0 {
		t.Fatal("no testdata captures")
	}
	for _, f := range files {
		flows, err := testutil.ReadFlows(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, fl := range flows {
			a, b := tlsStart(fl.Stream(0)), tlsStart(fl.Stream(1))
			if !looksLikeClientHello(a) {
				a, b = b, a
			}
			if looksLikeClientHello(a) {
				clients, servers = append(clients, a), append(servers, b)
			}
		}
	}
	return clients, servers
}

// firstHandshakeBody returns the body of the first handshake message of a
// record stream (the ClientHello), reassembled across records.
func firstHandshakeBody(t testing.TB, stream []byte) []byte {
	t.Helper()
	var hs []byte
	for len(stream) >= 5 && stream[0] == recordHandshake {
		n := int(stream[3])<<8 | int(stream[4])
		if len(stream) < 5+n {
			break
		}
		hs = append(hs, stream[5:5+n]...)
		stream = stream[5+n:]
		if len(hs) >= 4 && len(hs) >= 4+(int(hs[1])<<16|int(hs[2])<<8|int(hs[3])) {
			return hs[4 : 4+(int(hs[1])<<16|int(hs[2])<<8|int(hs[3]))]
		}
	}
	t.Fatal("no complete handshake message")
	return nil
}

// TestFixtures checks the fixtures against nDPI's and Zeek's values (see
// testdata/SOURCES.md), feeding the streams one byte at a time to exercise
// record and message reassembly.
func TestFixtures(t *testing.T) {
	want := map[string]struct{ ja3, ja4, sni string }{
		"feodotracker.abuse.ch":       {"2a26b1a62e40d25d4de3babc9d532f30", "t12d6707h1_2955a3196ffa_c83f907a73d3", "feodotracker.abuse.ch"},
		"video.fmct2-3.fna.fbcdn.net": {"44dab16d680ef93487bc16ad23b3ffb1", "t00d0309h1_55b375c5d22e_566d5108064c", "video.fmct2-3.fna.fbcdn.net"},
	}
	clients, servers := fixtureStreams(t)
	seen := 0
	for i := range clients {
		s, err := NewSession(DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for j := range clients[i] {
			if err := s.Client.Feed(clients[i][j : j+1]); err != nil {
				t.Fatalf("client byte %d: %v", j, err)
			}
		}
		for j := range servers[i] {
			if err := s.Server.Feed(servers[i][j : j+1]); err != nil {
				t.Fatalf("server byte %d: %v", j, err)
			}
		}
		ch := s.Handshake.ClientHello
		if ch == nil || s.Handshake.ServerHello == nil {
			t.Fatalf("flow %d: hellos missing", i)
		}
		// One Feed call must give the same result as byte-wise feeding.
		s2, _ := NewSession(DefaultConfig())
		_ = s2.Client.Feed(clients[i])
		_ = s2.Server.Feed(servers[i])
		if diff := cmp.Diff(s.Handshake, s2.Handshake); diff != "" {
			t.Errorf("flow %d: byte-wise vs whole feed (-bytewise +whole):\n%s", i, diff)
		}
		w, ok := want[ch.ServerName]
		if !ok {
			continue
		}
		seen++
		_, ja3 := JA3(ch)
		got := struct{ ja3, ja4, sni string }{ja3, JA4(ch, false), ch.ServerName}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", ch.ServerName, got, w)
		}
	}
	if seen != len(want) {
		t.Errorf("matched %d of %d expected flows", seen, len(want))
	}
}

// TestCertificates checks the chain of the Zeek tls-conn-with-extensions
// trace against Zeek's x509.log values.
func TestCertificates(t *testing.T) {
	flows, err := testutil.ReadFlows("testdata/tls-conn-with-extensions.pcap")
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseFlow(flows[0])
	if err != nil {
		t.Fatal(err)
	}
	hs := s.Handshake
	if len(hs.Certificates) < 2 {
		t.Fatalf("certificates = %d", len(hs.Certificates))
	}
	leaf := hs.Certificates[0]
	if leaf.SHA256 != "a580247a25324adf4add5af648de4ac5798030dfd622f26a5f2280d7528ae244" {
		t.Errorf("leaf sha256 = %s", leaf.SHA256)
	}
	if !strings.HasPrefix(leaf.Subject, "CN=") || leaf.SelfSigned || len(leaf.SHA1) != 40 {
		t.Errorf("leaf = %+v", leaf)
	}
	if !hs.Completed() {
		t.Error("handshake not completed")
	}
	if got := VersionName(hs.ServerHello.Version()); got != "TLSv1" {
		t.Errorf("version = %s", got)
	}
}

// TestCertificateCache checks that a cached certificate is the one a fresh
// parse gives and that the cache stays within its bound.
func TestCertificateCache(t *testing.T) {
	flows, err := testutil.ReadFlows("testdata/tls-conn-with-extensions.pcap")
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseFlow(flows[0])
	if err != nil {
		t.Fatal(err)
	}
	first := s.Handshake.Certificates
	s, err = parseFlow(flows[0]) // now from the cache
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, s.Handshake.Certificates) {
		t.Errorf("cached chain differs:\n%+v\n%+v", first, s.Handshake.Certificates)
	}
	cc := &certCache{m: map[[32]byte]Certificate{}}
	for i := range certCacheSize + 100 {
		der := []byte(fmt.Sprintf("not a certificate %d", i))
		c := cc.get(der)
		if c.ParseError == "" || c.SHA256 == "" {
			t.Fatalf("garbage parsed: %+v", c)
		}
	}
	if len(cc.m) != certCacheSize {
		t.Errorf("cache holds %d, want %d", len(cc.m), certCacheSize)
	}
}

func TestJA4Vectors(t *testing.T) {
	// A hand-built ClientHello: GREASE everywhere, SNI and ALPN present.
	ch := &ClientHello{
		LegacyVersion:       0x0303,
		CipherSuites:        []uint16{0x0a0a, 0x1301, 0x1302, 0xc02b},
		Extensions:          []uint16{0x1a1a, 0x0000, 0x0010, 0x002b, 0x000d, 0x000a},
		ALPN:                []string{"h2", "http/1.1"},
		SupportedVersions:   []uint16{0x2a2a, 0x0304, 0x0303},
		SignatureAlgorithms: []uint16{0x0403, 0x0804},
		SupportedGroups:     []uint16{0x3a3a, 0x001d},
		ECPointFormats:      []uint8{0},
	}
	for _, tc := range []struct{ name, got, want string }{
		{"ja4", JA4(ch, false), "t13d0305h2_" + ja4Hash("1301,1302,c02b") + "_" + ja4Hash("000a,000d,002b_0403,0804")},
		{"ja4 quic", JA4(ch, true)[:4], "q13d"},
		{"ja3", func() string { s, _ := JA3(ch); return s }(), "771,4865-4866-49195,0-16-43-13-10,29,0"},
		{"alpn non-alnum", ja4ALPN("\x00abc\xff"), "0f"},
		{"alpn empty", ja4ALPN(""), "00"},
		{"alpn one char", ja4ALPN("x"), "xx"},
		{"no ciphers", ja4Hash(""), "000000000000"},
		{"ja4s", JA4S(&ServerHello{LegacyVersion: 0x0303, SupportedVersion: 0x0304, CipherSuite: 0x1301, Extensions: []uint16{0x002b, 0x0033}}, false),
			"t130200_1301_" + ja4Hash("002b,0033")},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestHostile covers the hostile inputs: garbage after a valid
// record header, a 10 MB length field, and non-TLS bytes.
func TestHostile(t *testing.T) {
	clients, _ := fixtureStreams(t)
	valid := clients[0]
	big := []byte{recordHandshake, 3, 3, 0x40, 0x00, typeClientHello, 0x98, 0x96, 0x80} // 10,000,000-byte message
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"garbage after record header", append([]byte{recordHandshake, 3, 1, 0x01, 0x00}, bytes.Repeat([]byte{0xff}, 256)...), ErrTooLarge}, // type 255, length 16 MiB - 1
		{"10 MB handshake length", big, ErrTooLarge},
		{"10 MB record length", []byte{recordApplicationData, 3, 3, 0xff, 0xff}, ErrTooLarge},
		{"http", []byte("GET / HTTP/1.1\r\n\r\n"), ErrMalformed},
		{"truncated hello", append([]byte{recordHandshake, 3, 1, 0, 8, typeClientHello, 0, 0, 4}, 3, 3, 0, 0), ErrTruncated},
		{"valid then garbage", append(append([]byte(nil), valid...), 0x99, 0x99, 0x99, 0x99, 0x99), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := NewSession(DefaultConfig())
			err := s.Client.Feed(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(s.Client.msg) > DefaultConfig().MaxMessageSize+4 {
				t.Errorf("buffered %d bytes", len(s.Client.msg))
			}
			if err2 := s.Client.Feed([]byte{1, 2, 3}); err2 != err {
				t.Errorf("parser not stopped: %v", err2)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSession(Config{MaxMessageSize: 10}); err == nil {
		t.Error("tiny MaxMessageSize accepted")
	}
	if !IsGREASE(0xfafa) || IsGREASE(0x0a1a) {
		t.Error("IsGREASE")
	}
	if CipherSuiteName(0x1301) != "TLS_AES_128_GCM_SHA256" || CipherSuiteName(0xeeee) != "0xeeee" {
		t.Error("CipherSuiteName")
	}
}
