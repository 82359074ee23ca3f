package winsec

import (
	"errors"
	"fmt"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Windows event records in JSON. The zero value is ready to
// use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoEventID marks a JSON object without an event id.
var ErrNoEventID = errors.New("windows: no event id")

// maxEventData bounds the event data fields kept from one record; a
// record with more is refused rather than cut silently.
const maxEventData = 256

// Name returns "windows".
func (Parser) Name() string { return "windows" }

// Detect accepts a Winlogbeat/Elastic Agent document ("winlog" with
// "event_id") or an NXLog record ("EventID" with "Channel" or
// "SourceName").
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	if jsonscan.HasKey(b, `"winlog"`) {
		return jsonscan.HasKey(b, `"event_id"`)
	}
	return jsonscan.HasKey(b, `"EventID"`) && (jsonscan.HasKey(b, `"Channel"`) || jsonscan.HasKey(b, `"SourceName"`))
}

// fields are the event data values that decide ECS fields.
type fields struct {
	targetUser, targetDomain, targetSid, targetLogon     string
	subjectUser, subjectDomain, subjectSid, subjectLogon string
	ip, port, workstation, procName, procID, logonType   string
	newProcName, newProcID, cmdline, parentName          string
	memberName, memberSid, status, subStatus, reason     string
	authPackage, logonProcess                            string
}

// record collects the header and the event data.
type record struct {
	eventID, provider, channel, computer, level string
	outcome, recordID                           string
	created, agentTime                          time.Time
	data                                        fields
	nData                                       int
}

// Parse fills e from one event record.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var r record
	it := jsonscan.Members(m.Body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		var err error
		switch k {
		case "winlog":
			err = r.winlog(v, env, e)
		case "@timestamp":
			r.agentTime = isoTime(v.Str(), env)
		case "message":
			e.SetStr("message", v.Str())
		case "host":
			err = v.Each(func(k string, v jsonscan.Value) error {
				if k == "name" {
					e.SetStr("host.name", v.Str())
				}
				return nil
			})
		case "event":
			err = v.Each(func(k string, v jsonscan.Value) error {
				switch k {
				case "code":
					if r.eventID == "" {
						r.eventID = v.Text()
					}
				case "provider":
					if r.provider == "" {
						r.provider = v.Str()
					}
				case "outcome":
					if r.outcome == "" {
						r.outcome = v.Str()
					}
				}
				return nil
			})
		case "log":
			err = v.Each(func(k string, v jsonscan.Value) error {
				if k == "level" && r.level == "" {
					r.level = v.Str()
				}
				return nil
			})
		case "agent", "ecs", "input", "data_stream", "elastic_agent", "tags", "fields":
		default:
			err = r.nxlog(k, v, env, e)
		}
		if err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("windows: %w", err)
	}
	if r.eventID == "" {
		return ErrNoEventID
	}
	r.finish(e)
	return nil
}

// winlog reads Winlogbeat's winlog object.
func (r *record) winlog(v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	return v.Each(func(k string, v jsonscan.Value) error {
		switch k {
		case "event_id":
			r.eventID = v.Text()
		case "record_id":
			r.recordID = v.Text()
		case "channel":
			r.channel = v.Str()
		case "computer_name":
			r.computer = v.Str()
		case "provider_name":
			r.provider = v.Str()
		case "provider_guid":
			e.SetStr("winlog.provider_guid", v.Str())
		case "time_created":
			r.created = isoTime(v.Str(), env)
		case "level":
			r.level = v.Str()
		case "outcome":
			r.outcome = v.Str()
		case "opcode":
			e.SetStr("winlog.opcode", v.Str())
		case "task":
			e.SetStr("winlog.task", v.Str())
		case "keywords":
			if v.Kind != jsonscan.Array {
				return nil
			}
			el := v.Elems()
			for {
				kw, ok := el.Next()
				if !ok {
					break
				}
				if r.outcome == "" {
					switch kw.Str() {
					case "Audit Success":
						r.outcome = "success"
					case "Audit Failure":
						r.outcome = "failure"
					}
				}
			}
			if err := el.Err(); err != nil {
				return fmt.Errorf("windows: keywords: %w", err)
			}
		case "event_data", "user_data":
			return v.Each(func(k string, v jsonscan.Value) error {
				return r.eventData(k, v, e)
			})
		}
		return nil
	})
}

// nxlogHeader lists NXLog's own keys; the others of an NXLog record are
// the event data.
var nxlogHeader = map[string]bool{
	"EventReceivedTime": true, "SourceModuleName": true, "SourceModuleType": true, "Keywords": true,
	"SeverityValue": true, "Severity": true, "ProviderGuid": true, "Version": true, "Task": true, "OpcodeValue": true,
	"ProcessID": true, "ThreadID": true, "Category": true, "Opcode": true, "ActivityID": true, "Domain": true,
	"AccountName": true, "UserID": true, "AccountType": true, "ERROR_EVT_UNRESOLVED": true, "RelatedActivityID": true,
}

