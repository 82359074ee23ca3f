package tls

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // SHA-1 is the certificate fingerprint Zeek and nDPI print, not a security primitive here
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"
)

// Certificate is what the parser keeps of one X.509 certificate of a chain.
// When crypto/x509 rejects the DER, only the fingerprints are set and
// ParseError says why.
type Certificate struct {
	Subject    string // RFC 2253 form, most specific RDN first ("CN=…,O=…,C=US"), as Zeek prints it
	Issuer     string
	SANs       []string // DNS names, then IP addresses, e-mail addresses and URIs
	Serial     string   // upper-case hex, as Zeek prints it
	NotBefore  time.Time
	NotAfter   time.Time
	SHA1       string // lower-case hex of the DER
	SHA256     string
	SelfSigned bool // subject equals issuer and the signature verifies with the certificate's own key
	ParseError string
}

// parseCertificateList parses a TLS ≤ 1.2 Certificate message body.
func parseCertificateList(body []byte, maxCerts int) ([]Certificate, error) {
	r := reader(body)
	var list reader
	if !r.vec24(&list) {
		return nil, fmt.Errorf("tls: certificate list: %w", ErrTruncated)
	}
	certs := []Certificate{}
	for !list.empty() {
		var der reader
		if !list.vec24(&der) {
			return certs, fmt.Errorf("tls: certificate %d: %w", len(certs), ErrTruncated)
		}
		if len(certs) < maxCerts {
			certs = append(certs, certs0.get(der))
		}
	}
	return certs, nil
}

// certCacheSize bounds the certificates kept parsed: a few MB.
const certCacheSize = 4096

// certCache keeps parsed certificates by the SHA-256 of their DER. The
// same server certificates come back connection after connection (Zeek's
// x509 analyzer caches them for the same reason), and parsing one costs
// more than the rest of the handshake. Entries are shared, so a
// Certificate's SANs must not be modified.
type certCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]Certificate
}

var certs0 = &certCache{m: map[[sha256.Size]byte]Certificate{}}

func (cc *certCache) get(der []byte) Certificate {
	sum := sha256.Sum256(der)
	cc.mu.Lock()
	c, ok := cc.m[sum]
	cc.mu.Unlock()
	if ok {
		return c
	}
	c = parseCertificate(der, sum)
	cc.mu.Lock()
	if len(cc.m) >= certCacheSize {
		for k := range cc.m { // one entry chosen at random goes
			delete(cc.m, k)
			break
		}
	}
	cc.m[sum] = c
	cc.mu.Unlock()
	return c
}

// ParseCertificate summarises one DER-encoded certificate.
func ParseCertificate(der []byte) Certificate {
	return parseCertificate(der, sha256.Sum256(der))
}

func parseCertificate(der []byte, s256 [sha256.Size]byte) Certificate {
	s1 := sha1.Sum(der) //nolint:gosec // fingerprint only
	c := Certificate{SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s256[:])}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		c.ParseError = err.Error()
		return c
	}
	c.Subject = formatDN(x.RawSubject)
	c.Issuer = formatDN(x.RawIssuer)
	c.SANs = append(c.SANs, x.DNSNames...)
	for _, ip := range x.IPAddresses {
		c.SANs = append(c.SANs, ip.String())
	}
	c.SANs = append(c.SANs, x.EmailAddresses...)
	for _, u := range x.URIs {
		c.SANs = append(c.SANs, u.String())
	}
	c.SANs = slices.Clip(c.SANs) // shared through the cache: an append must copy
	if x.SerialNumber != nil {
		c.Serial = serialHex(x.SerialNumber)
	}
	c.NotBefore, c.NotAfter = x.NotBefore.UTC(), x.NotAfter.UTC()
	if bytes.Equal(x.RawSubject, x.RawIssuer) {
		c.SelfSigned = x.CheckSignatureFrom(x) == nil || x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature) == nil
	}
	return c
}

func serialHex(n *big.Int) string {
	b := n.Bytes()
	if len(b) == 0 {
		return "00"
	}
	return fmt.Sprintf("%X", b)
}

// oidNames are the attribute short names OpenSSL prints in RFC 2253 mode,
// which is the form Zeek logs; crypto/x509's Name.String prints several of
// them (emailAddress, DC, UID) as raw OIDs.
var oidNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "GN",
	"2.5.4.46":                   "dnQualifier",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
}

// formatDN renders a DER Name in RFC 2253 order (last RDN first), the
// attributes of a multi-valued RDN joined by '+'.
func formatDN(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) != 0 {
		return ""
	}
	var sb strings.Builder
	for i := len(seq) - 1; i >= 0; i-- {
		for j, atv := range seq[i] {
			switch {
			case j > 0:
				sb.WriteByte('+')
			case sb.Len() > 0:
				sb.WriteByte(',')
			}
			name, ok := oidNames[atv.Type.String()]
			if !ok {
				name = atv.Type.String()
			}
			sb.WriteString(name)
			sb.WriteByte('=')
			escapeDNValue(&sb, fmt.Sprint(atv.Value))
		}
	}
	return sb.String()
}

func escapeDNValue(sb *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';',
			c == '#' && i == 0, c == ' ' && (i == 0 || i == len(v)-1):
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
}
