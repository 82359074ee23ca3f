package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/flowsift/flowsift/internal/dissect/tls"
)

// Sentinel errors; every error the package returns wraps one of them.
var (
	// ErrTruncated means a packet or frame ended before its declared length.
	ErrTruncated = errors.New("quic: truncated")
	// ErrMalformed means the bytes break the QUIC grammar.
	ErrMalformed = errors.New("quic: malformed")
	// ErrUnsupported means a version whose Initial protection is not known.
	ErrUnsupported = errors.New("quic: unsupported version")
	// ErrDecrypt means AEAD authentication failed: the packet is not an
	// Initial for the keys derived from its connection ID, or it is damaged.
	ErrDecrypt = errors.New("quic: decryption failed")
	// ErrTooLarge means the CRYPTO stream exceeds the configured bound.
	ErrTooLarge = errors.New("quic: too large")
)

// Versions with known Initial protection.
const (
	Version1 uint32 = 0x00000001 // RFC 9000/9001
	Version2 uint32 = 0x6b3343cf // RFC 9369
)

// Packet types of the long header as numbered for QUIC v1 (RFC 9000 §17.2);
// v2 packets are mapped to these.
const (
	TypeInitial   = 0
	Type0RTT      = 1
	TypeHandshake = 2
	TypeRetry     = 3
)

type suite struct {
	salt                   []byte
	keyLabel, ivLabel, hpL string
}

var (
	saltV1       = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2       = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltDraft29  = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltDraft23  = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	saltDraft22  = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	saltT051     = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}
	suiteDraft22 = suite{saltDraft22, "quic key", "quic iv", "quic hp"}
	suiteT051    = suite{saltT051, "quic key", "quic iv", "quic hp"}
	suiteV1      = suite{saltV1, "quic key", "quic iv", "quic hp"}
	suiteV2      = suite{saltV2, "quicv2 key", "quicv2 iv", "quicv2 hp"}
	suiteDraft29 = suite{saltDraft29, "quic key", "quic iv", "quic hp"}
	suiteDraft23 = suite{saltDraft23, "quic key", "quic iv", "quic hp"}
)

// suiteFor returns the Initial protection of a version: v1, v2, and the
// IETF drafts 23–34 still seen in captures (draft-29 was widely deployed).
func suiteFor(v uint32) (suite, bool) {
	switch {
	case v == Version1:
		return suiteV1, true
	case v == Version2:
		return suiteV2, true
	case v >= 0xff000021 && v <= 0xff000022: // drafts 33, 34
		return suiteV1, true
	case v >= 0xff00001d && v <= 0xff000020: // drafts 29–32
		return suiteDraft29, true
	case v >= 0xff000017 && v <= 0xff00001c: // drafts 23–28
		return suiteDraft23, true
	case v == 0xff000016 || v == 0xfaceb001: // draft 22, Facebook mvfst draft-22
		return suiteDraft22, true
	case v == 0xfaceb002 || v == 0xfaceb00e: // Facebook mvfst draft-27 and experimental
		return suiteDraft23, true
	case v == 0x54303531: // Google T051: IETF packet protection, own salt (the handshake then rides in STREAM frames, not parsed)
		return suiteT051, true
	}
	return suite{}, false
}

