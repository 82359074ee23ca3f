package ntp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors wrapped by every error the package returns.
var (
	// ErrTruncated means the datagram is shorter than its header says.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means the datagram cannot be NTP.
	ErrMalformed = errors.New("malformed")
	// ErrTooLarge means the datagram exceeds MaxMessageSize.
	ErrTooLarge = errors.New("too large")
)

// MaxMessageSize is the largest datagram parsed.
const MaxMessageSize = 65535

// Modes of RFC 5905 §7.3.
const (
	ModeSymmetricActive  = 1
	ModeSymmetricPassive = 2
	ModeClient           = 3
	ModeServer           = 4
	ModeBroadcast        = 5
	ModeControl          = 6
	ModePrivate          = 7
)

// Message is one NTP datagram. Exactly one of Std, Control and Private is
// set, according to Mode.
type Message struct {
	LeapIndicator uint8     `json:"leap_indicator"`
	Version       uint8     `json:"version"`
	Mode          uint8     `json:"mode"`
	Std           *Standard `json:"std,omitempty"`
	Control       *Control  `json:"control,omitempty"`
	Private       *Private  `json:"private,omitempty"`
}

// IsControl reports a mode 6 (control) or mode 7 (private) message: the
// management protocols behind ntpq/ntpdc, monlist amplification and
// reconnaissance, which ordinary time synchronization never uses.
func (m *Message) IsControl() bool { return m.Mode == ModeControl || m.Mode == ModePrivate }

// Timestamp is a 64-bit NTP timestamp: seconds since 1900 in the high 32
// bits, the fraction in the low 32.
type Timestamp uint64

// ntpUnixOffset is the number of seconds from 1900 to 1970.
const ntpUnixOffset = 2208988800

// Unix returns the time in seconds since 1970, 0 for the zero timestamp.
// Seconds with the high bit clear are taken to be in era 1 (after 2036),
// as RFC 4330 §3 suggests.
func (t Timestamp) Unix() float64 {
	if t == 0 {
		return 0
	}
	sec := float64(uint32(t >> 32))
	if t>>63 == 0 {
		sec += 1 << 32
	}
	return sec - ntpUnixOffset + float64(uint32(t))/(1<<32)
}

// Time returns the timestamp as a time.Time (the zero Time for 0).
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	u := t.Unix()
	sec := math.Floor(u)
	return time.Unix(int64(sec), int64((u-sec)*1e9)).UTC()
}

// MarshalJSON encodes the timestamp as Unix seconds with microseconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(t.Unix()*1e6)/1e6, 'f', -1, 64), nil
}

// Standard is the header of modes 1-5 (RFC 5905 §7.3).
type Standard struct {
	Stratum uint8 `json:"stratum"`
	// Poll and Precision are log2 seconds; PollInterval and
	// PrecisionSeconds convert them.
	Poll      int8 `json:"poll"`
	Precision int8 `json:"precision"`
	// RootDelay and RootDispersion are in seconds.
	RootDelay      float64 `json:"root_delay"`
	RootDispersion float64 `json:"root_dispersion"`
	// RefID is the reference identifier rendered by stratum: the kiss
	// code (stratum 0) or clock source (stratum 1) as ASCII, else the
	// upstream server as an IPv4 address (for IPv6 upstreams, the first
	// four bytes of an MD5 hash, shown the same way). NUL padding is
	// trimmed; RefIDRaw keeps the four bytes.
	RefID    string    `json:"ref_id"`
	RefIDRaw uint32    `json:"ref_id_raw"`
	RefTime  Timestamp `json:"ref_time"`
	OrgTime  Timestamp `json:"org_time"`
	RecTime  Timestamp `json:"rec_time"`
	XmtTime  Timestamp `json:"xmt_time"`
	NumExts  int       `json:"num_exts,omitempty"`
	KeyID    uint32    `json:"key_id,omitempty"`
	HasMAC   bool      `json:"has_mac,omitempty"`
	DigestSz int       `json:"digest_size,omitempty"`
}

// PollInterval returns 2^Poll seconds.
func (s *Standard) PollInterval() float64 { return math.Ldexp(1, int(s.Poll)) }

// PrecisionSeconds returns 2^Precision seconds.
func (s *Standard) PrecisionSeconds() float64 { return math.Ldexp(1, int(s.Precision)) }

// Control is a mode 6 control message header.
type Control struct {
	Response      bool   `json:"response"`
	Error         bool   `json:"error"`
	More          bool   `json:"more"`
	OpCode        uint8  `json:"op_code"`
	Sequence      uint16 `json:"sequence"`
	Status        uint16 `json:"status"`
	AssociationID uint16 `json:"association_id"`
	Offset        uint16 `json:"offset"`
	Count         uint16 `json:"count"`
}

// Private is a mode 7 (ntpd private, ntpdc) message header.
type Private struct {
	Response       bool   `json:"response"`
	More           bool   `json:"more"`
	Auth           bool   `json:"auth"`
	Sequence       uint8  `json:"sequence"`
	Implementation uint8  `json:"implementation"`
	RequestCode    uint8  `json:"req_code"`
	Err            uint8  `json:"err"`
	Items          uint16 `json:"items"`
	ItemSize       uint16 `json:"item_size"`
}

