package main

import (
	"fmt"
	"io"
	"os"
)

// openOutput returns where records go: the file named by -o, or def for
// "" and "-". The returned close function closes the file (a no-op for
// def); call it after flushing, and report its error.
func openOutput(name string, def io.Writer) (io.Writer, func() error, error) {
	if name == "" || name == "-" {
		return def, func() error { return nil }, nil
	}
	f, err := os.Create(name) //nolint:gosec // the user names the output file
	if err != nil {
		return nil, nil, &exitError{2, fmt.Errorf("cannot write output: %w", err)}
	}
	return f, f.Close, nil
}
