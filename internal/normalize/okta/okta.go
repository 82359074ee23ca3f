package okta

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Okta System Log events. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoEventType marks a JSON object without the eventType every LogEvent
// has.
var ErrNoEventType = errors.New("okta: no eventType")

// Name returns "okta".
func (Parser) Name() string { return "okta" }

// Detect accepts a JSON object with the LogEvent's "eventType" and
// "published" keys.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	return len(b) > 0 && b[0] == '{' && jsonscan.HasKey(b, `"published"`) && jsonscan.HasKey(b, `"eventType"`)
}

var (
	catAuthSession = []string{"authentication", "session"}
	catAuth        = []string{"authentication"}
	catIAM         = []string{"iam"}
	catConfig      = []string{"configuration"}
	typeStartInfo  = []string{"start", "info"}
	typeEndInfo    = []string{"end", "info"}
	typeInfo       = []string{"info"}
	typeUserCreate = []string{"user", "creation"}
	typeUserDelete = []string{"user", "deletion"}
	typeUserChange = []string{"user", "change"}
	typeGroupAdd   = []string{"group", "change"}
	typeChange     = []string{"change"}
	typeCreation   = []string{"creation"}
	typeDeletion   = []string{"deletion"}
)

// record collects what decides other fields once the object is read.
type record struct {
	eventType, result string
	targetDone        bool
	groupDone         bool
}

// Parse fills e from one LogEvent.
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
		return fmt.Errorf("okta: %w", err)
	}
	if r.eventType == "" {
		return ErrNoEventType
	}
	r.finish(e)
	return nil
}

func (r *record) top(k string, v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	switch k {
	case "published":
		if t, n := normalize.ParseISO(v.Str(), env); n > 0 {
			e.Time = t.Truncate(time.Millisecond)
		}
	case "eventType":
		r.eventType = v.Str()
		e.SetStr("event.action", r.eventType)
		e.SetStr("okta.event_type", r.eventType)
	case "legacyEventType":
		e.SetStr("okta.legacy_event_type", v.Str())
	case "uuid":
		e.SetStr("event.id", v.Str())
		e.SetStr("okta.uuid", v.Str())
	case "displayMessage":
		e.SetStr("okta.display_message", v.Str())
		e.SetStr("message", v.Str())
	case "severity":
		e.SetStr("okta.severity", v.Str())
		e.SetStr("log.level", severity(v.Str()))
	case "version":
		e.SetStr("okta.version", v.Text())
	case "outcome":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "result":
				r.result = v.Str()
				e.SetStr("okta.outcome.result", r.result)
			case "reason":
				e.SetStr("okta.outcome.reason", v.Str())
				e.SetStr("event.reason", v.Str())
			}
			return nil
		})
	case "actor":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "id":
				e.SetStr("okta.actor.id", v.Str())
				e.SetStr("source.user.id", v.Str())
				e.SetStr("user.id", v.Str())
			case "type":
				e.SetStr("okta.actor.type", v.Str())
			case "alternateId":
				id := v.Str()
				e.SetStr("okta.actor.alternate_id", id)
				name, domain, _ := strings.Cut(id, "@")
				e.SetStr("user.name", name)
				e.SetStr("source.user.name", name)
				e.SetStr("user.domain", domain)
				e.SetStr("source.user.domain", domain)
				if domain != "" {
					e.SetStr("user.email", id)
					e.SetStr("source.user.email", id)
				}
			case "displayName":
				e.SetStr("okta.actor.display_name", v.Str())
				e.SetStr("user.full_name", v.Str())
				e.SetStr("source.user.full_name", v.Str())
			}
			return nil
		})
	case "client":
		return client(v, e)
	case "authenticationContext":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "externalSessionId":
				e.SetStr("okta.authentication_context.external_session_id", v.Str())
			case "authenticationStep":
				if n, ok := v.Int(); ok {
					e.SetInt("okta.authentication_context.authentication_step", n)
				}
			case "credentialType":
				e.SetStr("okta.authentication_context.credential_type", v.Str())
			case "authenticationProvider":
				e.SetStr("okta.authentication_context.authentication_provider", v.Str())
			}
			return nil
		})
	case "securityContext":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "asNumber":
				if n, ok := v.Int(); ok {
					e.SetInt("okta.security_context.as.number", n)
				}
			case "asOrg":
				e.SetStr("okta.security_context.as.organization.name", v.Str())
			case "isp":
				e.SetStr("okta.security_context.isp", v.Str())
			case "domain":
				e.SetStr("okta.security_context.domain", v.Str())
			case "isProxy":
				if b, ok := v.Bool(); ok {
					e.SetBool("okta.security_context.is_proxy", b)
				}
			}
			return nil
		})
	case "transaction":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "id", "type":
				e.SetStr("okta.transaction."+k, v.Str())
			}
			return nil
		})
	case "debugContext":
		return v.Each(func(k string, v jsonscan.Value) error {
			if k != "debugData" {
				return nil
			}
			return v.Each(func(k string, v jsonscan.Value) error {
				switch k {
				case "requestUri":
					e.SetStr("okta.debug_context.debug_data.request_uri", v.Str())
				case "url":
					e.SetStr("okta.debug_context.debug_data.url", v.Str())
				case "requestId":
					e.SetStr("okta.debug_context.debug_data.request_id", v.Str())
				case "threatSuspected":
					if b, ok := v.Bool(); ok {
						e.SetBool("okta.debug_context.debug_data.threat_suspected", b)
					}
				case "risk":
					e.SetStr("okta.debug_context.debug_data.risk_level", riskLevel(v.Str()))
				case "behaviors":
					e.SetStr("okta.debug_context.debug_data.behaviors", v.Text())
				}
				return nil
			})
		})
	case "target":
		return r.targets(v, e)
	}
	return nil
}

