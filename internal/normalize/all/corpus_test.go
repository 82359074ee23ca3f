package all_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
	"github.com/flowsift/flowsift/internal/testutil"
)

// corpusFolder is how the corpus test reads one folder of
// ../shared/corpus/logs: the parser expected to claim its lines and the
// environment of the peer's test (its source.txt), which fixes the
// timezone and the year of yearless timestamps.
type corpusFolder struct {
	parser   string // registered name of the parser for these lines
	timezone string // Config.Timezone
	year     int    // Config.Year (0: the lines carry their year)
	done     bool   // the parser is finished: it must be registered
}

// corpusFolders has one row per folder; a folder missing here fails the
// test. Mark a row done when its parser is committed: from then on a
// missing registration fails too. Every registered parser must reach
// corpusBar on its folders, done or not.
var corpusFolders = map[string]corpusFolder{
	"apache-access":          {"accesslog", "", 0, true},          // logstash grok spec; the lines carry their zone
	"aws-cloudtrail":         {"cloudtrail", "", 0, true},         // JSON, times in UTC
	"barracuda-waf":          {"barracuda", "", 0, true},          // header "+0100" converted to UTC by the peer
	"bind-query":             {"bind", "", 0, true},               // logstash grok spec (timestamp kept as text)
	"cef-generic":            {"cef", "", 0, true},                // no timestamps compared
	"checkpoint-firewall":    {"checkpoint", "", 0, true},         // RFC 5424 times in Z
	"cisco-asa":              {"ciscoasa", "", 0, true},           // test timezone UTC; line 3 says EDT
	"cisco-ftd":              {"ciscoasa", "", 0, true},           // ISO times in Z
	"cisco-umbrella-dns":     {"umbrella", "", 0, true},           // CSV times in UTC
	"fortinet-fortigate":     {"fortigate", "", 0, true},          // tz= field in the line where given, else UTC
	"google-workspace-login": {"googleworkspace", "", 0, true},    // JSON, times in Z
	"infoblox-nios-dns":      {"infoblox", "", 2025, true},        // event.created = header time in the generation year 2025
	"iptables-netfilter":     {"iptables", "", 2023, true},        // YEAR QUIRK: the peer's year was 2023, UTC
	"juniper-srx":            {"junipersrx", "", 0, true},         // RFC 5424 times with offsets
	"linux-auditd":           {"auditd", "", 0, true},             // epoch times
	"linux-sshd-auth":        {"sshd", "", 2025, true},            // YEAR QUIRK: the peer's year was 2025, UTC
	"m365-audit":             {"m365", "", 0, true},               // CreationTime without zone = UTC
	"nginx-access":           {"accesslog", "", 0, true},          // the lines carry their offset
	"okta-system":            {"okta", "", 0, true},               // JSON, times in Z
	"opnsense-filterlog":     {"filterlog", "-04:00", 2022, true}, // tz_offset -04:00; the peer's year 2022
	"panw-panos-threat":      {"panos", "+09:30", 2018, true},     // tz_offset +09:30
	"panw-panos-traffic":     {"panos", "", 2018, true},           // UTC
	"pfsense-filterlog":      {"filterlog", "-04:00", 2022, true}, // tz_offset -04:00; the peer's year 2022
	"sonicwall-firewall":     {"sonicwall", "+02:00", 2007, true}, // tz_offset +02:00 applied to time="..."
	"sophos-xg":              {"sophosxg", "", 0, true},           // UTC: the device's timezone= is not applied
	"squid-access":           {"squid", "", 0, true},              // epoch times
	"suricata-eve":           {"suricata", "", 0, true},           // times with offsets
	"windows-security":       {"windows", "", 0, true},            // JSON, times in Z
	"zeek-conn":              {"zeek", "", 0, true},               // epoch times
	"zeek-dns":               {"zeek", "", 0, true},               // epoch times
	"zscaler-zia-web":        {"zscaler", "", 0, true},            // zone-less time = UTC
}

