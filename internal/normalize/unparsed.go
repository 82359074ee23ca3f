package normalize

// Unparsed is the fallback parser: it stores a line that no parser claimed
// (or whose parser failed) with its header fields and its body as
// message, under dataset log.unparsed, so it is still searchable and
// counted. It is not in the registry; Lookup("unparsed") returns it so a
// listener can store lines raw.
var Unparsed Parser = unparsed{}

type unparsed struct{}

func (unparsed) Name() string         { return UnparsedName }
func (unparsed) Detect(*Message) bool { return true }

func (unparsed) Parse(m *Message, _ *Env, e *Event) error {
	e.Dataset = "log.unparsed"
	e.SetStr("event.kind", "event")
	e.SetStr("host.hostname", m.Hostname)
	e.SetStr("log.syslog.hostname", m.Hostname)
	e.SetStr("log.syslog.appname", m.AppName)
	e.SetStr("log.syslog.procid", m.ProcID)
	e.SetStr("log.syslog.msgid", m.MsgID)
	if m.AppName != "" {
		e.SetStr("process.name", m.AppName)
		e.SetIntStr("process.pid", m.ProcID)
	}
	for id, params := range m.StructuredData {
		for k, v := range params {
			e.SetStrEmpty("log.syslog.structured_data."+id+"."+k, v)
		}
	}
	if m.Body != "" {
		e.SetStrEmpty("message", m.Body)
	}
	return nil
}
