package dhcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Sentinel errors wrapped by every error the package returns.
var (
	// ErrTruncated means the datagram ended inside a field or option.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means the datagram cannot be DHCPv4.
	ErrMalformed = errors.New("malformed")
	// ErrTooLarge means the datagram exceeds MaxMessageSize.
	ErrTooLarge = errors.New("too large")
)

// MaxMessageSize is the largest datagram parsed: a UDP payload cannot be
// larger.
const MaxMessageSize = 65535

// MsgType is the DHCP message type (option 53).
type MsgType uint8

// Message types of RFC 2132 §9.6, RFC 4388 and RFC 6926.
const (
	Discover MsgType = iota + 1
	Offer
	Request
	Decline
	Ack
	Nak
	Release
	Inform
	ForceRenew
	LeaseQuery
	LeaseUnassigned
	LeaseUnknown
	LeaseActive
	BulkLeaseQuery
	LeaseQueryDone
	ActiveLeaseQuery
	LeaseQueryStatus
	TLS
)

var typeNames = [...]string{"", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
	"FORCERENEW", "LEASEQUERY", "LEASEUNASSIGNED", "LEASEUNKNOWN", "LEASEACTIVE", "BULKLEASEQUERY",
	"LEASEQUERYDONE", "ACTIVELEASEQUERY", "LEASEQUERYSTATUS", "DHCPTLS"}

// String returns the type name as Zeek's dhcp.log writes it ("DISCOVER").
func (t MsgType) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "UNKNOWN-" + strconv.Itoa(int(t))
}

// MarshalText encodes the type by name.
func (t MsgType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Option codes used below (RFC 2132 unless noted).
const (
	optPad          = 0
	optHostName     = 12
	optDomainName   = 15
	optRequestedIP  = 50
	optLeaseTime    = 51
	optOverload     = 52
	optMsgType      = 53
	optServerID     = 54
	optParamReq     = 55
	optMessage      = 56
	optVendorClass  = 60
	optClientID     = 61
	optClientFQDN   = 81 // RFC 4702
	optEnd          = 255
	magicCookie     = 0x63825363
	fixedHeaderSize = 236
)

// Message is one parsed DHCPv4 message. Address fields are invalid
// (zero netip.Addr) when absent or 0.0.0.0; option fields are zero when
// the option is absent. Strings are as sent (not validated as UTF-8).
type Message struct {
	Op     uint8      `json:"op"` // 1 request (client), 2 reply (server)
	XID    uint32     `json:"xid"`
	Secs   uint16     `json:"secs,omitempty"`
	Flags  uint16     `json:"flags,omitempty"`
	HType  uint8      `json:"htype"`
	Hops   uint8      `json:"hops,omitempty"`
	CIAddr netip.Addr `json:"ciaddr"`
	YIAddr netip.Addr `json:"yiaddr"` // the assigned ("your") address
	SIAddr netip.Addr `json:"siaddr"`
	GIAddr netip.Addr `json:"giaddr"`
	// ClientMAC is chaddr formatted as aa:bb:…, when htype is Ethernet
	// (1) with hlen 6; otherwise ClientHW holds the raw bytes (hex).
	ClientMAC string `json:"client_mac,omitempty"`
	ClientHW  string `json:"client_hw,omitempty"`

	Type          MsgType    `json:"type,omitempty"`
	HostName      string     `json:"host_name,omitempty"`
	DomainName    string     `json:"domain,omitempty"`
	RequestedAddr netip.Addr `json:"requested_addr"`
	ServerID      netip.Addr `json:"server_id"`
	// LeaseTime is option 51 in seconds; HasLeaseTime tells 0 from absent.
	LeaseTime    uint32 `json:"lease_time,omitempty"`
	HasLeaseTime bool   `json:"-"`
	// ParamRequestList is option 55 in the client's order.
	ParamRequestList []uint8 `json:"param_request_list,omitempty"`
	VendorClass      string  `json:"vendor_class,omitempty"`
	// ClientID is option 61 as hex, type byte first.
	ClientID   string `json:"client_id,omitempty"`
	ClientFQDN string `json:"client_fqdn,omitempty"`
	// ServerMessage is option 56 (an error text, usually with NAK).
	ServerMessage string `json:"message,omitempty"`
	// Options lists the option codes in the order sent (pad and end
	// excluded), another client fingerprint.
	Options []uint8 `json:"options,omitempty"`
}

// Fingerprint returns the parameter request list as nDPI prints it
// (dhcp_fingerprint): decimal codes joined by commas.
func (m *Message) Fingerprint() string {
	var sb strings.Builder
	for i, c := range m.ParamRequestList {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(int(c)))
	}
	return sb.String()
}

