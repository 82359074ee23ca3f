package m365

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/jsonscan"
)

func init() { normalize.Register(Parser{}) }

// Parser parses Management Activity API audit records. The zero value is
// ready to use.
type Parser struct{}

var _ normalize.Parser = Parser{}

// ErrNoOperation marks a JSON object without the Operation every audit
// record has.
var ErrNoOperation = errors.New("m365: no Operation")

// maxNamed bounds the Parameters, ModifiedProperties and
// ExtendedProperties entries read from one record; a record with more is
// refused rather than cut silently.
const maxNamed = 256

// utc is the environment of CreationTime, which Microsoft writes in UTC
// without a zone.
var utc = &normalize.Env{}

// Name returns "m365".
func (Parser) Name() string { return "m365" }

// Detect accepts a JSON object with the audit schema's "CreationTime" and
// "RecordType" keys.
func (Parser) Detect(m *normalize.Message) bool {
	b := m.Body
	return len(b) > 0 && b[0] == '{' && jsonscan.HasKey(b, `"CreationTime"`) && jsonscan.HasKey(b, `"RecordType"`)
}

var (
	catWeb    = []string{"web"}
	catAuth   = []string{"authentication"}
	typeInfo  = []string{"info"}
	typeStart = []string{"start"}
)

// recordTypes names the audit schema's RecordType numbers (Microsoft's
// AuditLogRecordType enumeration); event.code is the name.
var recordTypes = map[string]string{
	"1": "ExchangeAdmin", "2": "ExchangeItem", "3": "ExchangeItemGroup", "4": "SharePoint", "6": "SharePointFileOperation",
	"7": "OneDrive", "8": "AzureActiveDirectory", "9": "AzureActiveDirectoryAccountLogon", "10": "DataCenterSecurityCmdlet",
	"11": "ComplianceDLPSharePoint", "13": "ComplianceDLPExchange", "14": "SharePointSharingOperation",
	"15": "AzureActiveDirectoryStsLogon", "16": "SkypeForBusinessPSTNUsage", "17": "SkypeForBusinessUsersBlocked",
	"18": "SecurityComplianceCenterEOPCmdlet", "19": "ExchangeAggregatedOperation", "20": "PowerBIAudit", "21": "CRM",
	"22": "Yammer", "23": "SkypeForBusinessCmdlets", "24": "Discovery", "25": "MicrosoftTeams", "28": "ThreatIntelligence",
	"29": "MailSubmission", "30": "MicrosoftFlow", "31": "AeD", "32": "MicrosoftStream", "33": "ComplianceDLPSharePointClassification",
	"34": "ThreatFinder", "35": "Project", "36": "SharePointListOperation", "37": "SharePointCommentOperation",
	"38": "DataGovernance", "39": "Kaizala", "40": "SecurityComplianceAlerts", "41": "ThreatIntelligenceUrl",
	"42": "SecurityComplianceInsights", "43": "MIPLabel", "44": "WorkplaceAnalytics", "45": "PowerAppsApp",
	"46": "PowerAppsPlan", "47": "ThreatIntelligenceAtpContent", "48": "LabelContentExplorer", "49": "TeamsHealthcare",
	"50": "ExchangeItemAggregated", "51": "HygieneEvent", "52": "DataInsightsRestApiAudit", "53": "InformationBarrierPolicyApplication",
	"54": "SharePointListItemOperation", "55": "SharePointContentTypeOperation", "56": "SharePointFieldOperation",
	"57": "MicrosoftTeamsAdmin", "58": "HRSignal", "59": "MicrosoftTeamsDevice", "60": "MicrosoftTeamsAnalytics",
	"61": "InformationWorkerProtection", "62": "Campaign", "63": "DLPEndpoint", "64": "AirInvestigation", "65": "Quarantine",
	"66": "MicrosoftForms", "67": "ApplicationAudit", "68": "ComplianceSupervisionExchange", "69": "CustomerKeyServiceEncryption",
	"70": "OfficeNative", "71": "MipAutoLabelSharePointItem", "72": "MipAutoLabelSharePointPolicyLocation",
	"73": "MicrosoftTeamsShifts", "75": "MipAutoLabelExchangeItem", "76": "CortanaBriefing", "78": "WDATPAlerts",
	"82": "SensitivityLabelPolicyMatch", "83": "SensitivityLabelAction", "84": "SensitivityLabeledFileAction",
	"85": "AttackSim", "86": "AirManualInvestigation", "87": "SecurityComplianceRBAC", "88": "UserTraining",
	"89": "AirAdminActionInvestigation", "90": "MSTIC", "91": "PhysicalBadgingSignal", "93": "AipDiscover",
	"94": "AipSensitivityLabelAction", "95": "AipProtectionAction", "96": "AipFileDeleted", "97": "AipHeartBeat",
	"98": "MCASAlerts", "99": "OnPremisesFileShareScannerDlp", "100": "OnPremisesSharePointScannerDlp",
	"101": "ExchangeSearch", "102": "SharePointSearch", "103": "PrivacyInsights", "105": "MyAnalyticsSettings",
	"106": "SecurityComplianceUserChange", "107": "ComplianceDLPExchangeClassification", "109": "MipExactDataMatch",
}

