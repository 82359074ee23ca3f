package smtp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/flowsift/flowsift/internal/lines"
)

// Sentinel errors wrapped by every error the package returns.
var (
	// ErrTruncated means a stream ended inside a line or a data chunk.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means a line cannot be SMTP.
	ErrMalformed = errors.New("malformed")
	// ErrTooLarge means a line or a list exceeded its bound.
	ErrTooLarge = errors.New("too large")
)

// Config bounds the memory of a Session.
type Config struct {
	// MaxLineLen is the longest command or reply line kept (RFC 5321
	// allows 512 for commands and 1000 for text lines). Longer lines
	// are skipped with an ErrTooLarge error.
	MaxLineLen int
	// MaxHeaderBytes is how much of each message's header is parsed.
	MaxHeaderBytes int
	// MaxFieldLen truncates each kept header or argument value.
	MaxFieldLen int
	// MaxRecipients bounds RcptTo, To and Cc per transaction.
	MaxRecipients int
	// MaxPending bounds the pipelined commands waiting for a reply.
	MaxPending int
	// MaxTransactions bounds the finished transactions kept until Drain;
	// older ones are dropped and counted in Session.Dropped.
	MaxTransactions int
}

// DefaultConfig returns working bounds.
func DefaultConfig() Config {
	return Config{MaxLineLen: 4096, MaxHeaderBytes: 64 << 10, MaxFieldLen: 1024, MaxRecipients: 100, MaxPending: 64, MaxTransactions: 16}
}

// Validate reports a bound that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxLineLen < 512 {
		errs = append(errs, fmt.Errorf("smtp: max_line_len %d: must be at least 512 (RFC 5321)", c.MaxLineLen))
	}
	for name, v := range map[string]int{"max_header_bytes": c.MaxHeaderBytes, "max_field_len": c.MaxFieldLen,
		"max_recipients": c.MaxRecipients, "max_pending": c.MaxPending, "max_transactions": c.MaxTransactions} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("smtp: %s %d: must be positive", name, v))
		}
	}
	return errors.Join(errs...)
}

// Reply is a server reply: the code and the text of its last line.
type Reply struct {
	Code int    `json:"code"`
	Text string `json:"text,omitempty"`
}

// String renders the reply as Zeek's last_reply does: "250 Ok".
func (r Reply) String() string {
	if r.Code == 0 {
		return ""
	}
	return strconv.Itoa(r.Code) + " " + r.Text
}

// Headers are the message headers kept from a transaction's content.
type Headers struct {
	From           string   `json:"from,omitempty"`
	To             []string `json:"to,omitempty"`
	Cc             []string `json:"cc,omitempty"`
	ReplyTo        string   `json:"reply_to,omitempty"`
	Subject        string   `json:"subject,omitempty"`
	Date           string   `json:"date,omitempty"`
	MessageID      string   `json:"message_id,omitempty"`
	InReplyTo      string   `json:"in_reply_to,omitempty"`
	UserAgent      string   `json:"user_agent,omitempty"` // User-Agent or X-Mailer
	XOriginatingIP string   `json:"x_originating_ip,omitempty"`
}

// Transaction is one mail transaction: MAIL FROM, RCPT TO and content.
type Transaction struct {
	// Depth numbers the transactions of a session from 1.
	Depth    int      `json:"depth"`
	Helo     string   `json:"helo,omitempty"`
	MailFrom string   `json:"mail_from,omitempty"`
	RcptTo   []string `json:"rcpt_to,omitempty"`
	Headers  Headers  `json:"headers"`
	// ContentBytes counts the message bytes after dot-unstuffing
	// (headers and body).
	ContentBytes int64 `json:"content_bytes,omitempty"`
	// Complete is true when the server accepted the end of the content.
	Complete  bool  `json:"complete,omitempty"`
	LastReply Reply `json:"last_reply"`
}

type cmdKind uint8

const (
	cmdOther cmdKind = iota
	cmdGreeting
	cmdData
	cmdBDATLast
	cmdEndData
	cmdStartTLS
)

// Session parses both directions of one SMTP connection.
type Session struct {
	cfg Config
	cli lineBuf
	srv lineBuf

	// Greeting is the text of the server's 220 greeting; ServerName is its
	// first word (the server's host name, what nDPI prints).
	Greeting   string `json:"greeting,omitempty"`
	ServerName string `json:"server_name,omitempty"`
	// Helo is the argument of the last HELO or EHLO.
	Helo string `json:"helo,omitempty"`
	// AuthUser is the user name of AUTH PLAIN or AUTH LOGIN (never the
	// password).
	AuthUser string `json:"auth_user,omitempty"`
	// StartTLS is true once the server accepted STARTTLS; nothing after
	// is parsed.
	StartTLS bool `json:"starttls,omitempty"`
	// LastReply is the last reply of the session.
	LastReply Reply `json:"last_reply"`
	// Dropped counts transactions dropped because Drain was not called.
	Dropped int `json:"dropped,omitempty"`

	cur      *Transaction
	done     []Transaction
	depth    int
	pending  []cmdKind
	inData   bool  // client stream carries message content
	bdatLeft int64 // bytes of BDAT content still to come
	auth     int   // 0 none, 1 expecting AUTH LOGIN user line, 2 password line
	hdr      headerParser
}