// nxlog reads one top-level key of an NXLog record.
func (r *record) nxlog(k string, v jsonscan.Value, env *normalize.Env, e *normalize.Event) error {
	switch k {
	case "EventID":
		r.eventID = v.Text()
	case "EventTime":
		r.created = isoTime(v.Str(), env)
	case "Hostname":
		r.computer = v.Str()
	case "SourceName":
		r.provider = v.Str()
	case "Channel":
		r.channel = v.Str()
	case "RecordNumber":
		r.recordID = v.Text()
	case "EventType":
		switch v.Str() {
		case "AUDIT_SUCCESS":
			r.outcome = "success"
		case "AUDIT_FAILURE":
			r.outcome = "failure"
		default:
			if r.level == "" {
				r.level = lowerLevel(v.Str())
			}
		}
	case "Message":
		e.SetStr("message", v.Str())
	default:
		if nxlogHeader[k] || v.Kind == jsonscan.Object || v.Kind == jsonscan.Array {
			return nil
		}
		return r.eventData(k, v, e)
	}
	return nil
}

// moved lists the event data that Elastic moves into ECS fields and drops
// from winlog.event_data.
var moved = map[string]bool{"IpAddress": true, "IpPort": true, "WorkstationName": true, "ProcessName": true, "ProcessId": true}

// eventData takes one event data value: into the fields that decide ECS
// fields, and (unless moved) as winlog.event_data.<name>.
func (r *record) eventData(k string, v jsonscan.Value, e *normalize.Event) error {
	s := v.Text()
	d := &r.data
	switch k {
	case "TargetUserName":
		d.targetUser = s
	case "TargetDomainName":
		d.targetDomain = s
	case "TargetUserSid", "TargetSid":
		d.targetSid = s
	case "TargetLogonId":
		d.targetLogon = s
	case "SubjectUserName":
		d.subjectUser = s
	case "SubjectDomainName":
		d.subjectDomain = s
	case "SubjectUserSid":
		d.subjectSid = s
	case "SubjectLogonId":
		d.subjectLogon = s
	case "IpAddress":
		d.ip = s
	case "IpPort":
		d.port = s
	case "WorkstationName", "Workstation":
		d.workstation = s
	case "ProcessName":
		d.procName = s
	case "ProcessId":
		d.procID = s
	case "LogonType":
		d.logonType = s
	case "NewProcessName":
		d.newProcName = s
	case "NewProcessId":
		d.newProcID = s
	case "CommandLine":
		d.cmdline = s
	case "ParentProcessName":
		d.parentName = s
	case "MemberName":
		d.memberName = s
	case "MemberSid":
		d.memberSid = s
	case "Status":
		d.status = s
	case "SubStatus":
		d.subStatus = s
	case "FailureReason":
		d.reason = s
	case "AuthenticationPackageName":
		d.authPackage = s
	case "LogonProcessName":
		d.logonProcess = s
	}
	if moved[k] || s == "" || s == "-" {
		return nil
	}
	name, ok := dataNames[k]
	if !ok {
		if !validName(k) {
			return nil
		}
		name = "winlog.event_data." + k
	}
	r.nData++
	if r.nData > maxEventData {
		return fmt.Errorf("windows: more than %d event data fields", maxEventData)
	}
	e.SetStr(name, s)
	return nil
}

// dataNames holds the field names of the usual event data, built once so
// that a record does not allocate them.
var dataNames = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"AuthenticationPackageName", "ImpersonationLevel", "KeyLength", "LmPackageName",
		"LogonGuid", "LogonProcessName", "LogonType", "SubjectDomainName", "SubjectLogonId", "SubjectUserName",
		"SubjectUserSid", "TargetDomainName", "TargetLogonId", "TargetUserName", "TargetUserSid", "TargetSid",
		"TransmittedServices", "ElevatedToken", "RestrictedAdminMode", "TargetLinkedLogonId", "TargetOutboundDomainName",
		"TargetOutboundUserName", "VirtualAccount", "Status", "SubStatus", "FailureReason", "PrivilegeList",
		"NewProcessName", "NewProcessId", "CommandLine", "ParentProcessName", "TokenElevationType", "MandatoryLabel",
		"MemberName", "MemberSid", "SamAccountName", "DisplayName", "UserPrincipalName",
		"ServiceName", "ServiceSid", "TicketOptions", "TicketEncryptionType", "PreAuthType", "CertIssuerName",
		"Workstation", "PackageName", "TargetInfo", "TargetServerName", "Properties"} {
		m[k] = "winlog.event_data." + k
	}
	return m
}()

// validName reports whether an event data name can be part of a field
// name.
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

func isoTime(s string, env *normalize.Env) time.Time {
	t, n := normalize.ParseISO(s, env)
	if n == 0 {
		return time.Time{}
	}
	return t.Truncate(time.Millisecond)
}

func lowerLevel(s string) string {
	switch s {
	case "INFO":
		return "information"
	case "WARNING":
		return "warning"
	case "ERROR":
		return "error"
	case "CRITICAL":
		return "critical"
	case "VERBOSE":
		return "verbose"
	}
	return normalize.Lower(s)
}
