package normalize

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Parser turns the lines of one log format into events. One value serves
// every Normalizer and goroutine at once: Detect and Parse must not keep
// state between calls (scratch space lives on the stack or in the Event).
type Parser interface {
	// Name is the registry key, e.g. "panos": lowercase, no spaces.
	Name() string
	// Detect is a cheap test of whether the line is this parser's format.
	// It must not allocate: it runs for every parser on every line until
	// one says yes.
	Detect(m *Message) bool
	// Parse fills e (already reset) from m. The event's values may alias
	// m.Raw. An error means the line is not this format after all or is
	// damaged: the Normalizer counts it and stores the line as
	// log.unparsed with error.message, discarding what Parse set.
	Parse(m *Message, env *Env, e *Event) error
}

// DetectOrderer may be implemented by a parser whose Detect overlaps
// another's: auto-detection tries parsers by ascending DetectOrder (50
// when not implemented), then by name. A generic format (CEF inside a
// vendor's syslog, any JSON) should run after the specific ones.
type DetectOrderer interface {
	DetectOrder() int
}

// UnparsedName is the name under which lines that no parser claimed, or
// whose parser failed, are counted and stored (dataset log.unparsed).
const UnparsedName = "unparsed"

var (
	regMu   sync.RWMutex
	regs    = map[string]Parser{}
	ordered []Parser // sorted by detect order, then name
)

// Register adds a parser to the registry. It is called from the init
// function of the parser's package and panics on an empty, non-lowercase,
// reserved or duplicate name.
func Register(p Parser) {
	regMu.Lock()
	defer regMu.Unlock()
	name := p.Name()
	switch {
	case name == "" || strings.ToLower(name) != name || strings.ContainsAny(name, " \t,"):
		panic(fmt.Sprintf("normalize: register %q: name must be non-empty lowercase without spaces", name))
	case name == UnparsedName:
		panic("normalize: register " + name + ": reserved name")
	case regs[name] != nil:
		panic("normalize: register " + name + ": duplicate name")
	}
	regs[name] = p
	ordered = append(ordered, p)
	sort.SliceStable(ordered, func(i, j int) bool {
		oi, oj := detectOrder(ordered[i]), detectOrder(ordered[j])
		if oi != oj {
			return oi < oj
		}
		return ordered[i].Name() < ordered[j].Name()
	})
}

func detectOrder(p Parser) int {
	if o, ok := p.(DetectOrderer); ok {
		return o.DetectOrder()
	}
	return 50
}

// Lookup returns the registered parser of that name. "unparsed" names the
// fallback parser, which stores lines without parsing them.
func Lookup(name string) (Parser, bool) {
	if name == UnparsedName {
		return Unparsed, true
	}
	regMu.RLock()
	defer regMu.RUnlock()
	p, ok := regs[name]
	return p, ok
}

// Parsers returns the registered parsers in the order auto-detection
// tries them (the fallback is not among them).
func Parsers() []Parser {
	regMu.RLock()
	defer regMu.RUnlock()
	return append([]Parser(nil), ordered...)
}

// Names returns the registered parser names, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	names := make([]string, 0, len(regs))
	for n := range regs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// lookupErr returns the parser or an error listing the known names.
func lookupErr(name string) (Parser, error) {
	if p, ok := Lookup(name); ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown parser %q (known: %s, %s)", name, strings.Join(Names(), ", "), UnparsedName)
}
