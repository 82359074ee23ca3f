package cloudtrail

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses CloudTrail records. The zero value is ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// Errors of lines that are JSON but not one CloudTrail record.
var (
	ErrNoEvent = errors.New("cloudtrail: no eventName or eventSource")
	ErrBatch   = errors.New("cloudtrail: a Records array of more than one record (split it before normalizing)")
)

// Name returns "cloudtrail".
func (Parser) Name() string { return "cloudtrail" }

// Detect accepts a JSON object with CloudTrail's "eventVersion" and
// "eventSource" keys.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	return len(b) > 0 && b[0] == '{' && jsonscan.HasKey(b, `"eventVersion"`) && jsonscan.HasKey(b, `"eventSource"`)
}

var (
	catAuth      = []string{"authentication"}
	catIAM       = []string{"iam"}
	typeInfo     = []string{"info"}
	typeCreation = []string{"creation"}
	typeDeletion = []string{"deletion"}
	typeChange   = []string{"change"}
	typeAccess   = []string{"access"}
	typeStart    = []string{"start"}
)

// record collects what decides other fields once the object is read.
type record struct {
	name, source, category, errMsg, errCode string
	management, hasManagement               bool
	recipient, idAccount, idType            string
	userName, issuerName, arn, principal    string
	consoleLogin                            string
}

// Parse fills e from one CloudTrail record.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var r record
	body := m.Body
	it := jsonscan.Members(body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		if k == "Records" { // {"Records":[{...}]}: a batch of one
			rec, err := single(v)
			if err != nil {
				return err
			}
			it = rec.Members()
			continue
		}
		if err := r.top(k, v, env, e); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("cloudtrail: %w", err)
	}
	if r.name == "" || r.source == "" {
		return ErrNoEvent
	}
	r.finish(e)
	return nil
}

// single returns the one record of a Records array.
func single(v jsonscan.Value) (jsonscan.Value, error) {
	el := v.Elems()
	first, ok := el.Next()
	if !ok {
		if err := el.Err(); err != nil {
			return first, fmt.Errorf("cloudtrail: Records: %w", err)
		}
		return first, ErrNoEvent
	}
	if _, more := el.Next(); more {
		return first, ErrBatch
	}
	if err := el.Err(); err != nil {
		return first, fmt.Errorf("cloudtrail: Records: %w", err)
	}
	if first.Kind != jsonscan.Object {
		return first, fmt.Errorf("cloudtrail: Records: %w", jsonscan.ErrNotObject)
	}
	return first, nil
}

