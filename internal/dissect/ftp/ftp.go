package ftp

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/flowsift/flowsift/internal/lines"
)

// Sentinel errors wrapped by every error the package returns.
var (
	// ErrTruncated means a stream ended inside a line.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means a line or an address cannot be FTP.
	ErrMalformed = errors.New("malformed")
	// ErrTooLarge means a line or a queue exceeded its bound.
	ErrTooLarge = errors.New("too large")
)

// Config bounds the memory of a Session.
type Config struct {
	// MaxLineLen is the longest line kept; longer ones are skipped with
	// an ErrTooLarge error.
	MaxLineLen int
	// MaxArgLen truncates kept arguments, reply texts and paths.
	MaxArgLen int
	// MaxPending bounds the commands waiting for a reply.
	MaxPending int
	// MaxCommands bounds the finished commands kept until Drain.
	MaxCommands int
}

// DefaultConfig returns working bounds.
func DefaultConfig() Config {
	return Config{MaxLineLen: 4096, MaxArgLen: 1024, MaxPending: 32, MaxCommands: 256}
}

// Validate reports a bound that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxLineLen < 512 {
		errs = append(errs, fmt.Errorf("ftp: max_line_len %d: must be at least 512", c.MaxLineLen))
	}
	if c.MaxArgLen < 1 || c.MaxPending < 1 || c.MaxCommands < 1 {
		errs = append(errs, fmt.Errorf("ftp: max_arg_len, max_pending and max_commands must be positive"))
	}
	return errors.Join(errs...)
}

// Command is one client command and the server's final reply to it.
type Command struct {
	Command string `json:"command"`
	// Arg is the argument as sent; for PASS it is never kept.
	Arg string `json:"arg,omitempty"`
	// Path is the argument of a file command resolved against the working
	// directory, which is "." (the login directory) until a PWD reply or
	// an absolute CWD names it.
	Path string `json:"path,omitempty"`
	// ReplyCode and ReplyMsg are the final (non-1xx) reply; the text is
	// that of the last line of a multi-line reply. Zero when none came.
	ReplyCode int    `json:"reply_code,omitempty"`
	ReplyMsg  string `json:"reply_msg,omitempty"`
	// DataChannel is the data connection announced by this command (PORT,
	// EPRT) or by its reply (227, 229).
	DataChannel *DataChannel `json:"data_channel,omitempty"`
}

// fileCommands take a path argument.
var fileCommands = map[string]bool{"RETR": true, "STOR": true, "STOU": true, "APPE": true, "DELE": true, "SIZE": true, "MDTM": true}

// Session parses both directions of one FTP control connection.
type Session struct {
	cfg Config
	cli lineBuf
	srv lineBuf

	// Greeting is the server's first reply (usually 220).
	GreetingCode int    `json:"greeting_code,omitempty"`
	Greeting     string `json:"greeting,omitempty"`
	// User is the argument of the last USER command.
	User string `json:"user,omitempty"`
	// Cwd is the working directory as far as the session shows it.
	Cwd string `json:"cwd"`
	// TLS is true once the server accepted AUTH TLS; nothing after is
	// parsed.
	TLS bool `json:"tls,omitempty"`
	// Dropped counts commands dropped because Drain was not called, or
	// pending ones dropped because the server never answered.
	Dropped int `json:"dropped,omitempty"`

	greeted bool
	pending []*Command
	done    []Command
	multi   int // code of the multi-line reply in progress, 0 if none
}

// NewSession returns a Session; cfg is used as given, call Validate first.
func NewSession(cfg Config) *Session {
	s := &Session{cfg: cfg, Cwd: "."}
	s.cli.Max, s.srv.Max = cfg.MaxLineLen, cfg.MaxLineLen
	return s
}

// Drain returns the commands that got their final reply, in order, and
// forgets them.
func (s *Session) Drain() []Command {
	d := s.done
	s.done = nil
	return d
}

