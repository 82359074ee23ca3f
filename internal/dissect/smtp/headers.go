package smtp

import (
	"bytes"
	"strings"
)

// headerParser follows the message header of one transaction: it unfolds
// continuation lines and stops at the empty line or at
// Config.MaxHeaderBytes. BDAT chunks arrive without line structure, so it
// keeps a partial line of its own.
type headerParser struct {
	done    bool
	seen    int
	partial []byte // BDAT bytes after the last line ending
	field   []byte // current (unfolded) header field
}

func (h *headerParser) feed(b []byte, eol bool, out *Headers, cfg Config) {
	if h.done {
		return
	}
	if eol {
		h.line(b, out, cfg)
		return
	}
	for len(b) > 0 && !h.done {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(h.partial)+len(b) > cfg.MaxLineLen {
				h.partial = h.partial[:0] // an over-long header line is dropped
				return
			}
			h.partial = append(h.partial, b...)
			return
		}
		line := b[:i]
		if len(h.partial) > 0 {
			line = append(h.partial, line...)
			h.partial = h.partial[:0]
		}
		h.line(bytes.TrimSuffix(line, []byte{'\r'}), out, cfg)
		b = b[i+1:]
	}
}

func (h *headerParser) line(l []byte, out *Headers, cfg Config) {
	h.seen += len(l) + 2
	if len(l) == 0 || h.seen > cfg.MaxHeaderBytes {
		h.flush(out, cfg)
		h.done = true
		return
	}
	if l[0] == ' ' || l[0] == '\t' {
		if len(h.field) > 0 && len(h.field)+len(l) <= cfg.MaxLineLen {
			h.field = append(h.field, ' ')
			h.field = append(h.field, bytes.TrimSpace(l)...)
		}
		return
	}
	h.flush(out, cfg)
	if len(l) <= cfg.MaxLineLen {
		h.field = append(h.field[:0], l...)
	}
}

// flush stores the completed header field.
func (h *headerParser) flush(out *Headers, cfg Config) {
	if len(h.field) == 0 {
		return
	}
	name, value, ok := strings.Cut(string(h.field), ":")
	h.field = h.field[:0]
	if !ok {
		return
	}
	value = strings.TrimSpace(value)
	if len(value) > cfg.MaxFieldLen {
		value = value[:cfg.MaxFieldLen]
	}
	set := func(dst *string) {
		if *dst == "" {
			*dst = value
		}
	}
	list := func(dst *[]string) {
		for _, a := range strings.Split(value, ",") {
			if a = strings.TrimSpace(a); a != "" && len(*dst) < cfg.MaxRecipients {
				*dst = append(*dst, a)
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "from":
		set(&out.From)
	case "to":
		list(&out.To)
	case "cc":
		list(&out.Cc)
	case "reply-to":
		set(&out.ReplyTo)
	case "subject":
		set(&out.Subject)
	case "date":
		set(&out.Date)
	case "message-id":
		set(&out.MessageID)
	case "in-reply-to":
		set(&out.InReplyTo)
	case "user-agent", "x-mailer":
		set(&out.UserAgent)
	case "x-originating-ip":
		set(&out.XOriginatingIP)
	}
}

// end completes the header at the end of the content: a bodyless message
// may end without the empty line, and BDAT content without a line ending.
func (h *headerParser) end(out *Headers, cfg Config) {
	if h.done {
		return
	}
	if len(h.partial) > 0 {
		h.line(bytes.TrimSuffix(h.partial, []byte{'\r'}), out, cfg)
		h.partial = nil
	}
	h.flush(out, cfg)
	h.done = true
}
