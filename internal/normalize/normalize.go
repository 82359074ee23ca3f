package normalize

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"sort"
	"sync/atomic"
	"time"
)

// ErrPanic marks a parser that panicked on a line; the line is kept as
// log.unparsed and counted as an error of that parser.
var ErrPanic = errors.New("parser panicked")

// Counts are the per-parser line counters of a Normalizer.
type Counts struct {
	Lines     uint64 // lines this parser was given (detected or forced); for "unparsed", lines no parser claimed
	Errors    uint64 // of those, lines it failed on, stored as log.unparsed (panics included)
	Panics    uint64 // of the errors, panics
	Truncated uint64 // of the lines, those longer than MaxLine, parsed cut
}

type counters struct {
	lines, errors, panics, truncated atomic.Uint64
}

type sourceRule struct {
	prefix netip.Prefix
	parser int // index in Normalizer.parsers
}

// Normalizer turns lines into events: it takes the syslog header apart,
// picks the parser (forced, per source, or the first whose Detect says
// yes), runs it with panic recovery, and falls back to storing the line as
// log.unparsed, so that no line is dropped. One Normalizer serves one
// goroutine; Stats may be read from any.
type Normalizer struct {
	cfg         Config
	env         Env
	msg         Message
	parsers     []Parser // index 0 is the fallback
	counts      []counters
	forced      int   // index in parsers, -1 for auto-detection
	candidates  []int // auto-detection order
	sources     []sourceRule
	log         *slog.Logger
	lastPanicAt time.Time
}

// New returns a Normalizer for cfg, which is validated first.
func New(cfg Config) (*Normalizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	loc, _ := ParseLocation(cfg.Timezone)
	n := &Normalizer{
		cfg:    cfg,
		env:    Env{Location: loc, Year: cfg.Year, KeepOriginal: cfg.KeepOriginal, Organization: cfg.Organization},
		forced: -1,
	}
	index := map[string]int{}
	add := func(p Parser) int {
		if i, ok := index[p.Name()]; ok {
			return i
		}
		index[p.Name()] = len(n.parsers)
		n.parsers = append(n.parsers, p)
		return len(n.parsers) - 1
	}
	add(Unparsed)
	all := Parsers()
	for _, p := range all {
		add(p)
	}
	if cfg.Parser != "" {
		p, _ := Lookup(cfg.Parser)
		n.forced = add(p)
	}
	if len(cfg.Parsers) > 0 {
		want := map[string]bool{}
		for _, name := range cfg.Parsers {
			want[name] = true
		}
		for _, p := range all { // keep the registry's detection order
			if want[p.Name()] {
				n.candidates = append(n.candidates, index[p.Name()])
			}
		}
	} else {
		for _, p := range all {
			n.candidates = append(n.candidates, index[p.Name()])
		}
	}
	for src, name := range cfg.Sources {
		pfx, _ := parseSource(src)
		p, _ := Lookup(name)
		n.sources = append(n.sources, sourceRule{prefix: pfx, parser: add(p)})
	}
	sort.Slice(n.sources, func(i, j int) bool { return n.sources[i].prefix.Bits() > n.sources[j].prefix.Bits() })
	n.counts = make([]counters, len(n.parsers))
	return n, nil
}

// SetLogger sets where parser panics are logged (at most one a minute,
// with the stack). Without one they are only counted.
func (n *Normalizer) SetLogger(l *slog.Logger) { n.log = l }

// Env returns the environment handed to parsers.
func (n *Normalizer) Env() Env { return n.env }

// Normalize fills e from line (e is reset first) and returns the name of
// the parser that produced it: a vendor parser, or "unparsed" for a line
// no parser claimed or whose parser failed. err is that failure, wrapped
// with the parser's name; e is filled (as log.unparsed) even then. The
// event's values alias line (see Value).
func (n *Normalizer) Normalize(line string, e *Event) (parser string, err error) {
	return n.normalize(n.forced, line, e)
}