func (r *record) top(k string, v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	switch k {
	case "eventTime":
		if t, n := normalize.ParseISO(v.Str(), env); n > 0 {
			e.Time = t.Truncate(time.Millisecond)
		}
	case "eventVersion":
		e.SetStr("aws.cloudtrail.event_version", v.Str())
	case "eventSource":
		r.source = v.Str()
		e.SetStr("event.provider", r.source)
	case "eventName":
		r.name = v.Str()
		e.SetStr("event.action", r.name)
	case "eventID":
		e.SetStr("event.id", v.Str())
	case "eventType":
		e.SetStr("aws.cloudtrail.event_type", v.Str())
	case "eventCategory":
		r.category = v.Str()
		e.SetStr("aws.cloudtrail.event_category", r.category)
	case "managementEvent":
		r.management, r.hasManagement = v.Bool()
		if r.hasManagement {
			e.SetBool("aws.cloudtrail.management_event", r.management)
		}
	case "readOnly":
		if b, ok := v.Bool(); ok {
			e.SetBool("aws.cloudtrail.read_only", b)
		}
	case "awsRegion":
		e.SetStr("cloud.region", v.Str())
	case "recipientAccountId":
		r.recipient = v.Text()
		e.SetStr("aws.cloudtrail.recipient_account_id", r.recipient)
	case "sourceIPAddress":
		src := v.Str()
		e.SetStr("source.address", src)
		if !e.SetIP("source.ip", src) {
			e.SetStr("source.domain", src)
		}
	case "userAgent":
		e.SetStr("user_agent.original", v.Str())
	case "errorCode":
		r.errCode = v.Str()
		e.SetStr("aws.cloudtrail.error_code", r.errCode)
	case "errorMessage":
		r.errMsg = v.Str()
		e.SetStr("aws.cloudtrail.error_message", r.errMsg)
	case "requestID":
		e.SetStr("aws.cloudtrail.request_id", v.Str())
	case "sharedEventID":
		e.SetStr("aws.cloudtrail.shared_event_id", v.Str())
	case "vpcEndpointId":
		e.SetStr("aws.cloudtrail.vpc_endpoint_id", v.Str())
	case "apiVersion":
		e.SetStr("aws.cloudtrail.api_version", v.Str())
	case "userIdentity":
		return r.identity(v, e)
	case "responseElements":
		if v.Kind != jsonscan.Object {
			return nil // null, or a string for some services
		}
		return v.Each(func(k string, v jsonscan.Value) error {
			if k == "ConsoleLogin" {
				r.consoleLogin = v.Str()
			}
			return nil
		})
	case "additionalEventData":
		if v.Kind != jsonscan.Object {
			return nil
		}
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "MFAUsed":
				if s := v.Str(); s == "Yes" || s == "No" {
					e.SetBool("aws.cloudtrail.console_login.additional_eventdata.mfa_used", s == "Yes")
				}
			case "LoginTo":
				e.SetStr("aws.cloudtrail.console_login.additional_eventdata.login_to", v.Str())
			case "MobileVersion":
				if s := v.Str(); s == "Yes" || s == "No" {
					e.SetBool("aws.cloudtrail.console_login.additional_eventdata.mobile_version", s == "Yes")
				}
			}
			return nil
		})
	case "tlsDetails":
		return v.Each(func(k string, v jsonscan.Value) error {
			switch k {
			case "tlsVersion":
				if ver, ok := strings.CutPrefix(v.Str(), "TLSv"); ok {
					e.SetStr("tls.version", ver)
					e.SetStr("tls.version_protocol", "tls")
				}
			case "cipherSuite":
				e.SetStr("tls.cipher", v.Str())
			case "clientProvidedHostHeader":
				e.SetStr("tls.client.server_name", v.Str())
			}
			return nil
		})
	}
	return nil
}

func (r *record) identity(v jsonscan.Value, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "type":
			r.idType = v.Str()
			e.SetStr("aws.cloudtrail.user_identity.type", r.idType)
		case "principalId":
			r.principal = v.Str()
			e.SetStr("user.id", r.principal)
		case "arn":
			r.arn = v.Str()
			e.SetStr("aws.cloudtrail.user_identity.arn", r.arn)
		case "accountId":
			r.idAccount = v.Text()
		case "accessKeyId":
			e.SetStr("aws.cloudtrail.user_identity.access_key_id", v.Str())
		case "userName":
			r.userName = v.Str()
		case "invokedBy":
			e.SetStr("aws.cloudtrail.user_identity.invoked_by", v.Str())
		case "sessionContext":
			return v.Each(func(k string, v jsonscan.Value) error {
				switch k {
				case "attributes":
					return v.Each(func(k string, v jsonscan.Value) error {
						switch k {
						case "mfaAuthenticated":
							if b, ok := v.Bool(); ok {
								e.SetBool("aws.cloudtrail.user_identity.session_context.mfa_authenticated", b)
							}
						case "creationDate":
							e.SetStr("aws.cloudtrail.user_identity.session_context.creation_date", v.Str())
						}
						return nil
					})
				case "sessionIssuer":
					return v.Each(func(k string, v jsonscan.Value) error {
						switch k {
						case "userName":
							r.issuerName = v.Str()
						case "type":
							e.SetStr("aws.cloudtrail.user_identity.session_context.session_issuer.type", v.Str())
						case "arn":
							e.SetStr("aws.cloudtrail.user_identity.session_context.session_issuer.arn", v.Str())
						case "principalId":
							e.SetStr("aws.cloudtrail.user_identity.session_context.session_issuer.principal_id", v.Str())
						case "accountId":
							e.SetStr("aws.cloudtrail.user_identity.session_context.session_issuer.account_id", v.Text())
						}
						return nil
					})
				}
				return nil
			})
		}
		return nil
	})
}

