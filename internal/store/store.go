package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
)

// Writer appends records to a store. It is used by one goroutine at a time
// (the [Sink] adapter serialises callers).
type Writer interface {
	// Append stores a batch. The writer copies what it needs before it
	// returns: the caller may reuse the batch and the slices inside its
	// records. Records may be buffered until Flush or Close; they are
	// searchable after that.
	Append(batch []record.Record) error
	// Flush makes every appended record durable and searchable.
	Flush() error
	// Close flushes and releases the writer.
	Close() error
}

// Reader searches a store. All its methods are safe for concurrent use,
// also while a Writer appends.
type Reader interface {
	// Search returns the matching records, newest first. The caller must
	// Close the rows.
	Search(ctx context.Context, req SearchRequest) (Rows, error)
	// Count returns the number of matching records.
	Count(ctx context.Context, req SearchRequest) (int64, error)
	// Top returns the n most frequent value combinations of fields among
	// the matching records, most frequent first.
	Top(ctx context.Context, req SearchRequest, fields []*record.Field, n int) ([]TopRow, error)
	// Histogram counts the matching records per interval of @timestamp,
	// oldest first; empty intervals are left out.
	Histogram(ctx context.Context, req SearchRequest, interval time.Duration) ([]Bucket, error)
	// TopSum is Top ordered by the sum of the numeric field sum over each
	// combination (top talkers by bytes); TopRow.Sum holds it.
	TopSum(ctx context.Context, req SearchRequest, fields []*record.Field, sum *record.Field, n int) ([]TopRow, error)
	// Sum adds up the numeric field f over the matching records.
	Sum(ctx context.Context, req SearchRequest, f *record.Field) (int64, error)
	// Distinct counts the distinct values of f among the matching records
	// (absent is not a value).
	Distinct(ctx context.Context, req SearchRequest, f *record.Field) (int64, error)
	// ExportParquet writes the matching records (req.Fields, or every
	// field) as one Parquet file at path, replacing it, with the schema's
	// field names as column names; it returns the number written.
	ExportParquet(ctx context.Context, req SearchRequest, path string) (int64, error)
}

// SearchRequest says which records a read is about.
type SearchRequest struct {
	// Query is the parsed search (query.Parse); nil matches every record.
	Query query.Node
	// Tenant scopes the search; it is required.
	Tenant string
	// From and To, when not zero, keep From <= @timestamp < To.
	From, To time.Time
	// Fields are the fields Search returns, in this order; nil means every
	// field of the schema.
	Fields []*record.Field
	// Limit caps the records Search returns; 0 means DefaultLimit and
	// NoLimit every matching record.
	Limit int
	// Oldest lists the oldest records first (exports); the default is
	// newest first.
	Oldest bool
	// After, when set, lists only the records that come after this one in
	// the listing's order: the next page of a search.
	After *Cursor
}

// Cursor names a record's place in a listing: its @timestamp (as the
// store keeps it, to the microsecond) and event.id.
type Cursor struct {
	Time time.Time
	ID   string
}

// DefaultLimit is the number of records a search returns when the request
// names no limit.
const DefaultLimit = 100

// NoLimit as SearchRequest.Limit returns every matching record.
const NoLimit = -1

// Options returns the compile options of the request for dialect d.
func (r *SearchRequest) Options(d query.Dialect) query.Options {
	return query.Options{Tenant: r.Tenant, From: r.From, To: r.To, Dialect: d}
}

// Rows iterates over search results, like database/sql's Rows.
type Rows interface {
	// Next advances to the next row and reports whether there is one.
	Next() bool
	// Row returns the current row. It is valid until the next call to
	// Next; copy what you keep.
	Row() *Row
	// Err returns the error that ended the iteration, if any.
	Err() error
	// Close releases the rows; it is safe to call more than once.
	Close() error
}

// Row is one record read back from a store: the values of the requested
// fields.
type Row struct {
	Fields  []*record.Field
	Values  []record.Value
	Present []bool // Present[i] is false when the record lacks Fields[i]
}

// TopRow is one line of a top-values aggregation. Values holds one value
// per requested field, nil where the records lack the field; the Go types
// are string, int64, bool, time.Time or []any.
type TopRow struct {
	Values []any
	Count  int64
	Sum    int64 // TopSum only
}

// Bucket is one interval of a time histogram.
type Bucket struct {
	Start time.Time
	Count int64
}

// Stats describes what a store holds.
type Stats struct {
	Records    int64
	Bytes      int64     // on disk
	Partitions int       // days held
	Oldest     time.Time // @timestamp of the oldest record, zero when empty
	Newest     time.Time
}

// Registration describes one store implementation.
type Registration struct {
	// Name is how config and flags select the store, e.g. "duckdb".
	Name string
	// Doc is one sentence for --help.
	Doc string
	// Open opens or creates the store at location (a data directory for
	// embedded stores, a URL for servers).
	Open func(ctx context.Context, location string, opts OpenOptions) (Store, error)
}

// OpenOptions are the settings shared by every store.
type OpenOptions struct {
	// ReadOnly opens the store for reading only.
	ReadOnly bool
	// Retention drops records older than this; 0 keeps everything.
	Retention time.Duration
	// MaxBytes drops the oldest records while the store uses more space
	// than this; 0: no bound.
	MaxBytes int64
}

// Store is a Writer and a Reader over the same records.
type Store interface {
	Writer
	Reader
	// Stats reports the store's size.
	Stats(ctx context.Context) (Stats, error)
}

var (
	regMu    sync.RWMutex
	registry = map[string]Registration{}
)

// Register makes a store implementation available by name. It panics on an
// empty or duplicate name; call it from init.
func Register(r Registration) {
	regMu.Lock()
	defer regMu.Unlock()
	if r.Name == "" || r.Open == nil {
		panic("store: Register with an empty name or no Open")
	}
	if _, dup := registry[r.Name]; dup {
		panic("store: duplicate registration of " + r.Name)
	}
	registry[r.Name] = r
}

// ErrUnknown is returned by Lookup for a name nobody registered.
var ErrUnknown = errors.New("unknown store")

// Lookup returns the registration of name; the error lists the known
// names.
func Lookup(name string) (Registration, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	if r, ok := registry[name]; ok {
		return r, nil
	}
	return Registration{}, fmt.Errorf("%w %q (known: %s)", ErrUnknown, name, strings.Join(names(), ", "))
}

// Names returns the registered store names, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	return names()
}

func names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