// NewSession returns a Session; cfg is used as given, call Validate first.
func NewSession(cfg Config) *Session {
	s := &Session{cfg: cfg}
	s.cli.Max, s.srv.Max = cfg.MaxLineLen, cfg.MaxLineLen
	s.pending = append(s.pending, cmdGreeting)
	return s
}

// Drain returns the finished transactions and forgets them.
func (s *Session) Drain() []Transaction {
	d := s.done
	s.done = nil
	return d
}

// Close finishes the session at connection end and returns the remaining
// transactions, the one in progress included when it saw any command.
func (s *Session) Close() []Transaction {
	s.finish(false)
	return s.Drain()
}

func (s *Session) txn() *Transaction {
	if s.cur == nil {
		s.depth++
		s.cur = &Transaction{Depth: s.depth, Helo: s.Helo}
	}
	return s.cur
}

// finish moves the current transaction to the finished list.
func (s *Session) finish(complete bool) {
	if s.cur == nil {
		return
	}
	s.cur.Complete = complete
	s.hdr.end(&s.cur.Headers, s.cfg)
	if len(s.done) >= s.cfg.MaxTransactions {
		s.done = s.done[1:]
		s.Dropped++
	}
	s.done = append(s.done, *s.cur)
	s.cur = nil
	s.hdr = headerParser{}
}

// FeedClient parses bytes sent by the client. It keeps no reference to
// data. An error concerns one line; parsing goes on.
func (s *Session) FeedClient(data []byte) error {
	var errs []error
	for len(data) > 0 && !s.StartTLS {
		if s.bdatLeft > 0 {
			n := min(int64(len(data)), s.bdatLeft)
			s.content(data[:n], false)
			s.bdatLeft -= n
			data = data[n:]
			continue
		}
		line, rest, err := s.cli.next(data)
		data = rest
		if err != nil {
			errs = append(errs, err)
		}
		if line == nil {
			continue
		}
		if s.inData {
			s.dataLine(line)
			continue
		}
		if err := s.command(line); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// FeedServer parses bytes sent by the server; see FeedClient.
func (s *Session) FeedServer(data []byte) error {
	var errs []error
	for len(data) > 0 && !s.StartTLS {
		line, rest, err := s.srv.next(data)
		data = rest
		if err != nil {
			errs = append(errs, err)
		}
		if line == nil {
			continue
		}
		if err := s.reply(line); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// GapClient tells the session that n bytes of the client stream were
// never captured. Inside a BDAT chunk the chunk is shortened by n, so the
// command after it is still found; otherwise the line in progress is
// dropped. Message headers lost in a gap stay lost.
func (s *Session) GapClient(n int) {
	if s.bdatLeft > 0 {
		s.bdatLeft = max(0, s.bdatLeft-int64(n))
		return
	}
	s.cli.gap()
}

// GapServer is GapClient for the server stream.
func (s *Session) GapServer(n int) { s.srv.gap() }

func (s *Session) clip(v string) string {
	if len(v) > s.cfg.MaxFieldLen {
		return v[:s.cfg.MaxFieldLen]
	}
	return v
}

func (s *Session) push(k cmdKind) error {
	if len(s.pending) >= s.cfg.MaxPending {
		s.pending = s.pending[1:]
		s.pending = append(s.pending, k)
		return fmt.Errorf("smtp: more than %d commands without reply: %w", s.cfg.MaxPending, ErrTooLarge)
	}
	s.pending = append(s.pending, k)
	return nil
}

// command handles one client command line (CR LF removed).
func (s *Session) command(line []byte) error {
	switch s.auth {
	case 1: // AUTH LOGIN: base64 user name
		s.auth = 2
		if u, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(line))); err == nil {
			s.AuthUser = s.clip(string(u))
		}
		return nil
	case 2: // password: never kept
		s.auth = 0
		return nil
	}
	verb, arg, _ := strings.Cut(string(line), " ")
	verb = strings.ToUpper(verb)
	arg = strings.TrimSpace(arg)
	if s.Greeting == "" && !knownVerbs[verb] {
		// Before the greeting a client has nothing to say in SMTP: this is
		// another protocol's tail (an HTTP CONNECT to a proxy, say), and
		// counting it would shift the reply matching.
		return nil
	}
	kind := cmdOther
	switch verb {
	case "HELO", "EHLO":
		s.Helo = s.clip(arg)
	case "MAIL":
		if s.cur != nil {
			s.finish(false) // a new MAIL starts another transaction
		}
		s.txn().MailFrom = s.clip(pathArg(arg, "FROM:"))
	case "RCPT":
		t := s.txn()
		if len(t.RcptTo) < s.cfg.MaxRecipients {
			t.RcptTo = append(t.RcptTo, s.clip(pathArg(arg, "TO:")))
		}
	case "DATA":
		s.txn()
		s.inData = true
		kind = cmdData
	case "BDAT":
		f := strings.Fields(arg)
		if len(f) == 0 {
			return fmt.Errorf("smtp: bdat without size: %w", ErrMalformed)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("smtp: bdat size %q: %w", f[0], ErrMalformed)
		}
		s.txn()
		s.bdatLeft = n
		if len(f) > 1 && strings.EqualFold(f[1], "LAST") {
			kind = cmdBDATLast
		}
	case "RSET":
		s.finish(false)
	case "STARTTLS":
		kind = cmdStartTLS
	case "AUTH":
		mech, ini, _ := strings.Cut(arg, " ")
		switch strings.ToUpper(mech) {
		case "PLAIN":
			if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ini)); err == nil {
				// authzid NUL authcid NUL password
				if parts := bytes.SplitN(b, []byte{0}, 3); len(parts) == 3 {
					s.AuthUser = s.clip(string(parts[1]))
				}
			}
		case "LOGIN":
			if ini == "" {
				s.auth = 1
			} else {
				if u, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ini)); err == nil {
					s.AuthUser = s.clip(string(u))
				}
				s.auth = 2
			}
		}
	}
	return s.push(kind)
}

