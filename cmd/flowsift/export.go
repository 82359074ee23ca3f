package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

type exportFlags struct {
	searchFlags
	out string
}

func newExportCmd() *cobra.Command {
	var ef exportFlags
	cmd := &cobra.Command{
		Use:   "export [flags] [QUERY]",
		Short: "Write every record a search matches to a file: NDJSON, CSV or Parquet",
		Long: `Write every record a search matches, oldest first, to a file for other tools:
NDJSON (jq, Elastic, Splunk), CSV (spreadsheets; formula-like cells are
defused) or Parquet (DuckDB, pandas, Spark; column names are the field names).

The query language is search's (docs/query.md); no query, or *, exports
everything. --fields picks the columns (default: every field of the schema).
The format is taken from --format, or else from the -o file's extension.

Exit codes: 0 done (even with nothing to export), 1 a failure, 2 a bad query or flag.`,
		Example: `  flowsift export --store ./data -o web.parquet 'network.protocol:http'
  flowsift export --store ./data --since 24h -o dns.ndjson 'event.dataset:dns'
  flowsift export --store ./data --format csv --fields @timestamp,source.ip,dns.question.name 'event.dataset:dns' > dns.csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := "*"
			if len(args) == 1 && strings.TrimSpace(args[0]) != "" {
				q = args[0]
			}
			return runExport(cmd, &ef, q)
		},
	}
	fl := cmd.Flags()
	ef.registerSource(fl)
	fl.DurationVar(&ef.since, "since", 0, "only records newer than this, e.g. 15m, 24h (0: no limit)")
	fl.StringVar(&ef.until, "until", "", "only records older than this: a duration ago (1h) or a time (2026-11-02T00:00:00Z)")
	fl.StringVarP(&ef.format, "format", "f", "", "ndjson, csv or parquet (default: from the -o extension, else ndjson)")
	fl.StringVarP(&ef.out, "output", "o", "-", "file to write; - is standard output (not for parquet)")
	fl.StringSliceVar(&ef.fields, "fields", nil, "fields to export, comma-separated (default: every field)")
	fl.StringVar(&ef.tenant, "tenant", "default", "tenant to export from")
	return cmd
}

func runExport(cmd *cobra.Command, ef *exportFlags, q string) error {
	req, err := searchRequest(&ef.searchFlags, q)
	if err != nil {
		return err
	}
	req.Limit, req.Oldest = store.NoLimit, true
	format := ef.format
	if format == "" {
		switch strings.ToLower(filepath.Ext(ef.out)) {
		case ".parquet":
			format = "parquet"
		case ".csv":
			format = "csv"
		default:
			format = "ndjson"
		}
	}
	switch format {
	case "ndjson", "csv":
	case "parquet":
		if ef.out == "-" || ef.out == "" {
			return &exitError{2, errors.New("--format parquet writes a file: give it with -o, e.g. -o out.parquet")}
		}
	default:
		return &exitError{2, fmt.Errorf("--format %q: want ndjson, csv or parquet", format)}
	}
	if req.Fields, err = lookupFields(ef.fields, "fields"); err != nil {
		return err
	}
	if format == "csv" && req.Fields == nil {
		req.Fields = record.AllFields()
	}
	st, closeStore, err := openReader(cmd.Context(), &ef.searchFlags)
	if err != nil {
		return err
	}
	defer func() { _ = closeStore() }()
	ctx := cmd.Context()

	if format == "parquet" {
		n, err := st.ExportParquet(ctx, req, ef.out)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "exported %d records to %s\n", n, ef.out)
		return nil
	}
	var w io.Writer = cmd.OutOrStdout()
	var f *os.File
	if ef.out != "-" && ef.out != "" {
		if f, err = os.Create(ef.out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		w = f
	} else if o, ok := w.(*os.File); ok && term.IsTerminal(int(o.Fd())) { //nolint:gosec // file descriptors fit in int
		return &exitError{2, errors.New("export writes every matching record: give a file with -o, or pipe the output")}
	}
	rows, err := st.Search(ctx, req)
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return err
	}
	defer func() { _ = rows.Close() }()
	n, err := writeRows(w, format, rows)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "exported %d records to %s\n", n, ef.out)
	}
	return nil
}
