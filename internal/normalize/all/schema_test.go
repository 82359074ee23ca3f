package all_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite internal/record/schema_log.go from what the parsers set on the corpus")

const schemaLogFile = "../../record/schema_log.go"

// ecsGroups are the top-level names of the Elastic Common Schema's field
// sets: a log field under one of them is ECS; others are vendor fields.
var ecsGroups = map[string]bool{
	"agent": true, "client": true, "cloud": true, "container": true, "destination": true, "dns": true, "email": true,
	"error": true, "event": true, "file": true, "group": true, "host": true, "http": true, "log": true, "message": true,
	"network": true, "observer": true, "organization": true, "package": true, "process": true, "related": true,
	"rule": true, "server": true, "service": true, "source": true, "threat": true, "tls": true, "url": true,
	"user": true, "user_agent": true, "vulnerability": true,
}

type logFieldSpec struct {
	name    string
	typ     record.Type
	parsers map[string]bool
}

// TestLogSchema runs every corpus log line through the parsers and the
// Recorder and checks that internal/record/schema_log.go declares every
// field they set that the rest of the schema lacks, with the type they
// give it (make generate rewrites it with -update). A field the schema
// declares is searchable by name and stored in its own column.
func TestLogSchema(t *testing.T) {
	root := filepath.Join(testutil.CorpusDir(t), "logs")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Skip(err)
	}
	specs := map[string]*logFieldSpec{}
	n, err := normalize.New(normalize.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	rc := normalize.NewRecorder("test", "default")
	var e normalize.Event
	var r record.Record
	for _, d := range dirs {
		f, err := os.Open(filepath.Join(root, d.Name(), "raw.log"))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p, _ := n.Normalize(sc.Text(), &e)
			if p == normalize.UnparsedName {
				continue
			}
			rc.Record(&e, time.Now(), &r)
			for _, lf := range r.Log.Fields {
				if lf.Field >= 0 && record.Fields[lf.Field].Datasets == nil || lf.Field >= 0 && !slices.Contains(record.Fields[lf.Field].Datasets, record.DatasetLogs) {
					continue // a field of the rest of the schema
				}
				s := specs[lf.Name]
				if s == nil {
					s = &logFieldSpec{name: lf.Name, typ: lf.Type, parsers: map[string]bool{}}
					specs[lf.Name] = s
				}
				if s.typ != lf.Type { // parsers disagree: text holds both
					s.typ = record.TypeString
				}
				s.parsers[p] = true
			}
		}
		_ = f.Close()
	}
	src := renderLogSchema(specs)
	old, _ := os.ReadFile(schemaLogFile)
	if *update {
		if err := os.WriteFile(schemaLogFile, src, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(old, src) {
		t.Errorf("%s is stale: the parsers set fields it does not declare, or no longer set some it does (run make generate)", schemaLogFile)
	}
}

// collides reports whether name would be both a leaf and an object with
// a field of the static schema (source.ip against source.ip.x).
func collides(name string, static []string) bool {
	for _, s := range static {
		if s == name || strings.HasPrefix(s, name+".") || strings.HasPrefix(name, s+".") {
			return true
		}
	}
	return false
}

// plainName reports whether a name makes a plain store column: lower-case
// letters, digits, '_' and '.' (winlog.event_data.LogonType stays outside
// the schema, found by free text and written under its name).
func plainName(n string) bool {
	for _, r := range n {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '.' {
			return false
		}
	}
	return true
}

func renderLogSchema(specs map[string]*logFieldSpec) []byte {
	var static, names []string
	for i := range record.Fields {
		if !slices.Contains(record.Fields[i].Datasets, record.DatasetLogs) {
			static = append(static, record.Fields[i].Name)
		}
	}
	for n := range specs {
		if !collides(n, static) && plainName(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// Among themselves, a leaf that is also a prefix of another log field
	// stays out of the schema (kept under its dotted name), and so does a
	// name whose store column another field has (a.b_c against a.b.c, or
	// timestamp against @timestamp).
	column := func(n string) string { return strings.ReplaceAll(strings.ReplaceAll(n, "@", ""), ".", "_") }
	columns := map[string]bool{}
	for _, n := range static {
		columns[column(n)] = true
	}
	var keep []string
	for _, n := range names {
		clash := columns[column(n)]
		columns[column(n)] = true
		for _, o := range names {
			if strings.HasPrefix(o, n+".") {
				clash = true
				break
			}
		}
		if !clash {
			keep = append(keep, n)
		}
	}
	typeNames := map[record.Type]string{record.TypeString: "TypeString", record.TypeInt: "TypeInt", record.TypeBool: "TypeBool",
		record.TypeIP: "TypeIP", record.TypeTime: "TypeTime", record.TypeMAC: "TypeMAC", record.TypeIntList: "TypeIntList",
		record.TypeStringList: "TypeStringList"}
	var b bytes.Buffer
	b.WriteString("// Code generated by go test ./internal/normalize/all -run TestLogSchema -update; DO NOT EDIT.\n\npackage record\n\n")
	b.WriteString("// logFields are the fields the log parsers set that the rest of the\n// schema does not have, with the types they give them.\nvar logFields = []Field{\n")
	for _, n := range keep {
		s := specs[n]
		var ps []string
		for p := range s.parsers {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		ecs := ecsGroups[strings.SplitN(n, ".", 2)[0]]
		fmt.Fprintf(&b, "\t{Name: %q, Type: %s, ECS: %v, Datasets: logsOnly, Doc: %q, Get: logOnly},\n",
			n, typeNames[s.typ], ecs, "Set by the log parsers "+strings.Join(ps, ", ")+".")
	}
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	return out
}