// scalarNames holds the o365.audit.<Key> names of the usual top-level
// keys, built once so a record does not allocate them.
var scalarNames = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"RecordType", "UserType", "ResultStatus", "Operation", "Workload", "ObjectId", "UserKey",
		"OrganizationName", "OrganizationId", "Version", "ClientAppId", "AppId", "ClientIP", "ClientIPAddress",
		"ClientInfoString", "ExternalAccess", "LogonType", "LogonError", "ActorIpAddress", "ActorContextId",
		"InternalLogonType", "MailboxGuid", "MailboxOwnerUPN", "MailboxOwnerSid", "SiteUrl", "SourceFileName",
		"SourceFileExtension", "SourceRelativeUrl", "ItemType", "EventSource", "UserAgent", "ApplicationId",
		"AzureActiveDirectoryEventType", "ErrorNumber", "IntraSystemId", "SupportTicketId", "TargetContextId",
		"ObjectName", "TeamName", "ChannelName", "CommunicationType", "SessionId", "DeviceDisplayName"} {
		m[k] = "o365.audit." + k
	}
	return m
}()

// record collects what decides other fields once the object is read.
type record struct {
	operation, workload, recordType, result string
	userID, orgName, logonError             string
	nNamed                                  int
}

// Parse fills e from one audit record.
func (Parser) Parse(m *normalize.Message, env *normalize.Env, e *normalize.Event) error {
	var r record
	it := jsonscan.Members(m.Body)
	for {
		k, v, ok := it.Next()
		if !ok {
			break
		}
		if err := r.top(k, v, e); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("m365: %w", err)
	}
	if r.operation == "" {
		return ErrNoOperation
	}
	r.finish(e)
	// Elastic's o365 module names the tenant (its configuration, not the
	// record) as the host too.
	if env != nil && env.Organization != "" {
		e.SetStr("host.name", env.Organization)
	}
	return nil
}

func (r *record) top(k string, v jsonscan.Value, e *normalize.Event) error {
	switch v.Kind {
	case jsonscan.Array:
		switch k {
		case "Parameters":
			return r.named(v, e, "o365.audit.Parameters.", "Value", "")
		case "ModifiedProperties":
			return r.named(v, e, "o365.audit.ModifiedProperties.", "NewValue", "OldValue")
		case "ExtendedProperties":
			return r.named(v, e, "o365.audit.ExtendedProperties.", "Value", "")
		}
		return nil
	case jsonscan.Object, jsonscan.Null, jsonscan.Invalid:
		return nil
	}
	s := v.Text()
	switch k {
	case "CreationTime":
		if t, n := normalize.ParseISO(s, utc); n > 0 {
			e.Time = t.Truncate(time.Millisecond)
		}
	case "Id":
		e.SetStr("event.id", s)
	case "Operation":
		r.operation = s
	case "Workload":
		r.workload = s
	case "RecordType":
		r.recordType = s
	case "ResultStatus":
		r.result = s
	case "UserId":
		r.userID = s
		e.SetStr("user.id", s)
	case "OrganizationId":
		e.SetStr("organization.id", s)
	case "OrganizationName":
		r.orgName = s
	case "LogonError":
		r.logonError = s
	case "OriginatingServer":
		// "HE1PR0102MB3228 (15.20.207.17)"; the server the cmdlet ran on.
		name, rest, _ := strings.Cut(s, " (")
		e.SetStr("server.domain", normalize.TrimSpace(name))
		if ip, ok := strings.CutSuffix(rest, ")"); ok && e.SetIP("server.ip", ip) {
			e.SetIP("destination.ip", ip)
		}
	case "ClientIP", "ClientIPAddress", "ActorIpAddress":
		if !e.Has("client.ip") {
			if ip, port, ok := hostPort(s); ok {
				e.SetIP("client.ip", ip)
				e.SetIP("source.ip", ip)
				e.SetIntStr("client.port", port)
			}
		}
	case "UserAgent":
		e.SetStr("user_agent.original", s)
	}
	if name, ok := scalarNames[k]; ok {
		switch v.Kind {
		case jsonscan.Bool:
			b, _ := v.Bool()
			e.SetBool(name, b)
		default:
			e.SetStr(name, s)
		}
	}
	return nil
}

