package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
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

// configKey matches the YAML path a Validate message starts with.
var configKey = regexp.MustCompile(`(?m)^(?:[a-z_]+\.)*([a-z_]+):`)

// invalidOptions turns a Validate error into one that also names the
// command-line flag of each key (flow.tcp_idle → --tcp-idle), when the
// command has that flag.
func invalidOptions(cmd *cobra.Command, err error) error {
	msg := configKey.ReplaceAllStringFunc(err.Error(), func(m string) string {
		key := strings.TrimSuffix(m, ":")
		name := key[strings.LastIndexByte(key, '.')+1:]
		if f := cmd.Flags().Lookup(strings.ReplaceAll(name, "_", "-")); f != nil {
			return "--" + f.Name + " (" + key + "):"
		}
		return m
	})
	return &exitError{2, fmt.Errorf("invalid options:\n%s", msg)}
}
