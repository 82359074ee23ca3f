package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

func init() {
	store.Register(store.Registration{
		Name: "duckdb",
		Doc:  "embedded DuckDB database in a data directory (the default)",
		Open: func(ctx context.Context, dir string, o store.OpenOptions) (store.Store, error) {
			cfg := DefaultConfig(dir)
			cfg.ReadOnly, cfg.Retention, cfg.MaxBytes = o.ReadOnly, o.Retention, o.MaxBytes
			return Open(ctx, cfg, Deps{})
		},
	})
}

// ErrNoStore is returned when a read-only open finds no database.
var ErrNoStore = errors.New("no store")

// ErrReadOnly is returned by writes to a store opened read-only.
var ErrReadOnly = errors.New("store is read-only")

// Deps are the store's collaborators.
type Deps struct {
	// Logger receives the store's logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock of retention; nil means time.Now.
	Now func() time.Time
}

// Store is a DuckDB database with one writer and many readers.
type Store struct {
	cfg  Config
	deps Deps
	log  *slog.Logger
	path string
	db   *sql.DB
	cols []column

	// parts is the sorted list of day partitions (table names).
	pmu   sync.RWMutex
	parts []string

	// The writer side: mu serialises Append, Flush, Close and the timer.
	mu      sync.Mutex
	wconn   *sql.Conn
	plan    *stagePlan
	infos   []duckdb.ColumnInfo
	pending map[string]*batch // by partition
	npend   int
	free    []*batch
	scratch record.Value
	closed  bool
	stop    chan struct{}
	done    chan struct{}

	batches sync.Map // id → *batch, read by the table function
	nextID  atomic.Int64

	lastRetention time.Time
}

var _ store.Store = (*Store)(nil)

