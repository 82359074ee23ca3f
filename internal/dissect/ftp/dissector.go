package ftp

import (
	"bytes"
	"net/netip"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "ftp",
		Doc:   "FTP control connections on any TCP port: one record per file transfer, data channel and login; data connections are labelled ftp-data.",
		TCP:   true,
		Ports: []uint16{21},
		Probe: Probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

// DataProtocol is the network.protocol of a data connection announced on
// a control connection.
const DataProtocol = "ftp-data"

var defaultConfig = DefaultConfig()

// logged are the commands written as records: Zeek's default
// FTP::logged_commands (file transfers and data channels), plus the login
// (PASS, and USER when its reply is final) and AUTH, the switch to TLS.
var logged = map[string]bool{
	"APPE": true, "DELE": true, "RETR": true, "STOR": true, "STOU": true, "ACCT": true,
	"PORT": true, "PASV": true, "EPRT": true, "EPSV": true,
	"PASS": true, "AUTH": true,
}

// dissector turns a control connection's commands into records and
// announces its data connections.
type dissector struct {
	s   *Session
	tls bool // AUTH TLS accepted: the rest is TLS
}

func newDissector() *dissector { return &dissector{s: NewSession(defaultConfig)} }

// Data implements dissect.Dissector. After the server accepts AUTH TLS
// the rest of the connection is TLS: the dissector returns Done.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	var err error
	if fromClient {
		err = d.s.FeedClient(data)
	} else {
		err = d.s.FeedServer(data)
	}
	d.emit(c, d.s.Drain())
	if d.s.TLS {
		d.tls = true
		return dissect.Done, err
	}
	return dissect.Continue, err
}

// Gap implements dissect.Dissector: the line in progress is lost and
// parsing resumes at the next line.
func (d *dissector) Gap(_ *dissect.Context, n int, fromClient bool) {
	if fromClient {
		d.s.GapClient(n)
	} else {
		d.s.GapServer(n)
	}
}

// End implements dissect.Dissector: at the end of the connection the
// commands still waiting for a reply are written.
func (d *dissector) End(c *dissect.Context, final bool) {
	if final && !d.tls {
		d.emit(c, d.s.Close())
	}
}

func (d *dissector) emit(c *dissect.Context, cmds []Command) {
	for i := range cmds {
		cmd := &cmds[i]
		dc := cmd.DataChannel
		if dc != nil && cmd.ReplyCode/100 == 2 {
			expect(c, dc)
		}
		if !logged[cmd.Command] && !(cmd.Command == "USER" && cmd.ReplyCode != 0 && cmd.ReplyCode != 331 && cmd.ReplyCode != 332) {
			continue
		}
		g := &record.FTP{
			Command:   cmd.Command,
			Arg:       cmd.Arg,
			User:      d.s.User,
			Path:      cmd.Path,
			ReplyCode: cmd.ReplyCode,
			ReplyMsg:  cmd.ReplyMsg,
		}
		if dc != nil {
			listener := c.Destination().Addr() // PASV: the server listens
			if !dc.Passive {
				listener = c.Source().Addr()
			}
			g.HasData, g.DataPassive, g.DataIP, g.DataPort = true, dc.Passive, dc.AddrPort(listener).Addr(), dc.Port
		}
		c.Emit(record.DatasetFTP).FTP = g
	}
}

// expect announces the data connection of an accepted PASV, EPSV, PORT or
// EPRT. For PASV the client connects to the announced address; for PORT
// the server connects to the client's (from port 20, or any). Behind NAT
// the announced address is often the inside one while the connection goes
// to the control connection's address, so that endpoint is announced too.
func expect(c *dissect.Context, dc *DataChannel) {
	client, server := c.Source().Addr().Unmap(), c.Destination().Addr().Unmap()
	from, to := client, server // passive: client → server
	if !dc.Passive {
		from, to = server, client
	}
	dst := dc.AddrPort(to)
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	c.Expect(from, dst, DataProtocol)
	if dst.Addr() != to {
		c.Expect(from, netip.AddrPortFrom(to, dc.Port), DataProtocol)
	}
}

// maxProbeBytes bounds the bytes a probe reads.
const maxProbeBytes = 1024

