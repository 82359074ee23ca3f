package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsift/flowsift/internal/api"
	"github.com/flowsift/flowsift/internal/telemetry"
)

// tokenEnv names the environment variable that holds the API token.
const tokenEnv = "FLOWSIFT_API_TOKEN"

func newServeCmd() *cobra.Command {
	var dir, listen, tokenFile string
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Serve a store over HTTP: search, aggregations, export, schema and metrics",
		Long: `Serve the records of a store over an HTTP API (internal/api/openapi.json
documents it; GET /api/v1/openapi.json serves it): search with cursor paging,
count, top values, time histograms, one record by event.id, export as NDJSON,
CSV or Parquet, and the schema. /healthz and Prometheus /metrics need no token.

Every /api/v1 call needs the admin token: Authorization: Bearer <token>.
The token comes from $` + tokenEnv + `, or from --token-file; without either a
random one is made and printed once on stderr.

The store is opened read-only, so other read-only users (flowsift search) can
share it; stop serve before writing to the store with flowsift read --store.`,
		Example: `  flowsift serve --store ./data
  ` + tokenEnv + `=$(cat /etc/flowsift/token) flowsift serve --store ./data --listen :8080
  curl -H "Authorization: Bearer $` + tokenEnv + `" 'http://127.0.0.1:8080/api/v1/search?q=destination.port:443&limit=5'
  curl -H "Authorization: Bearer $` + tokenEnv + `" 'http://127.0.0.1:8080/api/v1/export?format=parquet&q=event.dataset:dns' -o dns.parquet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, dir, listen, tokenFile)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "store", "./data", "data directory of the store")
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "address to serve on (host:port; :8080 for every interface)")
	fl.StringVar(&tokenFile, "token-file", "", "file holding the admin API token (default: $"+tokenEnv+", else a random one)")
	return cmd
}

func serveToken(tokenFile string) (token string, generated bool, err error) {
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile) //nolint:gosec // the operator names the file
		if err != nil {
			return "", false, &exitError{2, fmt.Errorf("--token-file: %w", err)}
		}
		token = strings.TrimSpace(string(b))
	} else if token = strings.TrimSpace(os.Getenv(tokenEnv)); token == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", false, err
		}
		return base64.RawURLEncoding.EncodeToString(b[:]), true, nil
	}
	if len(token) < 16 {
		return "", false, &exitError{2, errors.New("the API token must have at least 16 characters (e.g. openssl rand -base64 24)")}
	}
	return token, false, nil
}

func runServe(cmd *cobra.Command, dir, listen, tokenFile string) error {
	stderr := cmd.ErrOrStderr()
	token, generated, err := serveToken(tokenFile)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := openStore(ctx, dir, true)
	if err != nil {
		return &exitError{2, fmt.Errorf("%w (create one with flowsift read --store %s capture.pcap)", err, dir)}
	}
	defer func() { _ = st.Close() }()
	reg := telemetry.NewRegistry()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h, err := api.New(st, api.Config{Token: token, Log: log}, reg, reg)
	if err != nil {
		return &exitError{2, err}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return &exitError{2, fmt.Errorf("serve: cannot listen on %s: %w (choose another address with --listen)", listen, err)}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(stderr, "flowsift: serving %s on http://%s (API: /api/v1, docs: /api/v1/openapi.json, metrics: /metrics)\n", dir, ln.Addr())
	if generated {
		fmt.Fprintf(stderr, "flowsift: API token (generated for this run; set %s to choose one): %s\n", tokenEnv, token)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stderr, "flowsift: stopped")
	return nil
}