func (r *record) finish(e *normalize.Event) {
	switch {
	case r.category != "":
		switch r.category {
		case "Management":
			e.Dataset = "log.cloudtrail.management"
		case "Data":
			e.Dataset = "log.cloudtrail.data"
		case "Insight":
			e.Dataset = "log.cloudtrail.insight"
		case "NetworkActivity":
			e.Dataset = "log.cloudtrail.network_activity"
		default:
			e.Dataset = "log.cloudtrail.other"
		}
	case r.hasManagement && !r.management:
		e.Dataset = "log.cloudtrail.data"
	default:
		e.Dataset = "log.cloudtrail.management"
	}
	e.SetStr("event.kind", "event")
	e.SetStr("cloud.provider", "aws")
	if r.recipient != "" {
		e.SetStr("cloud.account.id", r.recipient)
	} else {
		e.SetStr("cloud.account.id", r.idAccount)
	}
	// The user: the IAM user's name, the role behind an assumed-role
	// session (not the session name at the end of the ARN), else the ARN's
	// last part.
	switch {
	case r.userName != "":
		e.SetStr("user.name", r.userName)
	case r.issuerName != "":
		e.SetStr("user.name", r.issuerName)
	case r.idType == "Root":
		e.SetStr("user.name", "root")
	case r.arn != "":
		if i := strings.LastIndexAny(r.arn, "/:"); i >= 0 && i+1 < len(r.arn) {
			e.SetStr("user.name", r.arn[i+1:])
		}
	}
	switch {
	case r.errCode != "" || r.errMsg != "" || r.consoleLogin == "Failure":
		e.SetStr("event.outcome", "failure")
	default:
		e.SetStr("event.outcome", "success")
	}
	switch {
	case r.source == "signin.amazonaws.com" || r.source == "sts.amazonaws.com" && strings.HasPrefix(r.name, "Assume"):
		e.SetStrs("event.category", catAuth...)
		if r.source == "sts.amazonaws.com" {
			e.SetStrs("event.type", typeStart...)
		} else {
			e.SetStrs("event.type", typeInfo...)
		}
		return
	case r.source == "iam.amazonaws.com":
		e.SetStrs("event.category", catIAM...)
	}
	switch {
	case hasVerb(r.name, "Create", "Run", "Allocate", "Register", "Import", "Issue"):
		e.SetStrs("event.type", typeCreation...)
	case hasVerb(r.name, "Delete", "Remove", "Terminate", "Deregister", "Release", "Revoke", "Disable"):
		e.SetStrs("event.type", typeDeletion...)
	case hasVerb(r.name, "Put", "Update", "Modify", "Attach", "Detach", "Add", "Set", "Enable", "Associate", "Change", "Reset", "Authorize", "Stop", "Start", "Tag", "Untag"):
		e.SetStrs("event.type", typeChange...)
	case hasVerb(r.name, "Get", "List", "Describe", "Lookup", "Head", "Search", "Select"):
		e.SetStrs("event.type", typeAccess...)
	default:
		e.SetStrs("event.type", typeInfo...)
	}
}

// hasVerb reports whether an API call's name starts with one of the verbs
// followed by an upper-case letter or its end ("DeleteBucket", not
// "Deletes").
func hasVerb(name string, verbs ...string) bool {
	for _, v := range verbs {
		if strings.HasPrefix(name, v) && (len(name) == len(v) || name[len(v)] >= 'A' && name[len(v)] <= 'Z') {
			return true
		}
	}
	return false
}
