package gworkspace

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Reports API activity records. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors of lines that are JSON but not one activity event.
var (
	ErrNoEvent = errors.New("googleworkspace: no event name")
	ErrBatch   = errors.New("googleworkspace: an events array of more than one event (split it before normalizing)")
)

// maxParameters bounds the parameters read from one event; an event with
// more is refused rather than cut silently.
const maxParameters = 256

// Name returns "googleworkspace".
func (Parser) Name() string { return "googleworkspace" }

// Detect accepts a JSON object of kind admin#reports#activity, or with the
// activity id's "uniqueQualifier" and "applicationName" keys.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return strings.Contains(b, `#reports#activity`) || // '#' first: strings.Index skips ahead with IndexByte
		jsonscan.HasKey(b, `"uniqueQualifier"`) && jsonscan.HasKey(b, `"applicationName"`)
}

var (
	catAuth        = []string{"authentication"}
	catIAM         = []string{"iam"}
	catConfig      = []string{"configuration"}
	catFile        = []string{"file"}
	typeInfo       = []string{"info"}
	typeStart      = []string{"start"}
	typeEnd        = []string{"end"}
	typeUserChange = []string{"user", "change"}
	typeChange     = []string{"change"}
	knownApps      = datasets("access_transparency", "admin", "calendar", "chat", "chrome", "context_aware_access",
		"data_studio", "drive", "gcp", "groups", "groups_enterprise", "jamboard", "keep", "login", "meet", "mobile",
		"rules", "saml", "token", "user_accounts")
)

func datasets(apps ...string) map[string]string {
	m := make(map[string]string, len(apps))
	for _, a := range apps {
		m[a] = "log.googleworkspace." + a
	}
	return m
}

// record holds what must wait for the whole object: the event's fields
// are named after the application, which may come after them.
type record struct {
	app    string
	events jsonscan.Value
}

// Parse fills e from one activity with one event.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var r record
	it := jsonscan.Members(m.Body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		if err := r.top(k, v, env, e); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("googleworkspace: %w", err)
	}
	ev := r.events
	if ev.Kind == jsonscan.Array {
		var err error
		if ev, err = single(ev); err != nil {
			return err
		}
	}
	if ev.Kind != jsonscan.Object {
		return ErrNoEvent
	}
	name, typ, err := r.event(ev, e)
	if err != nil {
		return err
	}
	if name == "" {
		return ErrNoEvent
	}
	r.finish(e, name, typ)
	return nil
}

// single returns the one event of an events array.
func single(v jsonscan.Value) (jsonscan.Value, error) {
	el := v.Elems()
	first, ok := el.Next()
	if ok {
		if _, more := el.Next(); more {
			return first, ErrBatch
		}
	}
	if err := el.Err(); err != nil {
		return first, fmt.Errorf("googleworkspace: events: %w", err)
	}
	return first, nil
}

func (r *record) top(k string, v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	switch k {
	case "kind":
		e.SetStr("google_workspace.kind", v.Str())
	case "ipAddress":
		e.SetIP("source.ip", v.Str())
	case "ownerDomain":
		e.SetStr("google_workspace.organization.domain", v.Str())
	case "events":
		r.events = v
	case "id":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "time":
				if t, n := normalize.ParseISO(v.Str(), env); n > 0 {
					e.Time = t.Truncate(time.Millisecond)
				}
			case "uniqueQualifier":
				e.SetStr("event.id", v.Text())
			case "applicationName":
				r.app = v.Str()
				e.SetStr("event.provider", r.app)
			case "customerId":
				e.SetStr("organization.id", v.Text())
			}
			return nil
		})
	case "actor":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "email":
				email := v.Str()
				name, domain, _ := strings.Cut(email, "@")
				e.SetStr("source.user.email", email)
				e.SetStr("user.email", email)
				e.SetStr("source.user.name", name)
				e.SetStr("user.name", name)
				e.SetStr("source.user.domain", domain)
				e.SetStr("user.domain", domain)
			case "profileId":
				e.SetStr("source.user.id", v.Text())
				e.SetStr("user.id", v.Text())
			case "callerType":
				e.SetStr("google_workspace.actor.type", v.Str())
			case "key":
				e.SetStr("google_workspace.actor.key", v.Str())
			}
			return nil
		})
	}
	return nil
}