// client reads the client part: address, user agent, zone and the
// location Okta resolved for the address.
func client(v jsonscan.Value, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "ipAddress":
			e.SetIP("client.ip", v.Str())
			e.SetIP("source.ip", v.Str())
		case "device":
			e.SetStr("okta.client.device", v.Str())
		case "zone":
			if z := v.Str(); z != "null" {
				e.SetStr("okta.client.zone", z)
			}
		case "id":
			e.SetStr("okta.client.id", v.Str())
		case "userAgent":
			return v.Each(func(k string, v jsonscan.Value) error {
				switch k {
				case "rawUserAgent":
					e.SetStr("user_agent.original", v.Str())
				case "browser":
					e.SetStr("okta.client.user_agent.browser", v.Str())
				case "os":
					e.SetStr("okta.client.user_agent.os", v.Str())
				}
				return nil
			})
		case "geographicalContext":
			return v.Each(func(k string, v jsonscan.Value) error {
				switch k {
				case "city":
					e.SetStr("client.geo.city_name", v.Str())
				case "country":
					e.SetStr("client.geo.country_name", v.Str())
				case "state":
					e.SetStr("client.geo.region_name", v.Str())
				case "postalCode":
					e.SetStr("client.geo.postal_code", v.Str())
				}
				return nil
			})
		}
		return nil
	})
}

// targets reads the target list: the first user target becomes
// user.target.*, the first group group.*.
func (r *record) targets(v jsonscan.Value, e *normalize.Event) error {
	if v.IsNull() {
		return nil
	}
	el := v.Elems()
	for {
		t, ok := el.Next()
		if !ok {
			break
		}
		var typ, id, alt, display string
		if err := t.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "type":
				typ = v.Str()
			case "id":
				id = v.Str()
			case "alternateId":
				alt = v.Str()
			case "displayName":
				display = v.Str()
			}
			return nil
		}); err != nil {
			return err
		}
		switch {
		case typ == "User" && !r.targetDone:
			r.targetDone = true
			name, domain, _ := strings.Cut(alt, "@")
			e.SetStr("user.target.id", id)
			e.SetStr("user.target.name", name)
			e.SetStr("user.target.domain", domain)
			e.SetStr("user.target.full_name", display)
			if domain != "" {
				e.SetStr("user.target.email", alt)
			}
		case typ == "UserGroup" && !r.groupDone:
			r.groupDone = true
			e.SetStr("user.target.group.id", id)
			e.SetStr("user.target.group.name", display)
		}
	}
	if err := el.Err(); err != nil {
		return fmt.Errorf("okta: target: %w", err)
	}
	return nil
}

func (r *record) finish(e *normalize.Event) {
	e.Dataset = "log.okta.system"
	e.SetStr("event.kind", "event")
	switch r.result {
	case "SUCCESS", "ALLOW":
		e.SetStr("event.outcome", "success")
	case "FAILURE", "DENY":
		e.SetStr("event.outcome", "failure")
	default:
		e.SetStr("event.outcome", "unknown")
	}
	t := r.eventType
	switch {
	case t == "user.session.start":
		e.SetStrs("event.category", catAuthSession...)
		e.SetStrs("event.type", typeStartInfo...)
	case t == "user.session.end":
		e.SetStrs("event.category", catAuthSession...)
		e.SetStrs("event.type", typeEndInfo...)
	case strings.HasPrefix(t, "user.authentication.") || strings.HasPrefix(t, "user.mfa.") || strings.HasPrefix(t, "user.session."):
		e.SetStrs("event.category", catAuth...)
		e.SetStrs("event.type", typeInfo...)
	case t == "user.lifecycle.create":
		e.SetStrs("event.category", catIAM...)
		e.SetStrs("event.type", typeUserCreate...)
	case t == "user.lifecycle.delete.initiated" || t == "user.lifecycle.delete.completed":
		e.SetStrs("event.category", catIAM...)
		e.SetStrs("event.type", typeUserDelete...)
	case strings.HasPrefix(t, "user.lifecycle.") || strings.HasPrefix(t, "user.account."):
		e.SetStrs("event.category", catIAM...)
		e.SetStrs("event.type", typeUserChange...)
	case strings.HasPrefix(t, "group.user_membership."):
		e.SetStrs("event.category", catIAM...)
		e.SetStrs("event.type", typeGroupAdd...)
	case strings.HasPrefix(t, "policy.") || strings.HasPrefix(t, "system.") || strings.HasPrefix(t, "application.lifecycle."):
		e.SetStrs("event.category", catConfig...)
		switch {
		case strings.HasSuffix(t, ".create"):
			e.SetStrs("event.type", typeCreation...)
		case strings.HasSuffix(t, ".delete"):
			e.SetStrs("event.type", typeDeletion...)
		default:
			e.SetStrs("event.type", typeChange...)
		}
	default:
		e.SetStrs("event.type", typeInfo...)
	}
}

// severity lower-cases Okta's severity for log.level without allocating.
func severity(s string) string {
	switch s {
	case "DEBUG":
		return "debug"
	case "INFO":
		return "info"
	case "WARN":
		return "warn"
	case "ERROR":
		return "error"
	}
	return normalize.Lower(s)
}

// riskLevel takes the level out of Okta's "{level=LOW, reasons=...}".
func riskLevel(s string) string {
	_, after, ok := strings.Cut(s, "level=")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(after, ",}"); i >= 0 {
		after = after[:i]
	}
	return normalize.TrimSpace(after)
}