// knownVerbs are the commands of RFC 5321 and its common extensions.
var knownVerbs = map[string]bool{"HELO": true, "EHLO": true, "MAIL": true, "RCPT": true, "DATA": true, "BDAT": true,
	"RSET": true, "VRFY": true, "EXPN": true, "HELP": true, "NOOP": true, "QUIT": true, "STARTTLS": true, "AUTH": true,
	"ETRN": true, "ATRN": true, "TURN": true, "XCLIENT": true, "XFORWARD": true}

// pathArg extracts the address of "FROM:<a@b> SIZE=1" as Zeek does:
// without angle brackets and parameters.
func pathArg(arg, prefix string) string {
	if len(arg) >= len(prefix) && strings.EqualFold(arg[:len(prefix)], prefix) {
		arg = arg[len(prefix):]
	}
	arg = strings.TrimSpace(arg)
	if strings.HasPrefix(arg, "<") {
		if i := strings.IndexByte(arg, '>'); i > 0 {
			return arg[1:i]
		}
		return strings.TrimPrefix(arg, "<")
	}
	a, _, _ := strings.Cut(arg, " ")
	return a
}

// dataLine handles one line of DATA content.
func (s *Session) dataLine(line []byte) {
	if len(line) == 1 && line[0] == '.' {
		s.inData = false
		s.pending = append(s.pending, cmdEndData)
		return
	}
	if len(line) > 1 && line[0] == '.' {
		line = line[1:]
	}
	s.content(line, true)
}

// content feeds message bytes to the header parser; addEOL says a line
// ending was stripped.
func (s *Session) content(b []byte, addEOL bool) {
	t := s.txn()
	t.ContentBytes += int64(len(b))
	if addEOL {
		t.ContentBytes += 2
	}
	s.hdr.feed(b, addEOL, &t.Headers, s.cfg)
}

// reply handles one server reply line.
func (s *Session) reply(line []byte) error {
	if len(line) < 3 {
		return fmt.Errorf("smtp: reply line of %d bytes: %w", len(line), ErrMalformed)
	}
	code, err := strconv.Atoi(string(line[:3]))
	if err != nil || code < 100 || code > 599 {
		return fmt.Errorf("smtp: reply code %q: %w", line[:3], ErrMalformed)
	}
	text := ""
	more := false
	if len(line) > 3 {
		more = line[3] == '-'
		text = strings.TrimSpace(string(line[4:]))
	}
	if more {
		return nil // only the last line of a multi-line reply is kept
	}
	r := Reply{Code: code, Text: s.clip(text)}
	s.LastReply = r
	if s.cur != nil {
		s.cur.LastReply = r
	}
	var kind cmdKind
	if len(s.pending) > 0 {
		kind = s.pending[0]
		s.pending = s.pending[1:]
	}
	switch kind {
	case cmdGreeting:
		if code == 220 {
			s.Greeting = s.clip(text)
			if s.Greeting == "" {
				s.Greeting = "220"
			}
			s.ServerName, _, _ = strings.Cut(s.Greeting, " ")
		}
	case cmdData:
		if code != 354 {
			s.inData = false // rejected: the client sends no content
		}
	case cmdEndData, cmdBDATLast:
		s.finish(code/100 == 2)
	case cmdStartTLS:
		if code == 220 {
			s.StartTLS = true
			s.finish(false)
		}
	}
	return nil
}

// lineBuf splits one direction into lines and turns an over-long line
// into this package's error.
type lineBuf struct{ lines.Splitter }

func (l *lineBuf) gap() { l.Gap() }

func (l *lineBuf) next(data []byte) (line, rest []byte, err error) {
	line, rest, tooLong := l.Next(data)
	if tooLong {
		return nil, rest, fmt.Errorf("smtp: line longer than %d bytes: %w", l.Max, ErrTooLarge)
	}
	return line, rest, nil
}
