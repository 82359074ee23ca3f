package store

import (
	"encoding/csv"
	"io"

	"github.com/flowsift/flowsift/internal/record"
)

// WriteNDJSON writes each row as one JSON object per line (Row.AppendJSON)
// and returns the number written.
func WriteNDJSON(w io.Writer, rows Rows) (int, error) {
	n := 0
	var buf []byte
	for rows.Next() {
		buf = rows.Row().AppendJSON(buf)
		buf = append(buf, '\n')
		n++
		if len(buf) > 1<<16 {
			if _, err := w.Write(buf); err != nil {
				return n, err
			}
			buf = buf[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	_, err := w.Write(buf)
	return n, err
}

// WriteCSV writes a header of field names, then one line per row with
// FormatValue's text; cells a spreadsheet would evaluate are defused
// (CSVSafe). It returns the number of rows written.
func WriteCSV(w io.Writer, rows Rows) (int, error) {
	n := 0
	cw := csv.NewWriter(w)
	var rec []string
	for rows.Next() {
		r := rows.Row()
		if rec == nil {
			rec = make([]string, len(r.Fields))
			for i, f := range r.Fields {
				rec[i] = f.Name
			}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
		}
		for i, f := range r.Fields {
			rec[i] = ""
			if r.Present[i] {
				rec[i] = CSVSafe(f.Type, FormatValue(f.Type, &r.Values[i]))
			}
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// CSVSafe defuses spreadsheet formulas in string values: a cell that a
// spreadsheet would evaluate (=, +, -, @, tab, CR first) gets a leading '.
func CSVSafe(t record.Type, s string) string {
	if t != record.TypeString && t != record.TypeStringList || s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