// VersionName returns a short name for a QUIC version ("V-1", "V-2",
// "Draft-29", …), the form nDPI prints.
func VersionName(v uint32) string {
	switch {
	case v == Version1:
		return "V-1"
	case v == Version2:
		return "V-2"
	case v == 0:
		return "Ver-Negotiation"
	case v>>8 == 0xff0000:
		return fmt.Sprintf("Draft-%d", v&0xff)
	case v == 0xfaceb001:
		return "MVFST-22"
	case v == 0xfaceb002:
		return "MVFST-27"
	case v == 0xfaceb00e:
		return "MVFST-EXP"
	case v>>24 == 'Q' || v>>24 == 'T':
		return string([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	return fmt.Sprintf("0x%08x", v)
}

// Header is a parsed long header.
type Header struct {
	Version uint32
	Type    int // TypeInitial, …, v1 numbering
	DCID    []byte
	SCID    []byte
	Token   []byte
	// PayloadOffset is where the protected packet number starts and
	// Length the bytes of packet number plus payload, for Initial,
	// 0-RTT and Handshake packets.
	PayloadOffset int
	Length        int
}

// ParseLongHeader parses the long header at the start of a datagram.
func ParseLongHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < 7 {
		return h, fmt.Errorf("quic: long header: %w", ErrTruncated)
	}
	if b[0]&0x80 == 0 {
		return h, fmt.Errorf("quic: short header packet: %w", ErrMalformed)
	}
	h.Version = binary.BigEndian.Uint32(b[1:5])
	if h.Version == 0 {
		return h, fmt.Errorf("quic: version negotiation: %w", ErrUnsupported)
	}
	typ := int(b[0]>>4) & 3
	if h.Version == Version2 {
		typ = (typ + 3) & 3 // v2: Initial=1, 0-RTT=2, Handshake=3, Retry=0
	}
	h.Type = typ
	p := 5
	dl := int(b[p])
	p++
	if dl > 20 || p+dl+1 > len(b) {
		return h, fmt.Errorf("quic: destination connection id length %d: %w", dl, ErrMalformed)
	}
	h.DCID = b[p : p+dl]
	p += dl
	sl := int(b[p])
	p++
	if sl > 20 || p+sl > len(b) {
		return h, fmt.Errorf("quic: source connection id length %d: %w", sl, ErrMalformed)
	}
	h.SCID = b[p : p+sl]
	p += sl
	if h.Type == TypeRetry {
		return h, nil
	}
	if h.Type == TypeInitial {
		tl, n := varint(b[p:])
		if n == 0 || uint64(len(b)-p-n) < tl {
			return h, fmt.Errorf("quic: token: %w", ErrTruncated)
		}
		p += n
		h.Token = b[p : p+int(tl)]
		p += int(tl)
	}
	l, n := varint(b[p:])
	if n == 0 {
		return h, fmt.Errorf("quic: length: %w", ErrTruncated)
	}
	p += n
	if uint64(len(b)-p) < l {
		return h, fmt.Errorf("quic: length %d beyond datagram: %w", l, ErrTruncated)
	}
	h.PayloadOffset, h.Length = p, int(l)
	return h, nil
}

// varint decodes a QUIC variable-length integer; n is 0 when b is short.
func varint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n
}

// Keys protect Initial packets in one direction.
type Keys struct {
	aead cipher.AEAD
	hp   cipher.Block
	iv   []byte
}

// InitialKeys derives the Initial packet protection of one direction from
// the client's first destination connection ID (RFC 9001 §5.2, RFC 9369
// §3.3.1).
func InitialKeys(version uint32, dcid []byte, server bool) (*Keys, error) {
	s, ok := suiteFor(version)
	if !ok {
		return nil, fmt.Errorf("quic: version 0x%08x: %w", version, ErrUnsupported)
	}
	initial, err := hkdf.Extract(sha256.New, dcid, s.salt)
	if err != nil {
		return nil, err
	}
	label := "client in"
	if server {
		label = "server in"
	}
	secret, err := expandLabel(initial, label, 32)
	if err != nil {
		return nil, err
	}
	key, err := expandLabel(secret, s.keyLabel, 16)
	if err != nil {
		return nil, err
	}
	iv, err := expandLabel(secret, s.ivLabel, 12)
	if err != nil {
		return nil, err
	}
	hpKey, err := expandLabel(secret, s.hpL, 16)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	hp, err := aes.NewCipher(hpKey)
	if err != nil {
		return nil, err
	}
	return &Keys{aead: aead, hp: hp, iv: iv}, nil
}

// expandLabel is TLS 1.3 HKDF-Expand-Label with an empty context.
func expandLabel(secret []byte, label string, n int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = append(info, byte(n>>8), byte(n), byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	return hkdf.Expand(sha256.New, secret, string(info), n)
}

// Decrypt removes header protection from the packet whose long header is
// h (pkt starts at the first header byte and holds at least the packet)
// and returns the decrypted payload and the packet number. pkt is
// modified in place (the header bytes are unmasked).
func (k *Keys) Decrypt(pkt []byte, h Header) (payload []byte, pn uint64, err error) {
	pnOff := h.PayloadOffset
	end := pnOff + h.Length
	if h.Length < 20 || end > len(pkt) {
		return nil, 0, fmt.Errorf("quic: packet too short for header protection sample: %w", ErrTruncated)
	}
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	pnLen := int(pkt[0]&3) + 1
	for i := 0; i < pnLen; i++ {
		pkt[pnOff+i] ^= mask[1+i]
		pn = pn<<8 | uint64(pkt[pnOff+i])
	}
	nonce := make([]byte, len(k.iv))
	copy(nonce, k.iv)
	for i := 0; i < 8; i++ {
		nonce[len(nonce)-1-i] ^= byte(pn >> (8 * i))
	}
	ct := pkt[pnOff+pnLen : end]
	out, err := k.aead.Open(nil, nonce, ct, pkt[:pnOff+pnLen])
	if err != nil {
		return nil, pn, fmt.Errorf("quic: packet %d: %w", pn, ErrDecrypt)
	}
	return out, pn, nil
}

// Frame types an Initial packet may carry (RFC 9000 §12.4).
const (
	framePadding    = 0x00
	framePing       = 0x01
	frameACK        = 0x02
	frameACKECN     = 0x03
	frameCrypto     = 0x06
	frameCloseQUIC  = 0x1c
	frameCloseApp   = 0x1d
	maxAckRanges    = 256
	maxCryptoOffset = 1 << 20
)

// CryptoFrame is one CRYPTO frame: Data is a slice of the decrypted payload.
type CryptoFrame struct {
	Offset uint64
	Data   []byte
}

// ParseFrames returns the CRYPTO frames of a decrypted Initial or Handshake
// payload, skipping PADDING, PING, ACK and CONNECTION_CLOSE.
func ParseFrames(p []byte) ([]CryptoFrame, error) {
	var out []CryptoFrame
	for len(p) > 0 {
		typ, n := varint(p)
		if n == 0 {
			return out, fmt.Errorf("quic: frame type: %w", ErrTruncated)
		}
		p = p[n:]
		switch typ {
		case framePadding, framePing:
		case frameACK, frameACKECN:
			// largest, delay, range count, first range, then count pairs.
			var vals [4]uint64
			for i := range vals {
				if vals[i], n = varint(p); n == 0 {
					return out, fmt.Errorf("quic: ack frame: %w", ErrTruncated)
				}
				p = p[n:]
			}
			if vals[2] > maxAckRanges {
				return out, fmt.Errorf("quic: ack frame with %d ranges: %w", vals[2], ErrMalformed)
			}
			count := 2 * int(vals[2])
			if typ == frameACKECN {
				count += 3
			}
			for i := 0; i < count; i++ {
				if _, n = varint(p); n == 0 {
					return out, fmt.Errorf("quic: ack range: %w", ErrTruncated)
				}
				p = p[n:]
			}
		case frameCrypto:
			off, n1 := varint(p)
			if n1 == 0 {
				return out, fmt.Errorf("quic: crypto offset: %w", ErrTruncated)
			}
			l, n2 := varint(p[n1:])
			if n2 == 0 || uint64(len(p)-n1-n2) < l {
				return out, fmt.Errorf("quic: crypto data: %w", ErrTruncated)
			}
			if off+l > maxCryptoOffset {
				return out, fmt.Errorf("quic: crypto offset %d: %w", off, ErrTooLarge)
			}
			p = p[n1+n2:]
			out = append(out, CryptoFrame{Offset: off, Data: p[:l]})
			p = p[l:]
		case frameCloseQUIC, frameCloseApp:
			var err error
			if p, err = skipClose(p, typ == frameCloseQUIC); err != nil {
				return out, err
			}
		default:
			return out, fmt.Errorf("quic: frame type 0x%x not allowed in initial: %w", typ, ErrMalformed)
		}
	}
	return out, nil
}

func skipClose(p []byte, withFrameType bool) ([]byte, error) {
	fields := 2
	if withFrameType {
		fields = 3
	}
	var v uint64
	var n int
	for i := 0; i < fields; i++ {
		if v, n = varint(p); n == 0 {
			return nil, fmt.Errorf("quic: connection close: %w", ErrTruncated)
		}
		p = p[n:]
	}
	if uint64(len(p)) < v {
		return nil, fmt.Errorf("quic: connection close reason: %w", ErrTruncated)
	}
	return p[v:], nil
}

// Assembler puts CRYPTO frame data back in order and hands the contiguous
// prefix to a tls.Parser. Out-of-order data is buffered up to a bound.
type Assembler struct {
	next    uint64
	pending map[uint64][]byte
	buffered,
	limit int
	parser *tls.Parser
}

// NewAssembler returns an Assembler feeding p, buffering at most limit bytes
// of out-of-order data.
func NewAssembler(p *tls.Parser, limit int) *Assembler {
	return &Assembler{pending: map[uint64][]byte{}, limit: limit, parser: p}
}

// Add adds one CRYPTO frame; data is copied when it must be kept.
func (a *Assembler) Add(f CryptoFrame) error {
	end := f.Offset + uint64(len(f.Data))
	if end <= a.next {
		return nil // retransmission
	}
	if f.Offset > a.next {
		if _, dup := a.pending[f.Offset]; dup {
			return nil
		}
		if a.buffered+len(f.Data) > a.limit {
			return fmt.Errorf("quic: %d bytes of out-of-order crypto data: %w", a.buffered+len(f.Data), ErrTooLarge)
		}
		a.pending[f.Offset] = append([]byte(nil), f.Data...)
		a.buffered += len(f.Data)
		return nil
	}
	if err := a.deliver(f.Data[a.next-f.Offset:]); err != nil {
		return err
	}
	// Drain buffered fragments that have become contiguous.
	for progress := true; progress; {
		progress = false
		for off, d := range a.pending {
			if off > a.next {
				continue
			}
			delete(a.pending, off)
			a.buffered -= len(d)
			progress = true
			if e := off + uint64(len(d)); e > a.next {
				if err := a.deliver(d[a.next-off:]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (a *Assembler) deliver(d []byte) error {
	a.next += uint64(len(d))
	if err := a.parser.FeedHandshake(d); err != nil {
		return fmt.Errorf("quic: crypto stream: %w", err)
	}
	return nil
}