// event reads the event's name, type and parameters; parameters become
// google_workspace.<application>.<name> (login's "login_" prefix
// dropped, as Elastic does).
func (r *record) event(v jsonscan.Value, e *normalize.Event) (name, typ string, err error) {
	prefix := ""
	if validName(r.app) {
		prefix = "google_workspace." + r.app + "."
	}
	err = v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "name":
			name = v.Str()
		case "type":
			typ = v.Str()
		case "parameters":
			if prefix == "" {
				return nil
			}
			el := v.Elems()
			for n := 0; ; n++ {
				p, ok := el.Next()
				if !ok {
					break
				}
				if n >= maxParameters {
					return fmt.Errorf("googleworkspace: more than %d parameters", maxParameters)
				}
				if err := r.parameter(p, prefix, e); err != nil {
					return err
				}
			}
			if err := el.Err(); err != nil {
				return fmt.Errorf("googleworkspace: parameters: %w", err)
			}
		}
		return nil
	})
	return name, typ, err
}

// parameter sets one {name, value|intValue|boolValue|multiValue} entry.
func (r *record) parameter(p jsonscan.Value, prefix string, e *normalize.Event) error {
	var name string
	var val jsonscan.Value
	var kind string
	if err := p.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "name":
			name = v.Str()
		case "value", "intValue", "boolValue", "multiValue", "multiIntValue":
			val, kind = v, k
		}
		return nil
	}); err != nil {
		return err
	}
	if r.app == "login" {
		name = strings.TrimPrefix(name, "login_")
	}
	if !validName(name) || kind == "" {
		return nil
	}
	field := prefix + name
	switch kind {
	case "value":
		e.SetStr(field, val.Str())
	case "intValue":
		if n, ok := val.Int(); ok {
			e.SetInt(field, n)
		}
	case "boolValue":
		if b, ok := val.Bool(); ok {
			e.SetBool(field, b)
		}
	case "multiValue", "multiIntValue":
		var list []string
		el := val.Elems()
		for {
			x, ok := el.Next()
			if !ok {
				break
			}
			if len(list) >= maxParameters {
				return fmt.Errorf("googleworkspace: %s: more than %d values", name, maxParameters)
			}
			if s := x.Text(); s != "" {
				list = append(list, s)
			}
		}
		if err := el.Err(); err != nil {
			return fmt.Errorf("googleworkspace: %s: %w", name, err)
		}
		e.SetStrs(field, list...)
	}
	switch {
	case name == "affected_email_address" || name == "target_user" || name == "USER_EMAIL":
		email := val.Str()
		user, domain, _ := strings.Cut(email, "@")
		e.SetStr("user.target.name", user)
		e.SetStr("user.target.domain", domain)
		if domain != "" {
			e.SetStr("user.target.email", email)
		}
	case r.app == "login" && name == "timestamp":
		if us, ok := val.Int(); ok && us > 0 && us < 1<<53 {
			e.SetTime("event.start", time.UnixMicro(us).UTC().Truncate(time.Millisecond))
		}
	}
	return nil
}

// validName reports whether s can be part of a field name: lower-case
// letters, digits and underscores (Google's names), not too long.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (r *record) finish(e *normalize.Event, name, typ string) {
	if ds, ok := knownApps[r.app]; ok {
		e.Dataset = ds
	} else {
		e.Dataset = "log.googleworkspace.other"
	}
	e.SetStr("event.kind", "event")
	e.SetStr("event.action", name)
	e.SetStr("google_workspace.event.type", typ)
	switch r.app {
	case "login", "saml", "token":
		e.SetStrs("event.category", catAuth...)
		switch {
		case name == "login_success":
			e.SetStrs("event.type", typeStart...)
			e.SetStr("event.outcome", "success")
		case name == "login_failure":
			e.SetStrs("event.type", typeStart...)
			e.SetStr("event.outcome", "failure")
		case name == "logout":
			e.SetStrs("event.type", typeEnd...)
		case strings.HasPrefix(name, "account_disabled"):
			e.SetStrs("event.type", typeUserChange...)
		default:
			e.SetStrs("event.type", typeInfo...)
		}
	case "admin":
		e.SetStrs("event.category", catIAM...)
		e.SetStrs("event.type", typeChange...)
	case "user_accounts":
		e.SetStrs("event.category", catIAM...)
		e.SetStrs("event.type", typeUserChange...)
	case "drive":
		e.SetStrs("event.category", catFile...)
		e.SetStrs("event.type", typeInfo...)
	case "rules", "context_aware_access", "mobile", "chrome":
		e.SetStrs("event.category", catConfig...)
		e.SetStrs("event.type", typeInfo...)
	default:
		e.SetStrs("event.type", typeInfo...)
	}
}
