package smtp

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "smtp",
		Doc:   "SMTP on any TCP port: one record per mail transaction (envelope, message headers, last reply, AUTH user, STARTTLS).",
		TCP:   true,
		Ports: []uint16{25, 587, 2525}, // 465 is TLS from the first byte
		Probe: Probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

var defaultConfig = DefaultConfig()

// dissector turns a connection's mail transactions into records.
type dissector struct {
	s       *Session
	start   int64 // first client bytes since the last transaction was written
	emitted int
	tls     bool // STARTTLS accepted: the rest is TLS
}

func newDissector() *dissector { return &dissector{s: NewSession(defaultConfig)} }

// Data implements dissect.Dissector. After the server accepts STARTTLS
// the rest of the connection is TLS, which this dissector cannot read:
// it writes what it holds and returns Done.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	var err error
	if fromClient {
		if d.start == 0 {
			d.start = c.Time()
		}
		err = d.s.FeedClient(data)
	} else {
		err = d.s.FeedServer(data)
	}
	txs := d.s.Drain()
	d.emit(c, txs)
	if d.s.StartTLS {
		if len(txs) == 0 {
			// The usual STARTTLS session has no mail transaction in the
			// clear: its record is the session's.
			d.emitSession(c)
		}
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

// End implements dissect.Dissector. Finished transactions are written as
// they complete, so only the final call has work: the transaction in
// progress, or, for a session that greeted or authenticated but sent no
// mail, one record of the session (as Zeek's smtp.log has).
func (d *dissector) End(c *dissect.Context, final bool) {
	if !final || d.tls {
		return
	}
	d.emit(c, d.s.Close())
	if d.emitted == 0 && (d.s.Helo != "" || d.s.AuthUser != "") {
		d.emitSession(c)
	}
}

// emit writes transactions; the first is timed at the first client bytes
// after the previous one (its first command, to within one segment).
func (d *dissector) emit(c *dissect.Context, txs []Transaction) {
	for i := range txs {
		tx := &txs[i]
		ts := c.Time()
		if d.start != 0 {
			ts, d.start = d.start, 0
		}
		helo := tx.Helo
		if helo == "" {
			helo = d.s.Helo
		}
		h := &tx.Headers
		c.EmitAt(record.DatasetSMTP, ts).SMTP = &record.SMTP{
			Helo:       helo,
			MailFrom:   tx.MailFrom,
			RcptTo:     tx.RcptTo,
			LastReply:  tx.LastReply.String(),
			StartTLS:   d.s.StartTLS,
			AuthUser:   d.s.AuthUser,
			From:       h.From,
			To:         h.To,
			Cc:         h.Cc,
			ReplyTo:    h.ReplyTo,
			Subject:    h.Subject,
			Date:       h.Date,
			MessageID:  h.MessageID,
			InReplyTo:  h.InReplyTo,
			UserAgent:  h.UserAgent,
			XOrigIP:    h.XOriginatingIP,
			Bytes:      tx.ContentBytes,
			ServerName: d.s.ServerName,
		}
		d.emitted++
	}
}

// emitSession writes a record of a session without a mail transaction.
func (d *dissector) emitSession(c *dissect.Context) {
	ts := d.start
	d.start = 0
	c.EmitAt(record.DatasetSMTP, ts).SMTP = &record.SMTP{
		Helo:       d.s.Helo,
		LastReply:  d.s.LastReply.String(),
		StartTLS:   d.s.StartTLS,
		AuthUser:   d.s.AuthUser,
		ServerName: d.s.ServerName,
	}
	d.emitted++
}

// mailWords are greeting words that only mail servers use (compared in
// lower case).
var mailWords = [][]byte{
	[]byte("smtp"), []byte("postfix"), []byte("exim"), []byte("sendmail"), []byte("exchange"),
	[]byte("qmail"), []byte("haraka"), []byte("mail server"), []byte("mailserver"),
	[]byte("mail service"), []byte("mail gateway"),
}

// maxProbeLine bounds the line a probe waits for.
const maxProbeLine = 1024

// Probe recognises SMTP from either side, whatever the port. The server's
// 220 greeting is SMTP when its text names a mail server; a bare one
// ("220 host ready") could be FTP, so it is Maybe off the SMTP ports and
// the client's first command decides: EHLO or HELO (or MAIL/RCPT when the
// capture starts mid-session) is SMTP.
func Probe(data []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || len(data) == 0 {
		return dissect.No
	}
	if h.FromClient {
		return probeClient(data)
	}
	return probeServer(data, h.OnPort)
}

// clientVerbs are the commands that start an SMTP client's stream, with
// the byte that must follow.
var clientVerbs = []string{"EHLO ", "HELO ", "MAIL FROM:", "RCPT TO:"}

func probeClient(data []byte) dissect.Verdict {
	line, complete := firstLine(data)
	for _, v := range clientVerbs {
		n := min(len(line), len(v))
		if !bytes.EqualFold(line[:n], []byte(v[:n])) {
			continue
		}
		if n == len(v) {
			if printable(line) {
				return dissect.Yes
			}
			return dissect.No
		}
		if !complete {
			return dissect.Maybe
		}
	}
	return dissect.No
}

func probeServer(data []byte, onPort bool) dissect.Verdict {
	line, complete := firstLine(data)
	if len(line) < 4 {
		if complete || !bytes.HasPrefix([]byte("220 "), line) && !bytes.HasPrefix([]byte("220-"), line) {
			return dissect.No
		}
		return dissect.Maybe
	}
	if !bytes.HasPrefix(line, []byte("220")) || line[3] != ' ' && line[3] != '-' || !printable(line) {
		return dissect.No
	}
	// A multi-line greeting may name the software on a later line.
	text := bytes.ToLower(data[:min(len(data), maxProbeLine)])
	if bytes.Contains(text, []byte("ftp")) {
		return dissect.Maybe // the FTP probe says Yes; a client EHLO still wins here
	}
	for _, w := range mailWords {
		if bytes.Contains(text, w) {
			return dissect.Yes
		}
	}
	if complete && onPort {
		return dissect.Yes
	}
	return dissect.Maybe
}

// firstLine returns the first line of data without its end of line, and
// whether the line is complete.
func firstLine(data []byte) ([]byte, bool) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return bytes.TrimRight(data[:i], "\r"), true
	}
	if len(data) > maxProbeLine {
		return data[:maxProbeLine], true // too long to be SMTP: judged as it is
	}
	return data, false
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