// Parse parses a DHCPv4 message (a UDP payload). The returned Message
// does not refer to payload.
func Parse(payload []byte) (*Message, error) {
	if len(payload) > MaxMessageSize {
		return nil, fmt.Errorf("dhcp: message of %d bytes: %w", len(payload), ErrTooLarge)
	}
	if len(payload) < fixedHeaderSize+4 {
		return nil, fmt.Errorf("dhcp: header of %d bytes: %w", len(payload), ErrTruncated)
	}
	b := payload
	m := &Message{Op: b[0], HType: b[1], Hops: b[3]}
	if m.Op != 1 && m.Op != 2 {
		return nil, fmt.Errorf("dhcp: op %d: %w", m.Op, ErrMalformed)
	}
	hlen := int(b[2])
	if hlen > 16 {
		return nil, fmt.Errorf("dhcp: hlen %d: %w", hlen, ErrMalformed)
	}
	m.XID = binary.BigEndian.Uint32(b[4:])
	m.Secs = binary.BigEndian.Uint16(b[8:])
	m.Flags = binary.BigEndian.Uint16(b[10:])
	m.CIAddr, m.YIAddr, m.SIAddr, m.GIAddr = addr(b[12:16]), addr(b[16:20]), addr(b[20:24]), addr(b[24:28])
	hw := b[28 : 28+hlen]
	if m.HType == 1 && hlen == 6 {
		m.ClientMAC = net.HardwareAddr(hw).String()
	} else if hlen > 0 {
		m.ClientHW = fmt.Sprintf("%x", hw)
	}
	if binary.BigEndian.Uint32(b[fixedHeaderSize:]) != magicCookie {
		return nil, fmt.Errorf("dhcp: no magic cookie (plain BOOTP): %w", ErrMalformed)
	}
	overload, err := m.parseOptions(b[fixedHeaderSize+4:], true)
	if err != nil {
		return m, err
	}
	// RFC 2132 §9.3: options may continue in the file and sname fields.
	if overload&1 != 0 {
		if _, err := m.parseOptions(b[108:236], false); err != nil {
			return m, fmt.Errorf("dhcp: file field: %w", err)
		}
	}
	if overload&2 != 0 {
		if _, err := m.parseOptions(b[44:108], false); err != nil {
			return m, fmt.Errorf("dhcp: sname field: %w", err)
		}
	}
	return m, nil
}

// parseOptions parses an option area. The first occurrence of an option
// wins, except that the parameter request list keeps growing (RFC 3396
// splits long options into several).
func (m *Message) parseOptions(b []byte, main bool) (overload uint8, err error) {
	for len(b) > 0 {
		code := b[0]
		if code == optPad {
			b = b[1:]
			continue
		}
		if code == optEnd {
			return overload, nil
		}
		if len(b) < 2 || len(b) < 2+int(b[1]) {
			return overload, fmt.Errorf("dhcp: option %d: %w", code, ErrTruncated)
		}
		v := b[2 : 2+int(b[1])]
		b = b[2+int(b[1]):]
		m.Options = append(m.Options, code)
		switch code {
		case optMsgType:
			if len(v) == 1 && m.Type == 0 {
				m.Type = MsgType(v[0])
			}
		case optHostName:
			setString(&m.HostName, v)
		case optDomainName:
			setString(&m.DomainName, v)
		case optRequestedIP:
			if len(v) == 4 && !m.RequestedAddr.IsValid() {
				m.RequestedAddr = addr(v)
			}
		case optServerID:
			if len(v) == 4 && !m.ServerID.IsValid() {
				m.ServerID = addr(v)
			}
		case optLeaseTime:
			if len(v) == 4 && !m.HasLeaseTime {
				m.LeaseTime, m.HasLeaseTime = binary.BigEndian.Uint32(v), true
			}
		case optParamReq:
			m.ParamRequestList = append(m.ParamRequestList, v...)
		case optMessage:
			setString(&m.ServerMessage, v)
		case optVendorClass:
			setString(&m.VendorClass, v)
		case optClientID:
			if m.ClientID == "" {
				m.ClientID = fmt.Sprintf("%x", v)
			}
		case optClientFQDN:
			// RFC 4702: flags, two deprecated rcodes, then the name in
			// ASCII or (flag E) DNS wire format.
			if len(v) > 3 && m.ClientFQDN == "" {
				m.ClientFQDN = fqdn(v[0]&0x04 != 0, v[3:])
			}
		case optOverload:
			if main && len(v) == 1 {
				overload = v[0]
			}
		}
	}
	// A missing end option is common in the wild; accept it.
	return overload, nil
}

func setString(dst *string, v []byte) {
	if *dst == "" {
		*dst = strings.TrimRight(string(v), "\x00")
	}
}

// fqdn decodes an RFC 4702 name: in DNS wire format (labels) when wire is
// set, else ASCII.
func fqdn(wire bool, v []byte) string {
	if !wire {
		return strings.TrimRight(string(v), "\x00")
	}
	var labels []string
	for len(v) > 0 && v[0] != 0 {
		n := int(v[0])
		if n > 63 || 1+n > len(v) {
			break
		}
		labels = append(labels, string(v[1:1+n]))
		v = v[1+n:]
	}
	return strings.Join(labels, ".")
}

func addr(b []byte) netip.Addr {
	a := netip.AddrFrom4([4]byte(b))
	if a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}