// Parse parses one NTP datagram. The Message does not refer to payload.
func Parse(payload []byte) (*Message, error) {
	if len(payload) > MaxMessageSize {
		return nil, fmt.Errorf("ntp: message of %d bytes: %w", len(payload), ErrTooLarge)
	}
	if len(payload) < 1 {
		return nil, fmt.Errorf("ntp: empty message: %w", ErrTruncated)
	}
	b := payload
	m := &Message{LeapIndicator: b[0] >> 6, Version: b[0] >> 3 & 7, Mode: b[0] & 7}
	if m.Version == 0 || m.Version > 4 {
		return nil, fmt.Errorf("ntp: version %d: %w", m.Version, ErrMalformed)
	}
	switch m.Mode {
	case 0:
		return nil, fmt.Errorf("ntp: reserved mode 0: %w", ErrMalformed)
	case ModeControl:
		return m, m.parseControl(b)
	case ModePrivate:
		return m, m.parsePrivate(b)
	}
	if len(b) < 48 {
		return nil, fmt.Errorf("ntp: header of %d bytes: %w", len(b), ErrTruncated)
	}
	s := &Standard{
		Stratum:        b[1],
		Poll:           int8(b[2]),
		Precision:      int8(b[3]),
		RootDelay:      short(b[4:]),
		RootDispersion: short(b[8:]),
		RefTime:        Timestamp(binary.BigEndian.Uint64(b[16:])),
		OrgTime:        Timestamp(binary.BigEndian.Uint64(b[24:])),
		RecTime:        Timestamp(binary.BigEndian.Uint64(b[32:])),
		XmtTime:        Timestamp(binary.BigEndian.Uint64(b[40:])),
	}
	s.RefID, s.RefIDRaw = refID(s.Stratum, b[12:16]), binary.BigEndian.Uint32(b[12:])
	m.Std = s
	return m, s.parseTail(b[48:])
}

// short converts an NTP short format (16.16 fixed point) to seconds.
func short(b []byte) float64 { return float64(binary.BigEndian.Uint32(b)) / (1 << 16) }

func refID(stratum uint8, b []byte) string {
	if stratum <= 1 {
		return strings.TrimRight(string(b), "\x00")
	}
	return netip.AddrFrom4([4]byte(b)).String()
}

// parseTail reads RFC 7822 extension fields and the MAC. A MAC is a
// 4-byte key id and a 16 (MD5) or 20 (SHA-1) byte digest; a lone 4-byte
// field is a crypto-NAK. Anything longer than 24 bytes starts with
// extension fields.
func (s *Standard) parseTail(b []byte) error {
	for len(b) > 24 {
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 16 || n%4 != 0 {
			return fmt.Errorf("ntp: extension %d length %d: %w", s.NumExts, n, ErrMalformed)
		}
		if n > len(b) {
			return fmt.Errorf("ntp: extension %d: %w", s.NumExts, ErrTruncated)
		}
		s.NumExts++
		b = b[n:]
	}
	switch len(b) {
	case 0:
	case 4, 20, 24:
		s.HasMAC = true
		s.KeyID = binary.BigEndian.Uint32(b)
		s.DigestSz = len(b) - 4
	default:
		return fmt.Errorf("ntp: %d trailing bytes: %w", len(b), ErrMalformed)
	}
	return nil
}

func (m *Message) parseControl(b []byte) error {
	if len(b) < 12 {
		return fmt.Errorf("ntp: control header of %d bytes: %w", len(b), ErrTruncated)
	}
	c := &Control{
		Response:      b[1]&0x80 != 0,
		Error:         b[1]&0x40 != 0,
		More:          b[1]&0x20 != 0,
		OpCode:        b[1] & 0x1f,
		Sequence:      binary.BigEndian.Uint16(b[2:]),
		Status:        binary.BigEndian.Uint16(b[4:]),
		AssociationID: binary.BigEndian.Uint16(b[6:]),
		Offset:        binary.BigEndian.Uint16(b[8:]),
		Count:         binary.BigEndian.Uint16(b[10:]),
	}
	m.Control = c
	if int(c.Count) > len(b)-12 {
		return fmt.Errorf("ntp: control data of %d bytes: %w", c.Count, ErrTruncated)
	}
	return nil
}

func (m *Message) parsePrivate(b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("ntp: private header of %d bytes: %w", len(b), ErrTruncated)
	}
	m.Private = &Private{
		Response:       b[0]&0x80 != 0,
		More:           b[0]&0x40 != 0,
		Auth:           b[1]&0x80 != 0,
		Sequence:       b[1] & 0x7f,
		Implementation: b[2],
		RequestCode:    b[3],
		Err:            b[4] >> 4,
		Items:          binary.BigEndian.Uint16(b[4:]) & 0x0fff,
		ItemSize:       binary.BigEndian.Uint16(b[6:]) & 0x0fff,
	}
	return nil
}
