package ssh

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// KexInit is an SSH_MSG_KEXINIT message (RFC 4253 §7.1). Each list is the
// comma-separated name-list as sent, split; empty lists are nil.
type KexInit struct {
	Cookie                    [16]byte
	KexAlgorithms             []string
	HostKeyAlgorithms         []string
	CiphersClientToServer     []string
	CiphersServerToClient     []string
	MACsClientToServer        []string
	MACsServerToClient        []string
	CompressionClientToServer []string
	CompressionServerToClient []string
	LanguagesClientToServer   []string
	LanguagesServerToClient   []string
	FirstKexPacketFollows     bool
}

// maxNameList bounds one name-list: RFC 4253 does not, but real lists stay
// under 2 KiB and the whole packet is bounded by Config.MaxPacketSize.
const maxNameList = 1 << 15

// maxNames bounds the names in one list: real lists hold under 60, and
// Negotiate compares every client name with every server name.
const maxNames = 256

// ParseKexInit parses a KEXINIT payload, message number included. Errors
// wrap ErrTruncated, ErrMalformed or ErrTooLarge.
func ParseKexInit(payload []byte) (*KexInit, error) {
	if len(payload) < 17 || payload[0] != msgKexInit {
		return nil, fmt.Errorf("ssh: kexinit header: %w", ErrTruncated)
	}
	k := &KexInit{}
	copy(k.Cookie[:], payload[1:17])
	b := payload[17:]
	lists := []*[]string{
		&k.KexAlgorithms, &k.HostKeyAlgorithms,
		&k.CiphersClientToServer, &k.CiphersServerToClient,
		&k.MACsClientToServer, &k.MACsServerToClient,
		&k.CompressionClientToServer, &k.CompressionServerToClient,
		&k.LanguagesClientToServer, &k.LanguagesServerToClient,
	}
	for i, l := range lists {
		if len(b) < 4 {
			return nil, fmt.Errorf("ssh: kexinit name-list %d: %w", i, ErrTruncated)
		}
		n := binary.BigEndian.Uint32(b)
		if n > maxNameList {
			return nil, fmt.Errorf("ssh: kexinit name-list %d of %d bytes: %w", i, n, ErrMalformed)
		}
		if uint64(len(b)-4) < uint64(n) {
			return nil, fmt.Errorf("ssh: kexinit name-list %d: %w", i, ErrTruncated)
		}
		s := string(b[4 : 4+n])
		b = b[4+n:]
		if s != "" {
			if strings.Count(s, ",") >= maxNames {
				return nil, fmt.Errorf("ssh: kexinit name-list %d: more than %d names: %w", i, maxNames, ErrTooLarge)
			}
			*l = strings.Split(s, ",")
		}
	}
	if len(b) < 1 {
		return nil, fmt.Errorf("ssh: kexinit first_kex_packet_follows: %w", ErrTruncated)
	}
	k.FirstKexPacketFollows = b[0] != 0
	return k, nil
}

// HASSHString returns the HASSH input of a client KEXINIT:
// kex;ciphers;macs;compression, client-to-server lists.
func (k *KexInit) HASSHString() string {
	return strings.Join([]string{
		strings.Join(k.KexAlgorithms, ","),
		strings.Join(k.CiphersClientToServer, ","),
		strings.Join(k.MACsClientToServer, ","),
		strings.Join(k.CompressionClientToServer, ","),
	}, ";")
}

// HASSHServerString returns the HASSH-server input of a server KEXINIT:
// kex;ciphers;macs;compression, server-to-client lists.
func (k *KexInit) HASSHServerString() string {
	return strings.Join([]string{
		strings.Join(k.KexAlgorithms, ","),
		strings.Join(k.CiphersServerToClient, ","),
		strings.Join(k.MACsServerToClient, ","),
		strings.Join(k.CompressionServerToClient, ","),
	}, ";")
}

// Hash returns the lowercase hex MD5 of s, the form HASSH uses.
func Hash(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// Negotiate returns the first client algorithm the server also offers, as
// RFC 4253 §7.1 chooses, or "" when there is none.
func Negotiate(client, server []string) string {
	for _, c := range client {
		for _, s := range server {
			if c == s {
				return c
			}
		}
	}
	return ""
}

// Chosen holds the algorithms both sides agreed on; "" where unknown.
type Chosen struct {
	Kex, HostKey                                         string
	CipherClientToServer, CipherServerToClient           string
	MACClientToServer, MACServerToClient                 string
	CompressionClientToServer, CompressionServerToClient string
}

// negotiate computes Chosen from both KEXINITs. RFC 4253 §7.1: the MAC is
// implied (and not negotiated) by AEAD ciphers such as AES-GCM and
// chacha20-poly1305, where the MAC name-list still takes part but is
// ignored; we report it as negotiated, as Zeek does.
func negotiate(c, s *KexInit) Chosen {
	return Chosen{
		Kex:                       Negotiate(c.KexAlgorithms, s.KexAlgorithms),
		HostKey:                   Negotiate(c.HostKeyAlgorithms, s.HostKeyAlgorithms),
		CipherClientToServer:      Negotiate(c.CiphersClientToServer, s.CiphersClientToServer),
		CipherServerToClient:      Negotiate(c.CiphersServerToClient, s.CiphersServerToClient),
		MACClientToServer:         Negotiate(c.MACsClientToServer, s.MACsClientToServer),
		MACServerToClient:         Negotiate(c.MACsServerToClient, s.MACsServerToClient),
		CompressionClientToServer: Negotiate(c.CompressionClientToServer, s.CompressionClientToServer),
		CompressionServerToClient: Negotiate(c.CompressionServerToClient, s.CompressionServerToClient),
	}
}