// NormalizeFrom is Normalize for a line received from src: a parser
// configured for src in Config.Sources is forced, otherwise the
// Normalizer's own choice applies.
func (n *Normalizer) NormalizeFrom(src netip.Addr, line string, e *Event) (parser string, err error) {
	forced := n.forced
	if len(n.sources) > 0 && src.IsValid() {
		src = src.Unmap()
		for _, r := range n.sources {
			if r.prefix.Contains(src) {
				forced = r.parser
				break
			}
		}
	}
	return n.normalize(forced, line, e)
}

func (n *Normalizer) normalize(forced int, line string, e *Event) (string, error) {
	e.Reset()
	orig := line
	truncated := false
	if len(line) > n.cfg.MaxLine {
		line = line[:n.cfg.MaxLine]
		truncated = true
	}
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	ParseHeader(line, &n.env, &n.msg)
	m := &n.msg
	pi := forced
	if pi < 0 {
		pi = n.detect()
	}
	c := &n.counts[pi]
	c.lines.Add(1)
	if truncated {
		c.truncated.Add(1)
	}
	var perr error
	if pi > 0 {
		perr = n.parse(pi, e)
		if perr != nil {
			c.errors.Add(1)
			if errors.Is(perr, ErrPanic) {
				c.panics.Add(1)
			}
			perr = fmt.Errorf("%s: %w", n.parsers[pi].Name(), perr)
			e.Reset()
			pi = 0
		}
	}
	if pi == 0 {
		_ = Unparsed.Parse(m, &n.env, e)
		if perr != nil {
			e.SetStr("error.message", perr.Error())
		}
	}
	n.finish(m, orig, truncated, e)
	return n.parsers[pi].Name(), perr
}

// detect returns the index of the first candidate whose Detect says yes,
// 0 (the fallback) when none does or one panics.
func (n *Normalizer) detect() (pi int) {
	cur := 0
	defer func() {
		if r := recover(); r != nil {
			n.counts[cur].panics.Add(1)
			n.logPanic(cur, r)
			pi = 0
		}
	}()
	for _, i := range n.candidates {
		cur = i
		if n.parsers[i].Detect(&n.msg) {
			return i
		}
	}
	return 0
}

func (n *Normalizer) parse(pi int, e *Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			n.logPanic(pi, r)
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return n.parsers[pi].Parse(&n.msg, &n.env, e)
}

func (n *Normalizer) logPanic(pi int, r any) {
	if n.log == nil || time.Since(n.lastPanicAt) < time.Minute {
		return
	}
	n.lastPanicAt = time.Now()
	n.log.Error("parser panicked", "parser", n.parsers[pi].Name(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
}

// finish adds what every event gets: the header time when the parser set
// none, the syslog priority, the original line.
func (n *Normalizer) finish(m *Message, orig string, truncated bool, e *Event) {
	if !Encodable(e.Time) { // a year a hostile line made up: the receive time instead
		e.Time = time.Time{}
	}
	if e.Time.IsZero() && Encodable(m.Time) {
		e.Time = m.Time
	}
	if m.Priority >= 0 && !e.Has("log.syslog.priority") {
		e.SetInt("log.syslog.priority", int64(m.Priority))
		e.SetInt("log.syslog.facility.code", int64(m.Facility()))
		e.SetInt("log.syslog.severity.code", int64(m.Severity()))
	}
	if truncated {
		e.SetBool("flowsift.truncated", true)
	}
	if n.env.Organization != "" && !e.Has("organization.name") {
		e.SetStr("organization.name", n.env.Organization)
	}
	if n.env.KeepOriginal {
		if len(orig) > n.cfg.MaxOriginal {
			orig = orig[:n.cfg.MaxOriginal]
		}
		if orig != "" {
			e.SetStrEmpty("event.original", orig) // "-" too: the line is kept as it came
		}
	}
}

// Stats returns the counters per parser name, "unparsed" included.
func (n *Normalizer) Stats() map[string]Counts {
	out := make(map[string]Counts, len(n.parsers))
	for i, p := range n.parsers {
		c := &n.counts[i]
		out[p.Name()] = Counts{
			Lines:     c.lines.Load(),
			Errors:    c.errors.Load(),
			Panics:    c.panics.Load(),
			Truncated: c.truncated.Load(),
		}
	}
	return out
}