// clientVerbs are commands only FTP clients send, so one of them in the
// first lines of a client's stream says FTP wherever it runs. USER and
// PASS, shared with POP3, say Yes only on port 21.
var clientVerbs = map[string]bool{
	"FEAT": true, "SYST": true, "OPTS": true, "PASV": true, "EPSV": true, "PORT": true, "EPRT": true,
	"PWD": true, "XPWD": true, "CWD": true, "CDUP": true, "TYPE": true, "MLSD": true, "MLST": true, "NLST": true,
	"STOR": true, "SIZE": true, "MDTM": true, "CLNT": true, "PBSZ": true, "PROT": true, "ACCT": true,
}

// sharedVerbs are FTP commands other protocols (POP3) use too: they leave
// the question open.
var sharedVerbs = map[string]bool{
	"RETR": true, "LIST": true, "QUIT": true, "NOOP": true, "HELP": true, "STAT": true, "DELE": true,
	"RNFR": true, "RNTO": true, "MKD": true, "RMD": true, "APPE": true, "REST": true, "ABOR": true,
	"SITE": true, "ALLO": true, "STOU": true, "REIN": true, "STRU": true, "MODE": true,
}

// serverWords are greeting words of FTP servers (compared in lower case).
var serverWords = [][]byte{[]byte("ftp"), []byte("filezilla"), []byte("serv-u")}

// smtpWords make a 220 greeting SMTP's, not FTP's.
var smtpWords = [][]byte{[]byte("smtp"), []byte("postfix"), []byte("exim"), []byte("sendmail")}

// Probe recognises an FTP control connection from either side, whatever
// the port. A 220 greeting that names FTP (or a known FTP server) is Yes;
// a bare one could be SMTP: Yes on port 21, Maybe elsewhere, and the
// client's first commands decide (FEAT, SYST, PASV, TYPE, AUTH TLS… are
// FTP; USER and PASS are Maybe off port 21, as POP3 uses them too).
func Probe(data []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || len(data) == 0 {
		return dissect.No
	}
	data = data[:min(len(data), maxProbeBytes)]
	if h.FromClient {
		return probeClient(data, h.OnPort)
	}
	return probeServer(data, h.OnPort)
}

func probeClient(data []byte, onPort bool) dissect.Verdict {
	verdict := dissect.Maybe
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(data) > 64 || !printable(data) {
				return dissect.No // no FTP command is that long before its argument
			}
			return verdict
		}
		line := bytes.TrimRight(data[:i], "\r")
		data = data[i+1:]
		if !printable(line) {
			return dissect.No
		}
		verb, arg, _ := bytes.Cut(line, []byte(" "))
		v := string(bytes.ToUpper(verb))
		switch {
		case clientVerbs[v]:
			return dissect.Yes
		case v == "AUTH":
			switch string(bytes.ToUpper(bytes.TrimSpace(arg))) {
			case "TLS", "SSL", "TLS-C", "TLS-P":
				return dissect.Yes
			}
			return dissect.No // SMTP and POP3 AUTH name a SASL mechanism
		case v == "USER" && len(arg) > 0 && bytes.IndexByte(arg, ' ') < 0, v == "PASS":
			if onPort {
				return dissect.Yes
			}
		case sharedVerbs[v]:
		default:
			return dissect.No
		}
	}
	return verdict
}

func probeServer(data []byte, onPort bool) dissect.Verdict {
	i := bytes.IndexByte(data, '\n')
	line, complete := data, false
	if i >= 0 {
		line, complete = bytes.TrimRight(data[:i], "\r"), true
	}
	if len(line) < 4 {
		if complete || !bytes.HasPrefix([]byte("220 "), line) && !bytes.HasPrefix([]byte("220-"), line) {
			return dissect.No
		}
		return dissect.Maybe
	}
	if !bytes.HasPrefix(line, []byte("220")) || line[3] != ' ' && line[3] != '-' || !printable(line) {
		return dissect.No
	}
	text := bytes.ToLower(data)
	for _, w := range smtpWords {
		if bytes.Contains(text, w) {
			return dissect.No
		}
	}
	for _, w := range serverWords {
		if bytes.Contains(text, w) {
			return dissect.Yes
		}
	}
	if complete && onPort {
		return dissect.Yes
	}
	return dissect.Maybe
}

// printable reports whether a command or reply line is text.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

var _ dissect.Dissector = (*dissector)(nil)
