package tls

import (
	"fmt"
	"strconv"
	"strings"
)

// Extension numbers the parser decodes (IANA TLS ExtensionType registry).
const (
	ExtServerName          uint16 = 0x0000
	ExtSupportedGroups     uint16 = 0x000a
	ExtECPointFormats      uint16 = 0x000b
	ExtSignatureAlgorithms uint16 = 0x000d
	ExtALPN                uint16 = 0x0010
	ExtSupportedVersions   uint16 = 0x002b
	ExtECH                 uint16 = 0xfe0d
)

// IsGREASE reports whether v is one of the RFC 8701 GREASE values
// (0x0a0a, 0x1a1a, …, 0xfafa), which JA3 and JA4 both ignore.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// ClientHello holds the fields of a TLS ClientHello that fingerprints and
// records need. Lists keep wire order and GREASE values; the fingerprint
// functions drop GREASE as their specs require. Strings are copies, so a
// ClientHello stays valid after the input buffer is reused.
type ClientHello struct {
	LegacyVersion       uint16   // client_version field (0x0303 for TLS 1.2 and 1.3)
	CipherSuites        []uint16 // in wire order
	CompressionMethods  []uint8
	Extensions          []uint16 // extension types in wire order
	ServerName          string   // first host_name of the server_name extension
	ALPN                []string // protocols offered, in order
	SupportedGroups     []uint16
	ECPointFormats      []uint8
	SignatureAlgorithms []uint16
	SupportedVersions   []uint16 // supported_versions extension, in order
	ECH                 bool     // encrypted_client_hello extension present
}

// ServerHello holds the fields of a TLS ServerHello.
type ServerHello struct {
	LegacyVersion    uint16 // server_version field
	SupportedVersion uint16 // selected_version from supported_versions, 0 if absent
	CipherSuite      uint16
	Compression      uint8
	Extensions       []uint16 // extension types in wire order
	ALPN             string   // protocol chosen, "" if none
	HelloRetry       bool     // the random is RFC 8446's HelloRetryRequest value
}

// Version returns the negotiated protocol version: the supported_versions
// selection when present (TLS 1.3), else the legacy version field.
func (sh *ServerHello) Version() uint16 {
	if sh.SupportedVersion != 0 {
		return sh.SupportedVersion
	}
	return sh.LegacyVersion
}

// MaxVersion returns the highest non-GREASE version the client offers:
// from supported_versions when present, else the legacy version field.
func (ch *ClientHello) MaxVersion() uint16 {
	var best uint16
	for _, v := range ch.SupportedVersions {
		if !IsGREASE(v) && versionRank(v) > versionRank(best) {
			best = v
		}
	}
	if best == 0 {
		return ch.LegacyVersion
	}
	return best
}

// versionRank orders versions so that DTLS (whose numbers count down)
// compares correctly with TLS.
func versionRank(v uint16) int {
	switch v {
	case 0xfeff: // DTLS 1.0 ~ TLS 1.1
		return 0x0302
	case 0xfefd: // DTLS 1.2
		return 0x0303
	case 0xfefc: // DTLS 1.3
		return 0x0304
	}
	return int(v)
}

// VersionName returns the conventional name of a protocol version
// ("TLSv1.2", "SSLv3", …) or its hex value when unknown.
func VersionName(v uint16) string {
	switch v {
	case 0x0200:
		return "SSLv2"
	case 0x0300:
		return "SSLv3"
	case 0x0301:
		return "TLSv1"
	case 0x0302:
		return "TLSv1.1"
	case 0x0303:
		return "TLSv1.2"
	case 0x0304:
		return "TLSv1.3"
	case 0xfeff:
		return "DTLSv1.0"
	case 0xfefd:
		return "DTLSv1.2"
	case 0xfefc:
		return "DTLSv1.3"
	}
	if v == 0xfb1a {
		return "TLSv1.3 (Fizz)" // Facebook's Fizz draft-era TLS 1.3 code point
	}
	if v>>8 == 0x7f {
		return fmt.Sprintf("TLSv1.3 (draft %d)", v&0xff)
	}
	return fmt.Sprintf("0x%04x", v)
}

