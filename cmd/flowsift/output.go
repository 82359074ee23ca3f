package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsift/flowsift/internal/export/ndjson"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/store"
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

// recordOutput is where read and collect write records: NDJSON to -o or
// stdout, and with --store into the store too (NDJSON then only with -o;
// the writer still counts what it would have written).
type recordOutput struct {
	nd       *ndjson.Writer
	sink     flow.Sink // nd, or nd and the store
	bw       *bufio.Writer
	closeOut func() error
	stored   *storeOutput
}

func openRecordOutput(cmd *cobra.Command, out, storeDir string, opts store.OpenOptions) (*recordOutput, error) {
	var def io.Writer = cmd.OutOrStdout()
	if storeDir != "" && !cmd.Flags().Changed("output") {
		def = io.Discard
	}
	w, closeOut, err := openOutput(out, def)
	if err != nil {
		return nil, err
	}
	o := &recordOutput{bw: bufio.NewWriterSize(w, 1<<20), closeOut: closeOut}
	o.nd = ndjson.New(o.bw)
	o.sink = o.nd
	if storeDir != "" {
		if o.stored, o.sink, err = attachStore(cmd.Context(), storeDir, opts, o.nd); err != nil {
			_ = closeOut()
			return nil, &exitError{2, fmt.Errorf("cannot open the store: %w", err)}
		}
	}
	return o, nil
}

// flush writes out the NDJSON and closes the -o file.
func (o *recordOutput) flush() error {
	err := o.bw.Flush()
	if cerr := o.closeOut(); err == nil {
		err = cerr
	}
	return err
}

// close closes the store (reporting on w unless quiet) and returns the
// first error of writing the records.
func (o *recordOutput) close(ctx context.Context, w io.Writer, quiet bool) error {
	if o.stored != nil {
		if err := o.stored.close(ctx, w, quiet, o.nd); err != nil {
			return err
		}
	}
	if err := o.nd.Err(); err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	return nil
}
