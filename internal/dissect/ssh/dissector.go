package ssh

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "ssh",
		Doc:   "SSH on any TCP port: one record per connection with the banners, HASSH and HASSH-server, the negotiated algorithms and the inferred login outcome.",
		TCP:   true,
		Ports: []uint16{22, 2222},
		Probe: probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

// maxEncrypted is how many encrypted server deliveries are watched for the
// login inference before inspection stops: Zeek's heuristic decides within
// the first few, and an interactive session or a copy goes on for hours.
const maxEncrypted = 64

var defaultConfig = DefaultConfig()

// dissector follows one SSH connection.
type dissector struct {
	s         *Session
	start     int64
	encrypted int // encrypted server deliveries seen
	done      bool
	emitted   bool
}

func newDissector() *dissector { return &dissector{s: NewSession(defaultConfig)} }

// Data implements dissect.Dissector. Each call is one in-order delivery of
// a direction, normally one TCP segment, which is what the login inference
// measures.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	if d.start == 0 {
		d.start = c.Time()
	}
	var err error
	if fromClient {
		err = d.s.FeedClient(data)
	} else {
		err = d.s.FeedServer(data)
		if d.s.Server.lastEncrypted > 0 {
			d.encrypted++
		}
	}
	if d.finished() {
		d.done = true
		return dissect.Done, err
	}
	return dissect.Continue, err
}

// finished reports whether more packets cannot change the record: the
// login inference decided, or cannot be made (SSH-1, a side that stopped
// parsing, compression), or enough encrypted packets went by.
func (d *dissector) finished() bool {
	s := d.s
	if s.auth.decided || d.encrypted >= maxEncrypted {
		return true
	}
	if (s.Client.Version1 || s.Server.Version1) && s.Client.Banner != "" && s.Server.Banner != "" {
		return true // SSH-1 packets are not parsed
	}
	settled := func(p *Parser) bool { return p.st == stDone || p.st == stEncrypted }
	if !settled(s.Client) || !settled(s.Server) {
		return false
	}
	if s.Client.st == stDone || s.Server.st == stDone {
		return true
	}
	in := s.Info()
	return in.Chosen != nil && (compressed(in.Chosen.CompressionClientToServer) || compressed(in.Chosen.CompressionServerToClient))
}

// Gap implements dissect.Dissector: a hole in the cleartext start stops
// that direction's parser; in the encrypted part it would shift the sizes
// the login inference compares, so the inference stops.
func (d *dissector) Gap(_ *dissect.Context, _ int, fromClient bool) {
	p := d.s.Server
	if fromClient {
		p = d.s.Client
	}
	if p.st != stEncrypted {
		p.st, p.buf = stDone, nil
		return
	}
	d.encrypted = maxEncrypted
}

// End implements dissect.Dissector: the record is written when the
// connection ends, or at an interim record once nothing more can change
// it (a long interactive session).
func (d *dissector) End(c *dissect.Context, final bool) {
	if d.emitted || (!final && !d.done) {
		return
	}
	d.emitted = true
	in := d.s.Info()
	if in.ClientBanner == "" && in.ServerBanner == "" {
		return
	}
	g := &record.SSH{
		Version:      in.Version,
		ClientBanner: in.ClientBanner, ServerBanner: in.ServerBanner,
		HASSH: in.HASSH, HASSHServer: in.HASSHServer,
		AuthAttempts: in.AuthAttempts,
	}
	if ch := in.Chosen; ch != nil {
		g.Kex, g.HostKey = ch.Kex, ch.HostKey
		g.Cipher, g.MAC, g.Compression = ch.CipherClientToServer, ch.MACClientToServer, ch.CompressionClientToServer
		if aead(g.Cipher) {
			g.MAC = "" // the cipher authenticates: the MAC negotiated is not used
		}
	}
	if k := in.ClientKex; k != nil {
		g.ClientKex, g.ClientCiphers, g.ClientMACs = k.KexAlgorithms, k.CiphersClientToServer, k.MACsClientToServer
	}
	if k := in.ServerKex; k != nil {
		g.ServerHostKeys = k.HostKeyAlgorithms
	}
	if in.LoginLikely != nil {
		g.AuthSuccess, g.HasAuthSuccess = *in.LoginLikely, true
	}
	c.EmitAt(record.DatasetSSH, d.start).SSH = g
}

// aead reports OpenSSH's authenticated ciphers, which ignore the MAC
// algorithm negotiated (PROTOCOL.chacha20poly1305, PROTOCOL section 1.6).
// RFC 5647's AEAD_AES_*_GCM also negotiate themselves as the MAC, which
// is kept.
func aead(cipher string) bool {
	switch cipher {
	case "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com":
		return true
	}
	return false
}

var sshPrefix = []byte("SSH-")

// probe recognises the identification string either side starts with,
// "SSH-" and a protocol major version; a server may send other lines
// first (RFC 4253 §4.2), so its side is also searched for a line that
// starts so.
func probe(data []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	n := min(len(data), len(sshPrefix))
	if bytes.Equal(data[:n], sshPrefix[:n]) {
		switch {
		case len(data) < 5:
			return dissect.Maybe
		case data[4] == '1' || data[4] == '2':
			return dissect.Yes
		}
		return dissect.No
	}
	if !h.FromClient && printable(data[:min(len(data), 64)]) {
		head := data[:min(len(data), 1024)]
		if bytes.Contains(head, []byte("\nSSH-2.0-")) || bytes.Contains(head, []byte("\nSSH-1.99-")) {
			return dissect.Yes
		}
	}
	return dissect.No
}

// printable reports whether b is text lines.
func printable(b []byte) bool {
	for _, c := range b {
		if (c < ' ' || c > '~') && c != '\r' && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

var _ dissect.Dissector = (*dissector)(nil)
