package tls

import (
	"crypto/md5" //nolint:gosec // JA3 is defined as an MD5 digest
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// JA3 returns the JA3 string of a ClientHello and its MD5 hex digest
// (Salesforce JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,
// EllipticCurvePointFormats", decimal values joined by '-', GREASE removed).
func JA3(ch *ClientHello) (str, hash string) {
	var sb strings.Builder
	sb.Grow(256)
	sb.WriteString(strconv.Itoa(int(ch.LegacyVersion)))
	sb.WriteByte(',')
	joinU16(&sb, ch.CipherSuites, '-')
	sb.WriteByte(',')
	joinU16(&sb, ch.Extensions, '-')
	sb.WriteByte(',')
	joinU16(&sb, ch.SupportedGroups, '-')
	sb.WriteByte(',')
	for i, f := range ch.ECPointFormats {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(strconv.Itoa(int(f)))
	}
	str = sb.String()
	return str, md5hex(str)
}

// JA3S returns the JA3S string of a ServerHello ("SSLVersion,Cipher,
// Extensions") and its MD5 hex digest.
func JA3S(sh *ServerHello) (str, hash string) {
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(int(sh.LegacyVersion)))
	sb.WriteByte(',')
	sb.WriteString(strconv.Itoa(int(sh.CipherSuite)))
	sb.WriteByte(',')
	joinU16(&sb, sh.Extensions, '-')
	str = sb.String()
	return str, md5hex(str)
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s)) //nolint:gosec // JA3 is defined as MD5
	return hex.EncodeToString(h[:])
}

// JA4 returns the FoxIO JA4 TLS client fingerprint, "a_b_c":
//   - a: protocol ('t' TCP, 'q' QUIC), highest offered version (from
//     supported_versions if present), 'd' if SNI is present else 'i',
//     two-digit counts of ciphers and extensions (GREASE excluded, capped at
//     99), and the first and last characters of the first ALPN value ("00"
//     if none);
//   - b: the first 12 hex characters of SHA-256 over the sorted 4-hex-digit
//     cipher list;
//   - c: the same over the sorted extension list without SNI and ALPN,
//     then '_' and the signature algorithms in wire order.
func JA4(ch *ClientHello, quic bool) string {
	proto := byte('t')
	if quic {
		proto = 'q'
	}
	sni := byte('i')
	if hasExt(ch.Extensions, ExtServerName) {
		sni = 'd'
	}
	ciphers := noGREASE(ch.CipherSuites)
	exts := noGREASE(ch.Extensions)
	alpn := ""
	if len(ch.ALPN) > 0 {
		alpn = ch.ALPN[0]
	}
	a := make([]byte, 0, 10)
	a = append(a, proto)
	a = append(a, ja4Version(ch.MaxVersion())...)
	a = append(a, sni)
	a = append2d(a, len(ciphers))
	a = append2d(a, len(exts))
	a = append(a, ja4ALPN(alpn)...)

	slices.Sort(ciphers)
	b := ja4Hash(hexList(ciphers))

	sorted := make([]uint16, 0, len(exts))
	for _, e := range exts {
		if e != ExtServerName && e != ExtALPN {
			sorted = append(sorted, e)
		}
	}
	slices.Sort(sorted)
	c := hexList(sorted)
	if sigs := hexList(ch.SignatureAlgorithms); sigs != "" {
		c += "_" + sigs
	}
	if len(sorted) == 0 {
		c = ""
	}
	return string(a) + "_" + b + "_" + ja4Hash(c)
}

// append2d appends n capped at 99 as two decimal digits.
func append2d(b []byte, n int) []byte {
	n = min(n, 99)
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// JA4S returns the FoxIO JA4S server fingerprint, "a_b_c": protocol,
// chosen version, two-digit extension count and ALPN characters; the chosen
// cipher in hex; the first 12 hex characters of SHA-256 over the extensions
// in wire order.
func JA4S(sh *ServerHello, quic bool) string {
	proto := byte('t')
	if quic {
		proto = 'q'
	}
	a := fmt.Sprintf("%c%s%02d%s", proto, ja4Version(sh.Version()), min(len(sh.Extensions), 99), ja4ALPN(sh.ALPN))
	return fmt.Sprintf("%s_%04x_%s", a, sh.CipherSuite, ja4Hash(hexList(sh.Extensions)))
}

func ja4Version(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002, 0x0200:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// ja4ALPN returns the first and last characters of an ALPN value. The JA4
// spec replaces a non-alphanumeric character by hex: the first hex digit of
// the first byte and the last hex digit of the last byte.
func ja4ALPN(p string) string {
	if p == "" {
		return "00"
	}
	first, last := p[0], p[len(p)-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	h := hex.EncodeToString([]byte{first, last})
	return string([]byte{h[0], h[3]})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func ja4Hash(s string) string {
	if s == "" {
		return "000000000000"
	}
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

func hexList(vs []uint16) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 5*len(vs))
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return string(b)
}

func noGREASE(vs []uint16) []uint16 {
	out := make([]uint16, 0, len(vs))
	for _, v := range vs {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func hasExt(exts []uint16, e uint16) bool {
	return slices.Contains(exts, e)
}
