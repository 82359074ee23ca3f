package appid

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:embed ndpi_aliases.csv
var ndpiAliasesCSV string

// ndpiAliases maps lowercased nDPI application names to catalog names.
var ndpiAliases = sync.OnceValue(func() map[string]string {
	m, err := parseAliases(strings.NewReader(ndpiAliasesCSV))
	if err != nil {
		// Embedded data; TestNDPIAliases keeps it valid.
		panic(fmt.Sprintf("appid: embedded ndpi_aliases.csv: %v", err))
	}
	return m
})

// NDPIAlias returns the catalog's name for an application as nDPI names
// it: the alias from ndpi_aliases.csv where the two differ by more than
// case (GoogleServices is google, AmazonAWS is aws), else the name
// lowercased (NetFlix is netflix). It is for evaluations against nDPI's
// labels and says nothing about whether the catalog has the application.
func NDPIAlias(ndpiApp string) string {
	lower := strings.ToLower(ndpiApp)
	if a, ok := ndpiAliases()[lower]; ok {
		return a
	}
	return lower
}

// parseAliases reads an alias table with the header "ndpi_app,application".
// nDPI names are keyed in lower case, as nDPI's own lookups ignore case.
func parseAliases(r io.Reader) (map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	rec, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if rec[0] != "ndpi_app" || rec[1] != "application" {
		return nil, fmt.Errorf("line 1: %w header %q, want \"ndpi_app,application\"", ErrMalformed, strings.Join(rec, ","))
	}
	m := map[string]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		key := strings.ToLower(rec[0])
		switch {
		case rec[0] == "" || !validName(rec[1]):
			return nil, fmt.Errorf("line %d: %w alias %q -> %q", line, ErrMalformed, rec[0], rec[1])
		case m[key] != "":
			return nil, fmt.Errorf("line %d: %w nDPI name %q", line, ErrDuplicate, rec[0])
		case key == rec[1]:
			return nil, fmt.Errorf("line %d: %w alias %q -> %q differs only by case, which NDPIAlias already ignores", line, ErrMalformed, rec[0], rec[1])
		}
		m[key] = rec[1]
	}
}
