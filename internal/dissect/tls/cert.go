package tls

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // SHA-1 is the certificate fingerprint Zeek and nDPI print, not a security primitive here
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"math/big"
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
			certs = append(certs, ParseCertificate(der))
		}
	}
	return certs, nil
}

// ParseCertificate summarises one DER-encoded certificate.
func ParseCertificate(der []byte) Certificate {
	s1 := sha1.Sum(der) //nolint:gosec // fingerprint only
	s256 := sha256.Sum256(der)
	c := Certificate{SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s256[:])}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		c.ParseError = err.Error()
		return c
	}
	c.Subject = x.Subject.String()
	c.Issuer = x.Issuer.String()
	c.SANs = append(c.SANs, x.DNSNames...)
	for _, ip := range x.IPAddresses {
		c.SANs = append(c.SANs, ip.String())
	}
	c.SANs = append(c.SANs, x.EmailAddresses...)
	for _, u := range x.URIs {
		c.SANs = append(c.SANs, u.String())
	}
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