// named reads a [{"Name": ..., "Value": ...}] list into <prefix><Name>
// (and <prefix><Name>.<second> for ModifiedProperties' old values).
// Empty values are kept: Elastic keeps "DomainController": "".
func (r *record) named(v jsonscan.Value, e *normalize.Event, prefix, valueKey, oldKey string) error {
	el := v.Elems()
	for {
		p, ok := el.Next()
		if !ok {
			break
		}
		r.nNamed++
		if r.nNamed > maxNamed {
			return fmt.Errorf("m365: more than %d named parameters", maxNamed)
		}
		if p.Kind != jsonscan.Object {
			continue
		}
		var name, val, old string
		var hasVal, hasOld bool
		it := p.Members()
		for {
			k, x, ok := it.Next()
			if !ok {
				break
			}
			switch k {
			case "Name":
				name = x.Str()
			case valueKey:
				val, hasVal = x.Text(), x.Kind == jsonscan.String || x.Kind == jsonscan.Number || x.Kind == jsonscan.Bool
			case oldKey:
				old, hasOld = x.Text(), x.Kind == jsonscan.String || x.Kind == jsonscan.Number || x.Kind == jsonscan.Bool
			}
		}
		if err := it.Err(); err != nil {
			return fmt.Errorf("m365: %w", err)
		}
		if !validName(name) {
			continue
		}
		if oldKey == "" {
			if hasVal {
				e.SetStrEmpty(prefix+name, val)
			}
			continue
		}
		if hasVal {
			e.SetStrEmpty(prefix+name+"."+valueKey, val)
		}
		if hasOld {
			e.SetStrEmpty(prefix+name+"."+oldKey, old)
		}
	}
	if err := el.Err(); err != nil {
		return fmt.Errorf("m365: %w", err)
	}
	return nil
}

// validName reports whether a parameter name can be part of a field name.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// hostPort splits "192.0.2.1", "192.0.2.1:443", "[2001:db8::1]:443" or
// "2001:db8::1".
func hostPort(s string) (ip, port string, ok bool) {
	if _, valid := normalize.ParseIP(s); valid {
		return s, "", true
	}
	if strings.HasPrefix(s, "[") {
		host, rest, found := strings.Cut(s[1:], "]")
		if !found {
			return "", "", false
		}
		return host, strings.TrimPrefix(rest, ":"), true
	}
	host, port, found := strings.Cut(s, ":")
	if !found || strings.Contains(port, ":") {
		return "", "", false
	}
	return host, port, true
}

func (r *record) finish(e *normalize.Event) {
	e.Dataset = "log.m365.audit"
	e.SetStr("event.kind", "event")
	e.SetStr("event.action", r.operation)
	e.SetStr("event.provider", r.workload)
	if name, ok := recordTypes[r.recordType]; ok {
		e.SetStr("event.code", name)
	}
	e.SetStr("organization.name", r.orgName)
	switch r.result {
	case "True", "true", "Succeeded", "Success", "PartiallySucceeded":
		e.SetStr("event.outcome", "success")
	case "False", "false", "Failed", "Failure":
		e.SetStr("event.outcome", "failure")
	}
	if name, domain, ok := strings.Cut(r.userID, "@"); ok {
		e.SetStr("user.name", name)
		e.SetStr("user.domain", domain)
		e.SetStr("user.email", r.userID)
	}
	switch {
	case r.operation == "UserLoggedIn" || r.operation == "UserLoginFailed" || r.recordType == "15" || r.recordType == "9":
		e.SetStrs("event.category", catAuth...)
		e.SetStrs("event.type", typeStart...)
		if r.operation == "UserLoginFailed" {
			e.SetStr("event.outcome", "failure")
		}
		e.SetStr("event.reason", r.logonError)
	default:
		e.SetStrs("event.category", catWeb...)
		e.SetStrs("event.type", typeInfo...)
	}
}
