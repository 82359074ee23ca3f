package record

import (
	"strings"
)

// DatasetLogs stands, in a field's Datasets, for every log dataset
// (log.<vendor>.<type>).
const DatasetLogs Dataset = "log.*"

// IsLog reports whether ds is a log dataset (log.<vendor>.<type>).
func (ds Dataset) IsLog() bool { return strings.HasPrefix(string(ds), "log.") }

// Log holds the fields of a normalized log record (dataset log.*): the
// ECS fields a vendor's line carries (event.action, source.ip, user.name,
// url.original, …) and the vendor's own (panw.panos.*, …), by flattened
// name, as its parser set them. On a log record every field of the schema
// is read from here, except the ones the record always carries itself:
// @timestamp, event.id, event.dataset, tenant.id, and observer.name when
// the line names no observer.
type Log struct {
	Fields []LogField
}

// LogField is one field of a log record. Field is its index in Fields, or
// -1 for a name the schema does not know (it is still written in the
// record's JSON, as a dotted key, and found by free text).
type LogField struct {
	Field int
	Name  string
	Value Value
	Type  Type // the value's type; that of Fields[Field] when Field ≥ 0
}

// get stores field i's value in v.
func (l *Log) get(i int, v *Value) bool {
	for k := range l.Fields {
		if l.Fields[k].Field == i {
			*v = l.Fields[k].Value
			return true
		}
	}
	return false
}

// Get returns the field with the given name.
func (l *Log) Get(name string) (LogField, bool) {
	for _, f := range l.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return LogField{}, false
}

// logsOnly is the Datasets of the fields only log records carry.
var logsOnly = []Dataset{DatasetLogs}

// logOnly is their getter: a record that is not a log has none of them
// (log records are answered from Log.Fields, see init).
func logOnly(*Record, *Value) bool { return false }

// logOwn are the fields a log record carries in its typed members.
var logOwn = map[string]bool{"@timestamp": true, "event.id": true, "event.dataset": true, "tenant.id": true, "observer.name": true}

// init routes every field's getter through the log record's fields, so a
// log record answers the schema's getters (JSON, store columns, queries)
// the way the other records do.
func init() {
	for i := range Fields {
		f := &Fields[i]
		get, own := f.Get, logOwn[f.Name]
		f.Get = func(r *Record, v *Value) bool {
			if r.Log == nil {
				return get(r, v)
			}
			if r.Log.get(i, v) {
				return true
			}
			return own && get(r, v)
		}
	}
}

// appendLogExtras appends the fields of a log record that the schema does
// not know, as dotted keys, to an object ending at dst's last byte ('}').
func appendLogExtras(dst []byte, l *Log) []byte {
	extra := false
	for i := range l.Fields {
		if l.Fields[i].Field < 0 {
			extra = true
			break
		}
	}
	if !extra {
		return dst
	}
	dst = dst[:len(dst)-1]
	first := len(dst) > 0 && dst[len(dst)-1] == '{'
	for i := range l.Fields {
		f := &l.Fields[i]
		if f.Field >= 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, f.Name)
		dst = append(dst, ':')
		dst = appendValue(dst, f.Type, &f.Value)
	}
	return append(dst, '}')
}
