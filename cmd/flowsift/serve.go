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
	"github.com/flowsift/flowsift/internal/store"
	"github.com/flowsift/flowsift/internal/telemetry"
)

// tokenEnv names the environment variable that holds the API token.
const tokenEnv = "FLOWSIFT_API_TOKEN"

func newServeCmd() *cobra.Command {
	var dir, listen, tokenFile string
	co := collectOptions{workers: 2, rcvbuf: 8 << 20, observer: hostname(), tenant: "default"}
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

With listeners (--netflow, --ipfix, --sflow, --syslog, as flowsift collect
takes them) serve is the all-in-one: flow exports and logs go into the store
as they come, and the API searches them; the collectors' counters join
/metrics. Without listeners the store is opened read-only, so other
read-only users (flowsift search) can share it; with them serve is the
store's one writer.`,
		Example: `  flowsift serve --store ./data
  ` + tokenEnv + `=$(cat /etc/flowsift/token) flowsift serve --store ./data --listen :8080
  curl -H "Authorization: Bearer $` + tokenEnv + `" 'http://127.0.0.1:8080/api/v1/search?q=destination.port:443&limit=5'
  curl -H "Authorization: Bearer $` + tokenEnv + `" 'http://127.0.0.1:8080/api/v1/export?format=parquet&q=event.dataset:dns' -o dns.parquet
  flowsift serve --store ./data --netflow :2055 --sflow :6343 --syslog udp://:514,tcp://:514`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, dir, listen, tokenFile, &co)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "store", "./data", "data directory of the store")
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "address to serve on (host:port; :8080 for every interface)")
	fl.StringVar(&tokenFile, "token-file", "", "file holding the admin API token (default: $"+tokenEnv+", else a random one)")
	registerListenerFlags(fl, &co)
	fl.IntVar(&co.workers, "collect-workers", co.workers, "sockets (and goroutines) per UDP listener")
	fl.StringVar(&co.observer, "observer", co.observer, "observer.name written into collected records")
	fl.StringVar(&co.tenant, "tenant", co.tenant, "tenant.id written into collected records")
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

func runServe(cmd *cobra.Command, dir, listen, tokenFile string, co *collectOptions) error {
	stderr := cmd.ErrOrStderr()
	token, generated, err := serveToken(tokenFile)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	syslogs, tlsConf, err := prepareListeners(cmd, co)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, dir, !co.listening())
	if err != nil {
		return &exitError{2, fmt.Errorf("%w (create one with flowsift read --store %s capture.pcap)", err, dir)}
	}
	defer func() { _ = st.Close() }()
	reg := telemetry.NewRegistry()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	collectCtx, stopCollect := context.WithCancel(ctx)
	defer stopCollect()
	var collected chan error // nil without listeners: never ready
	if co.listening() {
		collected = make(chan error, 1)
		sink := store.NewSink(st)
		locked := &lockedSink{sink: sink}
		var logs *logPipe
		if len(syslogs) > 0 {
			if logs, err = newLogPipe(&co.logs, co.observer, co.tenant, locked); err != nil {
				return invalidOptions(cmd, err)
			}
		}
		newWorker := func() (*collectWorker, error) { return newCollectWorker(co) }
		go func() {
			err := listenExports(collectCtx, co, newWorker, locked, log, stderr, syslogs, tlsConf, logs, reg)
			if logs != nil {
				logs.flush()
			}
			if err == nil {
				err = sink.Err()
			}
			if ferr := st.Flush(); err == nil {
				err = ferr
			}
			collected <- err
		}()
	}
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
	case err := <-collected: // the listeners ended before a stop: a fault
		_ = srv.Close()
		if err == nil {
			err = errors.New("serve: the collectors stopped")
		}
		return err
	case <-ctx.Done():
	}
	if collected != nil {
		stopCollect()
		if err := <-collected; err != nil {
			fmt.Fprintf(stderr, "flowsift: collectors: %v\n", err)
		}
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stderr, "flowsift: stopped")
	return nil
}