// Close ends the session and returns the remaining commands, those still
// without a reply included.
func (s *Session) Close() []Command {
	for _, c := range s.pending {
		s.emit(c)
	}
	s.pending = nil
	return s.Drain()
}

func (s *Session) emit(c *Command) {
	if len(s.done) >= s.cfg.MaxCommands {
		s.done = s.done[1:]
		s.Dropped++
	}
	s.done = append(s.done, *c)
}

func (s *Session) clip(v string) string {
	if len(v) > s.cfg.MaxArgLen {
		return v[:s.cfg.MaxArgLen]
	}
	return v
}

// FeedClient parses bytes sent by the client. It keeps no reference to
// data. An error concerns one line; parsing goes on.
func (s *Session) FeedClient(data []byte) error {
	var errs []error
	for len(data) > 0 && !s.TLS {
		line, rest, err := s.cli.next(data)
		data = rest
		if err != nil {
			errs = append(errs, err)
		}
		if line != nil {
			if err := s.command(string(line)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// FeedServer parses bytes sent by the server; see FeedClient.
func (s *Session) FeedServer(data []byte) error {
	var errs []error
	for len(data) > 0 && !s.TLS {
		line, rest, err := s.srv.next(data)
		data = rest
		if err != nil {
			errs = append(errs, err)
		}
		if line != nil {
			if err := s.reply(string(line)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// GapClient tells the session that n bytes of the client stream were
// never captured: the line in progress is dropped, and parsing resumes at
// the next line. Commands and replies lost in the gap are tolerated: a
// reply is paired with the oldest pending command that RFC 959 says can
// get it.
func (s *Session) GapClient(n int) { s.cli.gap() }

// GapServer is GapClient for the server stream.
func (s *Session) GapServer(n int) { s.srv.gap(); s.multi = 0 }

func (s *Session) command(line string) error {
	verb, arg, _ := strings.Cut(strings.TrimLeft(line, " "), " ")
	verb = strings.ToUpper(verb)
	if verb == "" {
		return nil
	}
	c := &Command{Command: s.clip(verb), Arg: s.clip(strings.TrimSpace(arg))}
	var err error
	switch verb {
	case "USER":
		s.User = c.Arg
	case "PASS":
		c.Arg = "" // never kept
	case "PORT":
		c.DataChannel, err = parsePORT(c.Arg)
	case "EPRT":
		c.DataChannel, err = parseEPRT(c.Arg)
	}
	if fileCommands[verb] {
		c.Path = s.clip(resolve(s.Cwd, c.Arg))
	}
	if len(s.pending) >= s.cfg.MaxPending {
		s.emit(s.pending[0]) // the server never answered it
		s.pending = s.pending[1:]
		s.Dropped++
		err = errors.Join(err, fmt.Errorf("ftp: more than %d commands without reply: %w", s.cfg.MaxPending, ErrTooLarge))
	}
	s.pending = append(s.pending, c)
	return err
}

// reply handles one reply line. Multi-line replies (RFC 959 §4.2) start
// with "ddd-" and end with "ddd "; lines in between are free text.
func (s *Session) reply(line string) error {
	code, text, cont, ok := replyLine(line)
	if s.multi != 0 {
		if !ok || code != s.multi || cont {
			return nil // a text line inside a multi-line reply
		}
		s.multi = 0
	} else {
		if !ok {
			return fmt.Errorf("ftp: reply %.16q: %w", line, ErrMalformed)
		}
		if cont {
			s.multi = code
			return nil
		}
	}
	text = s.clip(text)
	if !s.greeted {
		s.greeted = true
		if len(s.pending) == 0 || code == 220 {
			s.GreetingCode, s.Greeting = code, text
			return nil
		}
	}
	if code < 200 || len(s.pending) == 0 {
		return nil // preliminary (1xx), or a reply nobody asked for
	}
	c := s.take(code)
	c.ReplyCode, c.ReplyMsg = code, text
	var err error
	switch {
	case code == 227:
		c.DataChannel, err = parsePASV(text)
	case code == 229:
		c.DataChannel, err = parseEPSV(text)
	case code == 257 && c.Command == "PWD":
		if p, ok := quoted(text); ok {
			s.Cwd = s.clip(p)
		}
	case c.Command == "CWD" || c.Command == "CDUP":
		s.changeDir(c, code)
	case code == 234 && c.Command == "AUTH":
		s.TLS = true
	}
	s.emit(c)
	return err
}

// take removes and returns the pending command a final reply answers: the
// oldest one for which RFC 959 §5.4 lists the code, else the oldest. After
// a capture gap loses a command or a reply, this keeps replies with their
// commands (Zeek's ftp scripts pair them the same way). Older commands
// passed over have lost their reply and are emitted without one; a CWD or
// CDUP among them is assumed to have succeeded, as nearly all do, so the
// working directory does not stay wrong for the rest of the session.
func (s *Session) take(code int) *Command {
	i := 0
	for j, c := range s.pending {
		if expects(c.Command, code) {
			i = j
			break
		}
	}
	for _, c := range s.pending[:i] {
		s.changeDir(c, 250)
		s.emit(c)
	}
	c := s.pending[i]
	s.pending = s.pending[i+1:]
	return c
}

// changeDir follows a successful CWD or CDUP.
func (s *Session) changeDir(c *Command, code int) {
	switch {
	case code/100 != 2:
	case c.Command == "CWD":
		s.Cwd = s.clip(resolve(s.Cwd, c.Arg))
	case c.Command == "CDUP":
		s.Cwd = s.clip(resolve(s.Cwd, ".."))
	}
}

// replyLine splits "227 text" / "230-text". A line of only a code, or a
// code glued to its text ("230USER OK"), is accepted as a final line.
func replyLine(line string) (code int, text string, cont, ok bool) {
	if len(line) < 3 {
		return 0, "", false, false
	}
	n, err := strconv.Atoi(line[:3])
	if err != nil || n < 100 || n > 599 {
		return 0, "", false, false
	}
	rest := line[3:]
	if strings.HasPrefix(rest, "-") {
		return n, strings.TrimSpace(rest[1:]), true, true
	}
	return n, strings.TrimSpace(rest), false, true
}

// resolve joins p to dir and compresses "." and ".." components, keeping
// a leading "./" that marks a path relative to the login directory.
func resolve(dir, p string) string {
	if !strings.HasPrefix(p, "/") {
		p = dir + "/" + p
	}
	rel := strings.HasPrefix(p, "./") || p == "."
	c := path.Clean(p)
	if rel && c != "." && !strings.HasPrefix(c, "/") && !strings.HasPrefix(c, "..") {
		return "./" + c
	}
	return c
}

// quoted extracts the directory of a 257 reply: "/dir" is current…,
// with "" standing for one quote (RFC 959 appendix II).
func quoted(text string) (string, bool) {
	i := strings.IndexByte(text, '"')
	if i < 0 {
		return "", false
	}
	var sb strings.Builder
	for j := i + 1; j < len(text); j++ {
		if text[j] == '"' {
			if j+1 < len(text) && text[j+1] == '"' {
				sb.WriteByte('"')
				j++
				continue
			}
			return sb.String(), true
		}
		sb.WriteByte(text[j])
	}
	return "", false
}

// lineBuf splits one direction into lines and turns an over-long line
// into this package's error.
type lineBuf struct{ lines.Splitter }

func (l *lineBuf) gap() { l.Gap() }

func (l *lineBuf) next(data []byte) (line, rest []byte, err error) {
	line, rest, tooLong := l.Next(data)
	if tooLong {
		return nil, rest, fmt.Errorf("ftp: line longer than %d bytes: %w", l.Max, ErrTooLarge)
	}
	return line, rest, nil
}