var helloRetryRandom = [32]byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// ParseClientHello parses the body of a ClientHello handshake message (the
// bytes after the 4-byte handshake header). Errors wrap ErrTruncated or
// ErrMalformed.
func ParseClientHello(body []byte) (*ClientHello, error) {
	r := reader(body)
	ch := &ClientHello{}
	var sess, suites, comp reader
	if !r.u16(&ch.LegacyVersion) || !r.skip(32) || !r.vec8(&sess) {
		return nil, fmt.Errorf("tls: client hello header: %w", ErrTruncated)
	}
	if !r.vec16(&suites) {
		return nil, fmt.Errorf("tls: client hello cipher suites: %w", ErrTruncated)
	}
	if len(suites)%2 != 0 {
		return nil, fmt.Errorf("tls: client hello cipher suites odd length: %w", ErrMalformed)
	}
	ch.CipherSuites = make([]uint16, 0, len(suites)/2)
	for !suites.empty() {
		var c uint16
		suites.u16(&c)
		ch.CipherSuites = append(ch.CipherSuites, c)
	}
	if !r.vec8(&comp) {
		return nil, fmt.Errorf("tls: client hello compression: %w", ErrTruncated)
	}
	ch.CompressionMethods = append([]uint8(nil), comp...)
	if r.empty() { // extensions are optional before TLS 1.2
		return ch, nil
	}
	var exts reader
	if !r.vec16(&exts) {
		return nil, fmt.Errorf("tls: client hello extensions: %w", ErrTruncated)
	}
	for !exts.empty() {
		var typ uint16
		var data reader
		if !exts.u16(&typ) || !exts.vec16(&data) {
			return nil, fmt.Errorf("tls: client hello extension %d: %w", len(ch.Extensions), ErrTruncated)
		}
		ch.Extensions = append(ch.Extensions, typ)
		if err := ch.parseExtension(typ, data); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

func (ch *ClientHello) parseExtension(typ uint16, data reader) error {
	bad := func() error {
		return fmt.Errorf("tls: client hello extension 0x%04x: %w", typ, ErrMalformed)
	}
	switch typ {
	case ExtServerName:
		var list reader
		if !data.vec16(&list) {
			return bad()
		}
		for !list.empty() {
			var nameType uint8
			var name reader
			if !list.u8(&nameType) || !list.vec16(&name) {
				return bad()
			}
			if nameType == 0 && ch.ServerName == "" {
				ch.ServerName = string(name)
			}
		}
	case ExtALPN:
		var list reader
		if !data.vec16(&list) {
			return bad()
		}
		for !list.empty() {
			var p reader
			if !list.vec8(&p) {
				return bad()
			}
			ch.ALPN = append(ch.ALPN, string(p))
		}
	case ExtSupportedGroups:
		var list reader
		if !data.vec16(&list) {
			return bad()
		}
		ch.SupportedGroups = u16s(list)
	case ExtECPointFormats:
		var list reader
		if !data.vec8(&list) {
			return bad()
		}
		ch.ECPointFormats = append([]uint8(nil), list...)
	case ExtSignatureAlgorithms:
		var list reader
		if !data.vec16(&list) {
			return bad()
		}
		ch.SignatureAlgorithms = u16s(list)
	case ExtSupportedVersions:
		var list reader
		if !data.vec8(&list) {
			return bad()
		}
		ch.SupportedVersions = u16s(list)
	case ExtECH:
		ch.ECH = true
	}
	return nil
}

// u16s decodes a list of big-endian uint16; a trailing odd byte is ignored.
func u16s(b reader) []uint16 {
	out := make([]uint16, 0, len(b)/2)
	for len(b) >= 2 {
		var v uint16
		b.u16(&v)
		out = append(out, v)
	}
	return out
}

// ParseServerHello parses the body of a ServerHello handshake message.
// Errors wrap ErrTruncated or ErrMalformed.
func ParseServerHello(body []byte) (*ServerHello, error) {
	r := reader(body)
	sh := &ServerHello{}
	var random []byte
	var sess reader
	var ok bool
	if !r.u16(&sh.LegacyVersion) {
		return nil, fmt.Errorf("tls: server hello version: %w", ErrTruncated)
	}
	if random, ok = r.bytes(32); !ok || !r.vec8(&sess) || !r.u16(&sh.CipherSuite) || !r.u8(&sh.Compression) {
		return nil, fmt.Errorf("tls: server hello header: %w", ErrTruncated)
	}
	sh.HelloRetry = [32]byte(random) == helloRetryRandom
	if r.empty() {
		return sh, nil
	}
	var exts reader
	if !r.vec16(&exts) {
		return nil, fmt.Errorf("tls: server hello extensions: %w", ErrTruncated)
	}
	for !exts.empty() {
		var typ uint16
		var data reader
		if !exts.u16(&typ) || !exts.vec16(&data) {
			return nil, fmt.Errorf("tls: server hello extension %d: %w", len(sh.Extensions), ErrTruncated)
		}
		sh.Extensions = append(sh.Extensions, typ)
		switch typ {
		case ExtSupportedVersions:
			if !data.u16(&sh.SupportedVersion) {
				return nil, fmt.Errorf("tls: server hello supported_versions: %w", ErrMalformed)
			}
		case ExtALPN:
			var list, p reader
			if !data.vec16(&list) || !list.vec8(&p) {
				return nil, fmt.Errorf("tls: server hello alpn: %w", ErrMalformed)
			}
			sh.ALPN = string(p)
		}
	}
	return sh, nil
}

// joinU16 writes vs as decimal numbers separated by sep, skipping GREASE.
func joinU16(sb *strings.Builder, vs []uint16, sep byte) {
	first := true
	for _, v := range vs {
		if IsGREASE(v) {
			continue
		}
		if !first {
			sb.WriteByte(sep)
		}
		first = false
		sb.WriteString(strconv.Itoa(int(v)))
	}
}