// Open opens the store in cfg.Dir, creating it unless cfg.ReadOnly.
func Open(ctx context.Context, cfg Config, deps Deps) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Store{cfg: cfg, deps: deps, log: deps.Logger.With("component", "store/duckdb"),
		path: filepath.Join(cfg.Dir, dbFile), cols: tableColumns(), pending: map[string]*batch{}}
	dsn := s.path
	if cfg.ReadOnly {
		if _, err := os.Stat(s.path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w in %s (write one with flowsift read --store %s FILE.pcap)", ErrNoStore, cfg.Dir, cfg.Dir)
		}
		dsn += "?access_mode=read_only"
	} else if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	connector, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		if cfg.Threads > 0 {
			_, err := execer.ExecContext(ctx, "SET threads = "+strconv.Itoa(cfg.Threads), nil)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.db = sql.OpenDB(connector)
	if err := s.init(ctx); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if !s.cfg.ReadOnly {
		if _, err := s.db.ExecContext(ctx, createTable(templateTable, s.cols)); err != nil {
			return fmt.Errorf("store: create schema: %w", err)
		}
	}
	if err := s.loadPartitions(ctx); err != nil {
		return err
	}
	if s.cfg.ReadOnly {
		return nil
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	var err error
	if s.wconn, err = s.db.Conn(ctx); err != nil {
		return fmt.Errorf("store: writer connection: %w", err)
	}
	s.plan = newStagePlan()
	if s.infos, err = s.plan.columnInfos(); err != nil {
		return fmt.Errorf("store: ingest function: %w", err)
	}
	err = duckdb.RegisterTableUDF(s.wconn, ingestFunc, duckdb.ChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{mustType(duckdb.TYPE_BIGINT)}},
		BindArguments: func(_ map[string]any, args ...any) (duckdb.ChunkTableSource, error) {
			id, _ := args[0].(int64)
			b, ok := s.batches.Load(id)
			if !ok {
				return nil, fmt.Errorf("no batch %d", id)
			}
			return &source{b: b.(*batch), infos: s.infos}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("store: register ingest function: %w", err)
	}
	if err := s.retain(ctx); err != nil {
		return err
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.flushLoop()
	return nil
}

func mustType(t duckdb.Type) duckdb.TypeInfo {
	info, err := duckdb.NewTypeInfo(t)
	if err != nil {
		panic(err)
	}
	return info
}

// loadPartitions reads the day tables from the catalog.
func (s *Store) loadPartitions(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx,
		"SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND starts_with(table_name, ?)", tablePrefix)
	if err != nil {
		return fmt.Errorf("store: list partitions: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var parts []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("store: list partitions: %w", err)
		}
		if _, ok := partitionDay(name); ok {
			parts = append(parts, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: list partitions: %w", err)
	}
	slices.Sort(parts)
	s.pmu.Lock()
	s.parts = parts
	s.pmu.Unlock()
	return nil
}

// migrate adds the columns of fields added to the schema since a table
// was created.
func (s *Store) migrate(ctx context.Context) error {
	tables := append([]string{templateTable}, s.partitions(time.Time{}, time.Time{})...)
	for _, t := range tables {
		have := map[string]bool{}
		rows, err := s.db.QueryContext(ctx, "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?", t)
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", t, err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				_ = rows.Close()
				return fmt.Errorf("store: migrate %s: %w", t, err)
			}
			have[c] = true
		}
		_ = rows.Close()
		_, kind, _ := parsePartition(t)
		for _, c := range kindColumns(s.cols, kind) {
			if have[c.name] {
				continue
			}
			if _, err := s.db.ExecContext(ctx, "ALTER TABLE "+quote(t)+" ADD COLUMN "+quote(c.name)+" "+c.sqlType); err != nil {
				return fmt.Errorf("store: migrate %s: %w", t, err)
			}
			s.log.Info("added column", "table", t, "column", c.name)
			if c.name == query.TextColumnName {
				// Records written before the search text existed get theirs
				// from the columns they have.
				expr := textExpr(query.ColumnName, func(f *record.Field) bool { return !have[query.ColumnName(f)] })
				if _, err := s.db.ExecContext(ctx, "UPDATE "+quote(t)+" SET "+quote(c.name)+" = "+expr); err != nil {
					return fmt.Errorf("store: migrate %s: search text: %w", t, err)
				}
			}
		}
	}
	return nil
}

// partitions returns the day tables overlapping [from, to); zero bounds
// are open.
func (s *Store) partitions(from, to time.Time) []string {
	s.pmu.RLock()
	defer s.pmu.RUnlock()
	var out []string
	for _, p := range s.parts {
		day, _ := partitionDay(p)
		if !from.IsZero() && !day.Add(24*time.Hour).After(from) {
			continue
		}
		if !to.IsZero() && !day.Before(to) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Append copies a batch into the write buffers, inserting them when they
// are full.
func (s *Store) Append(recs []record.Record) error {
	if s.cfg.ReadOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store: append after close")
	}
	now := s.deps.Now()
	for i := range recs {
		r := &recs[i]
		ts := r.Timestamp
		if ts.IsZero() {
			ts = now
		}
		name := partitionName(ts, tableKind(r.Event.Dataset))
		b := s.pending[name]
		if b == nil {
			if n := len(s.free); n > 0 {
				b, s.free = s.free[n-1], s.free[:n-1]
			} else {
				b = newBatch(s.plan)
			}
			b.first = time.Now()
			s.pending[name] = b
		}
		b.add(r, &s.scratch)
		s.npend++
		if s.npend >= s.cfg.BatchRows {
			if err := s.flushLocked(context.Background()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Flush inserts everything buffered.
func (s *Store) Flush() error {
	if s.cfg.ReadOnly {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked(context.Background())
}

func (s *Store) flushLoop() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.FlushInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			var err error
			old := false
			for _, b := range s.pending {
				old = old || time.Since(b.first) >= s.cfg.FlushInterval
			}
			if old {
				err = s.flushLocked(context.Background())
			}
			if err == nil && time.Since(s.lastRetention) > time.Minute {
				err = s.retain(context.Background())
			}
			s.mu.Unlock()
			if err != nil {
				s.log.Error("background flush failed", "error", err)
			}
		}
	}
}

func (s *Store) flushLocked(ctx context.Context) error {
	names := make([]string, 0, len(s.pending))
	for n := range s.pending {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		b := s.pending[name]
		if err := s.insert(ctx, name, b); err != nil {
			return err
		}
		delete(s.pending, name)
		s.npend -= b.n
		b.reset()
		s.free = append(s.free, b)
	}
	return nil
}

// insert writes one partition's batch with a single INSERT … SELECT from
// the ingest table function.
func (s *Store) insert(ctx context.Context, name string, b *batch) error {
	if err := s.ensurePartition(ctx, name); err != nil {
		return err
	}
	b.padAll()
	id := s.nextID.Add(1)
	s.batches.Store(id, b)
	defer s.batches.Delete(id)
	if _, err := s.wconn.ExecContext(ctx, fmt.Sprintf(s.plan.insert(b), quote(name)), id); err != nil {
		return fmt.Errorf("store: insert %d records into %s: %w", b.n, name, err)
	}
	return nil
}

func (s *Store) ensurePartition(ctx context.Context, name string) error {
	s.pmu.RLock()
	_, found := slices.BinarySearch(s.parts, name)
	s.pmu.RUnlock()
	if found {
		return nil
	}
	_, kind, _ := parsePartition(name)
	if _, err := s.wconn.ExecContext(ctx, createTable(name, kindColumns(s.cols, kind))); err != nil {
		return fmt.Errorf("store: create %s: %w", name, err)
	}
	s.pmu.Lock()
	i, found := slices.BinarySearch(s.parts, name)
	if !found {
		s.parts = slices.Insert(s.parts, i, name)
	}
	s.pmu.Unlock()
	return s.replaceView(ctx)
}

// replaceView points the records view at every partition, for ad-hoc SQL
// (duckdb flowsift.duckdb 'FROM records'); flowsift itself reads the
// partitions directly.
func (s *Store) replaceView(ctx context.Context) error {
	_, err := s.wconn.ExecContext(ctx, "CREATE OR REPLACE VIEW "+quote(viewName)+" AS "+s.fromParts(s.partitions(time.Time{}, time.Time{})))
	if err != nil {
		return fmt.Errorf("store: view: %w", err)
	}
	return nil
}

// fromParts returns a SELECT over the given tables.
func (s *Store) fromParts(parts []string) string {
	// The empty template has every column, first: the union has them all,
	// in schema order, whichever kinds of tables exist. BY NAME: the
	// tables of a kind have only its columns, and a read-only store may
	// hold tables from an older schema.
	var b strings.Builder
	b.WriteString("SELECT * FROM ")
	b.WriteString(quote(templateTable))
	for _, p := range parts {
		b.WriteString(" UNION ALL BY NAME SELECT * FROM ")
		b.WriteString(quote(p))
	}
	return b.String()
}

// DropBefore drops the day partitions that end at or before t and returns
// their names. The space is reused by later inserts; the file shrinks only
// with a full copy (not done here).
func (s *Store) DropBefore(ctx context.Context, t time.Time) ([]string, error) {
	if s.cfg.ReadOnly {
		return nil, ErrReadOnly
	}
	var drop []string
	s.pmu.RLock()
	for _, p := range s.parts {
		if day, _ := partitionDay(p); !day.Add(24 * time.Hour).After(t) {
			drop = append(drop, p)
		}
	}
	s.pmu.RUnlock()
	for _, p := range drop {
		if _, err := s.wconn.ExecContext(ctx, "DROP TABLE IF EXISTS "+quote(p)); err != nil {
			return nil, fmt.Errorf("store: drop %s: %w", p, err)
		}
		s.pmu.Lock()
		if i, ok := slices.BinarySearch(s.parts, p); ok {
			s.parts = slices.Delete(s.parts, i, i+1)
		}
		s.pmu.Unlock()
	}
	if len(drop) == 0 {
		return nil, nil
	}
	if err := s.replaceView(ctx); err != nil {
		return drop, err
	}
	if _, err := s.wconn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return drop, fmt.Errorf("store: checkpoint: %w", err)
	}
	return drop, nil
}

func (s *Store) retain(ctx context.Context) error {
	s.lastRetention = time.Now()
	if s.cfg.Retention > 0 {
		dropped, err := s.DropBefore(ctx, s.deps.Now().Add(-s.cfg.Retention))
		if len(dropped) > 0 {
			s.log.Info("retention dropped partitions", "partitions", dropped, "retention", s.cfg.Retention)
		}
		if err != nil {
			return err
		}
	}
	for s.cfg.MaxBytes > 0 {
		used, err := s.usedBytes(ctx)
		if err != nil {
			return err
		}
		parts := s.partitions(time.Time{}, time.Time{})
		if used <= s.cfg.MaxBytes || len(parts) == 0 {
			return nil
		}
		day, _ := partitionDay(parts[0])
		if last, _ := partitionDay(parts[len(parts)-1]); !last.After(day) {
			return nil // one day left: the newest always stays
		}
		dropped, err := s.DropBefore(ctx, day.Add(24*time.Hour))
		s.log.Info("size bound dropped partitions", "partitions", dropped, "used_bytes", used, "max_bytes", s.cfg.MaxBytes)
		if err != nil {
			return err
		}
	}
	return nil
}

// usedBytes returns the space the database uses: its used blocks and
// its write-ahead log.
func (s *Store) usedBytes(ctx context.Context) (int64, error) {
	var used, block int64
	var wal string
	q := "SELECT used_blocks, block_size, wal_size FROM pragma_database_size() WHERE database_name = current_database()"
	if err := s.wconn.QueryRowContext(ctx, q).Scan(&used, &block, &wal); err != nil {
		return 0, fmt.Errorf("store: database size: %w", err)
	}
	n := used * block
	if fi, err := os.Stat(s.path + ".wal"); err == nil {
		n += fi.Size()
	}
	return n, nil
}

// Close flushes the buffers and closes the database.
func (s *Store) Close() error {
	var errs []error
	if !s.cfg.ReadOnly {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil
		}
		s.closed = true
		errs = append(errs, s.flushLocked(context.Background()))
		// A batch job (flowsift read --store) ends within the bounds too.
		errs = append(errs, s.retain(context.Background()))
		s.mu.Unlock()
		close(s.stop)
		<-s.done
		errs = append(errs, s.wconn.Close())
	}
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

// Stats reports records, partitions, time span and bytes on disk.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	var st store.Stats
	parts := s.partitions(time.Time{}, time.Time{})
	days := map[time.Time]bool{}
	for _, p := range parts {
		d, _ := partitionDay(p)
		days[d] = true
	}
	st.Partitions = len(days)
	q := "SELECT count(*), min(" + quote("timestamp") + "), max(" + quote("timestamp") + ") FROM (" + s.fromParts(parts) + ")"
	var oldest, newest sql.NullTime
	if err := s.db.QueryRowContext(ctx, q).Scan(&st.Records, &oldest, &newest); err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	st.Oldest, st.Newest = oldest.Time, newest.Time
	for _, p := range []string{s.path, s.path + ".wal"} {
		if fi, err := os.Stat(p); err == nil {
			st.Bytes += fi.Size()
		}
	}
	return st, nil
}
