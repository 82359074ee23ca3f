package quic

import (
	"errors"
	"fmt"

	"github.com/flowsift/flowsift/internal/dissect/tls"
)

// Config bounds the memory of one connection.
type Config struct {
	// MaxCryptoBuffer is the out-of-order CRYPTO data buffered per direction.
	MaxCryptoBuffer int
	// MaxInitialPackets is how many Initial packets per direction are
	// decrypted; the ClientHello fits in a few, so later ones are skipped.
	MaxInitialPackets int
	// TLS bounds the handshake-message parser.
	TLS tls.Config
}

// DefaultConfig returns working bounds: 64 KiB of out-of-order CRYPTO data
// and 16 Initial packets per direction.
func DefaultConfig() Config {
	return Config{MaxCryptoBuffer: 64 << 10, MaxInitialPackets: 16, TLS: tls.DefaultConfig()}
}

// Validate reports an invalid configuration.
func (c Config) Validate() error {
	var errs []error
	if c.MaxCryptoBuffer < 1024 || c.MaxCryptoBuffer > 16<<20 {
		errs = append(errs, fmt.Errorf("quic: max_crypto_buffer %d: must be between 1024 and 16777216", c.MaxCryptoBuffer))
	}
	if c.MaxInitialPackets < 1 {
		errs = append(errs, fmt.Errorf("quic: max_initial_packets %d: must be at least 1", c.MaxInitialPackets))
	}
	errs = append(errs, c.TLS.Validate())
	return errors.Join(errs...)
}

// Conn follows the Initial packets of one QUIC connection in both
// directions: it decrypts them, reassembles their CRYPTO frames and parses
// the ClientHello and ServerHello with the tls package. A Conn is not safe
// for concurrent use.
type Conn struct {
	cfg       Config
	session   *tls.Session
	asm       [2]*Assembler
	initials  [2]int
	clientKey []byte // DCID the Initial keys derive from
	haveKey   bool
	origDCID  []byte

	keys       [2]*Keys
	keyVersion [2]uint32
	keyID      [2][]byte
	version    uint32
	known      bool // version has known Initial protection
}

// NewConn returns a Conn with the given bounds.
func NewConn(cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s, err := tls.NewSession(cfg.TLS)
	if err != nil {
		return nil, err
	}
	c := &Conn{cfg: cfg, session: s}
	c.asm[0] = NewAssembler(s.Client, cfg.MaxCryptoBuffer)
	c.asm[1] = NewAssembler(s.Server, cfg.MaxCryptoBuffer)
	return c, nil
}

// Handshake returns what the TLS parsers learned so far.
func (c *Conn) Handshake() *tls.Handshake { return &c.session.Handshake }

// OriginalDCID returns the destination connection ID of the client's first
// Initial (Zeek's client_initial_dcid), nil before it. After a Retry the
// keys derive from a later one, but this stays the original.
func (c *Conn) OriginalDCID() []byte { return c.origDCID }

// Version returns the QUIC version of the first long-header packet seen.
func (c *Conn) Version() uint32 { return c.version }

// Feed processes one UDP payload sent by the client (fromClient) or the
// server. Coalesced packets are walked; Initial packets are decrypted and
// their CRYPTO frames parsed, other packet types are skipped. data is
// copied before decryption and not retained. The returned error is the
// first one met in the datagram; later datagrams are still processed.
func (c *Conn) Feed(data []byte, fromClient bool) error {
	dir := 1
	if fromClient {
		dir = 0
	}
	var first error
	for len(data) > 0 && data[0]&0x80 != 0 {
		h, err := ParseLongHeader(data)
		if err != nil {
			return keep(first, err)
		}
		if _, known := suiteFor(h.Version); c.version == 0 || (known && !c.known) {
			c.version, c.known = h.Version, known
		}
		if h.Type == TypeRetry {
			c.haveKey = false // the client's next Initial uses the Retry's connection ID
			return first
		}
		end := h.PayloadOffset + h.Length
		if h.Type == TypeInitial && c.initials[dir] < c.cfg.MaxInitialPackets {
			c.initials[dir]++
			first = keep(first, c.initial(data[:end], h, dir))
		}
		data = data[end:]
	}
	return first
}

func keep(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func (c *Conn) initial(pkt []byte, h Header, dir int) error {
	// Initial keys come from the DCID of the client's first Initial and stay
	// the same when the client later switches to the server's connection ID;
	// only a Retry changes them (Feed then clears clientKey).
	if _, ok := suiteFor(h.Version); !ok {
		return fmt.Errorf("quic: version 0x%08x: %w", h.Version, ErrUnsupported)
	}
	if dir == 0 && c.origDCID == nil {
		c.origDCID = append([]byte{}, h.DCID...)
	}
	if dir == 0 && !c.haveKey {
		c.clientKey, c.haveKey = append(c.clientKey[:0], h.DCID...), true
	}
	if !c.haveKey {
		return fmt.Errorf("quic: server initial before client initial: %w", ErrDecrypt)
	}
	payload, err := c.open(pkt, h, c.clientKey, dir)
	if err != nil && dir == 0 && string(h.DCID) != string(c.clientKey) {
		// A missed Retry or a capture that starts late: try the packet's own DCID.
		if p2, err2 := c.open(pkt, h, h.DCID, dir); err2 == nil {
			payload, err = p2, nil
			c.clientKey = append(c.clientKey[:0], h.DCID...)
		}
	}
	if err != nil {
		return err
	}
	frames, err := ParseFrames(payload)
	for _, f := range frames {
		if e := c.asm[dir].Add(f); e != nil {
			return e
		}
	}
	return err
}

func (c *Conn) open(pkt []byte, h Header, keyID []byte, dir int) ([]byte, error) {
	// Keys are cached per direction: deriving them costs more than
	// decrypting a packet.
	keys := c.keys[dir]
	if keys == nil || c.keyVersion[dir] != h.Version || string(c.keyID[dir]) != string(keyID) {
		var err error
		if keys, err = InitialKeys(h.Version, keyID, dir == 1); err != nil {
			return nil, err
		}
		c.keys[dir], c.keyVersion[dir], c.keyID[dir] = keys, h.Version, append(c.keyID[dir][:0], keyID...)
	}
	payload, _, err := keys.Decrypt(append([]byte(nil), pkt...), h)
	return payload, err
}