// corpusOrganizations are the organizations the peers' test
// configurations name (Config.Organization): Elastic's o365 module is
// configured with its tenant, which the records do not carry.
var corpusOrganizations = map[string]string{"m365-audit": "mytenant.onmicrosoft.com"}

// corpusBar is the share of expected fields a registered parser must
// match on each of its folders.
const corpusBar = 0.95

// TestCorpus feeds every corpus folder's raw.log through an
// auto-detecting Normalizer and compares each event with the line of
// expected.jsonl. It prints one line per folder:
//
//	folder  parser  matched/total  pct%  (first mismatches)
func TestCorpus(t *testing.T) {
	root := filepath.Join(testutil.CorpusDir(t), "logs")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Skipf("no logs corpus: %v", err)
	}
	var matched, total int
	var report []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		row, ok := corpusFolders[name]
		if !ok {
			t.Errorf("%s: not in corpusFolders (add a row with its parser, timezone and year)", name)
			continue
		}
		res := evalFolder(t, filepath.Join(root, name), row)
		_, registered := normalize.Lookup(row.parser)
		pct := 100 * float64(res.matched) / float64(max(res.total, 1))
		line := fmt.Sprintf("%-24s %-16s %4d/%-4d %6.1f%%", name, row.parser, res.matched, res.total, pct)
		switch {
		case !registered:
			line += "  no parser yet"
			if row.done {
				t.Errorf("%s: parser %s is marked done but not registered (missing from all.go?)", name, row.parser)
			}
		case len(res.mismatches) > 0:
			line += "  (" + strings.Join(res.mismatches[:min(3, len(res.mismatches))], "; ") + ")"
		}
		if registered && res.otherParser > 0 {
			line += fmt.Sprintf("  [%d lines claimed by another parser: %s]", res.otherParser, res.others)
		}
		report = append(report, line)
		if registered {
			matched += res.matched
			total += res.total
			if float64(res.matched) < corpusBar*float64(res.total) {
				t.Errorf("%s: %s matches %.1f%% of the expected fields, under %.0f%%", name, row.parser, pct, 100*corpusBar)
			}
		}
	}
	for _, l := range report {
		t.Log(l)
	}
	t.Logf("%-24s %-16s %4d/%-4d %6.1f%%  (folders with a registered parser)", "total", "", matched, total, 100*float64(matched)/float64(max(total, 1)))
}

type folderResult struct {
	matched, total int
	mismatches     []string
	otherParser    int
	others         string
}

func evalFolder(t *testing.T, dir string, row corpusFolder) folderResult {
	t.Helper()
	raw := readLines(t, filepath.Join(dir, "raw.log"))
	exp := readLines(t, filepath.Join(dir, "expected.jsonl"))
	if len(raw) != len(exp) {
		t.Fatalf("%s: %d raw lines, %d expected", dir, len(raw), len(exp))
	}
	cfg := normalize.DefaultConfig()
	cfg.Timezone = row.timezone
	cfg.Year = row.year
	cfg.Organization = corpusOrganizations[filepath.Base(dir)]
	n, err := normalize.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var res folderResult
	others := map[string]bool{}
	var e normalize.Event
	for i, line := range raw {
		dec := json.NewDecoder(strings.NewReader(exp[i]))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("%s line %d: %v", dir, i+1, err)
		}
		p, _ := n.Normalize(line, &e)
		if p != row.parser {
			res.otherParser++
			others[p] = true
		}
		mm, tot := normalizetest.Compare(&e, want)
		res.total += tot
		res.matched += tot - len(mm)
		for _, m := range mm {
			res.mismatches = append(res.mismatches, fmt.Sprintf("%d: %s", i+1, m))
		}
		if testing.Verbose() && len(mm) > 0 && os.Getenv("CORPUS_DEBUG") != "" {
			t.Logf("%s line %d via %s:\n  %s\n  got %s", filepath.Base(dir), i+1, p, strings.Join(mm, "\n  "), normalizetest.EventJSON(&e))
		}
	}
	var names []string
	for p := range others {
		names = append(names, p)
	}
	sort.Strings(names)
	res.others = strings.Join(names, ",")
	return res
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
