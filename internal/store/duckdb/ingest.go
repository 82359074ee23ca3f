package duckdb

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/flowsift/flowsift/internal/query"
	"github.com/flowsift/flowsift/internal/record"
)

// stageKind is how one staged column is held in Go and handed to DuckDB.
type stageKind uint8

const (
	stageString  stageKind = iota + 1 // VARCHAR from a byte arena
	stageInt                          // BIGINT
	stageUint                         // UBIGINT (halves of IP numbers)
	stageBool                         // BOOLEAN
	stageTime                         // TIMESTAMP
	stageStrList                      // VARCHAR[]
)

// stageCol is one column of the table function that feeds inserts.
type stageCol struct {
	name string
	kind stageKind
}

// stagePlan maps the schema to staged columns and the SELECT list that
// turns them into a records table row.
type stagePlan struct {
	cols   []stageCol
	fields []stageField
	sel    []selItem // one per records table column

	stageOf map[*record.Field]int // a field's first staged column

	mu      sync.Mutex
	inserts map[string]string // by the mask of staged columns with values

	byDataset sync.Map // record.Dataset → []stageField: the fields its records carry
}

// fieldsFor returns the staged fields records of dataset ds carry; the
// other columns get no entry for them (see batch.pad).
func (p *stagePlan) fieldsFor(ds record.Dataset) []stageField {
	if ds.IsLog() { // every log dataset carries the same fields
		ds = record.DatasetLogs
	}
	if fs, ok := p.byDataset.Load(ds); ok {
		return fs.([]stageField)
	}
	var fs []stageField
	for _, sf := range p.fields {
		if sf.f.AppliesTo(ds) {
			fs = append(fs, sf)
		}
	}
	p.byDataset.Store(ds, fs)
	return fs
}

// selItem is one column of the INSERT's SELECT list: expr reads staged
// column stage; null replaces it when no record of the batch has a value
// there, so DuckDB neither asks the table function for that column nor
// appends it value by value.
type selItem struct {
	col        string // the records table column
	expr, null string
	stage      int
}

// stageField says where field f's value goes.
type stageField struct {
	f   *record.Field
	col int // first staged column
}

const ingestFunc = "flowsift_ingest"

func newStagePlan() *stagePlan {
	p := &stagePlan{inserts: map[string]string{}, stageOf: map[*record.Field]int{}}
	for i := range record.Fields {
		f := &record.Fields[i]
		name := query.ColumnName(f)
		at := len(p.cols)
		p.stageOf[f] = at
		p.fields = append(p.fields, stageField{f: f, col: at})
		item := selItem{col: name, expr: quote(name), null: "CAST(NULL AS " + sqlType(f.Type) + ")", stage: at}
		switch f.Type {
		case record.TypeString, record.TypeMAC:
			p.cols = append(p.cols, stageCol{name, stageString})
		case record.TypeInt:
			p.cols = append(p.cols, stageCol{name, stageInt})
		case record.TypeBool:
			p.cols = append(p.cols, stageCol{name, stageBool})
		case record.TypeTime:
			p.cols = append(p.cols, stageCol{name, stageTime})
		case record.TypeIP:
			hi, lo := name+"__hi", name+"__lo"
			p.cols = append(p.cols, stageCol{name, stageString}, stageCol{hi, stageUint}, stageCol{lo, stageUint})
			p.sel = append(p.sel, item)
			item = selItem{col: query.IPNumColumnName(f), expr: "(CAST(" + quote(hi) + " AS UHUGEINT) << 64) | CAST(" + quote(lo) + " AS UHUGEINT)",
				null: "CAST(NULL AS UHUGEINT)", stage: at}
		case record.TypeIntList:
			// The text of the list ("[1,2,3]"): one string per row instead of
			// a child vector resize per row.
			p.cols = append(p.cols, stageCol{name, stageString})
			item.expr = "CAST(" + quote(name) + " AS INTEGER[])"
		case record.TypeStringList:
			p.cols = append(p.cols, stageCol{name, stageStrList})
		default:
			panic(fmt.Sprintf("duckdb: no staging for %s (%s)", f.Name, f.Type))
		}
		p.sel = append(p.sel, item)
	}
	return p
}

// insert returns the INSERT of a batch into table %s, by name: the
// columns some record of the batch has, and the search text; the table's
// other columns are left NULL. Batches of one kind of record share a
// statement, so the statements are kept.
func (p *stagePlan) insert(b *batch) string {
	mask := make([]byte, len(b.cols))
	for i := range b.cols {
		if b.cols[i].any {
			mask[i] = 1
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if q, ok := p.inserts[string(mask)]; ok {
		return q
	}
	var sel []string
	for _, it := range p.sel {
		if mask[it.stage] == 1 {
			sel = append(sel, it.expr+" AS "+quote(it.col))
		}
	}
	sel = append(sel, textExpr(query.ColumnName, func(f *record.Field) bool { return mask[p.stageOf[f]] == 0 })+
		" AS "+quote(query.TextColumnName))
	q := "INSERT INTO %s BY NAME SELECT " + strings.Join(sel, ", ") + " FROM " + ingestFunc + "(?)"
	if len(p.inserts) < 1024 {
		p.inserts[string(mask)] = q
	}
	return q
}

// columnInfos returns the table function's output columns.
func (p *stagePlan) columnInfos() ([]duckdb.ColumnInfo, error) {
	infos := make([]duckdb.ColumnInfo, len(p.cols))
	for i, c := range p.cols {
		var t duckdb.TypeInfo
		var err error
		switch c.kind {
		case stageString:
			t, err = duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
		case stageInt:
			t, err = duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
		case stageUint:
			t, err = duckdb.NewTypeInfo(duckdb.TYPE_UBIGINT)
		case stageBool:
			t, err = duckdb.NewTypeInfo(duckdb.TYPE_BOOLEAN)
		case stageTime:
			t, err = duckdb.NewTypeInfo(duckdb.TYPE_TIMESTAMP)
		case stageStrList:
			var child duckdb.TypeInfo
			if child, err = duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR); err == nil {
				t, err = duckdb.NewListInfo(child)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
		infos[i] = duckdb.ColumnInfo{Name: c.name, T: t}
	}
	return infos, nil
}

// colBuf holds one staged column of a batch. Only the slice of its kind
// is used; strings are copied into one arena so that nothing refers to the
// caller's memory.
type colBuf struct {
	any   bool // some record has a value here
	valid []bool
	ints  []int64
	uints []uint64
	bools []bool
	times []time.Time
	arena []byte
	ends  []uint32 // end offset of each string in arena
	lists [][]string
}

// batch is records of one partition in columns.
type batch struct {
	plan  *stagePlan
	n     int
	cols  []colBuf
	first time.Time // when the oldest buffered record arrived
}

func newBatch(p *stagePlan) *batch {
	return &batch{plan: p, cols: make([]colBuf, len(p.cols))}
}

func (b *batch) reset() {
	b.n = 0
	for i := range b.cols {
		c := &b.cols[i]
		*c = colBuf{valid: c.valid[:0], ints: c.ints[:0], uints: c.uints[:0], bools: c.bools[:0],
			times: c.times[:0], arena: c.arena[:0], ends: c.ends[:0], lists: c.lists[:0]}
	}
}

// pad gives column ci an (invalid) entry for every row before row n: a
// column only gets entries from the records that carry its field, so a
// batch whose records are of several datasets fills it up here.
func (b *batch) pad(ci, n int) {
	c := &b.cols[ci]
	for len(c.valid) < n {
		c.valid = append(c.valid, false)
		switch b.plan.cols[ci].kind {
		case stageString:
			c.ends = append(c.ends, uint32(len(c.arena))) //nolint:gosec // a batch arena stays far below 4 GiB
		case stageInt:
			c.ints = append(c.ints, 0)
		case stageUint:
			c.uints = append(c.uints, 0)
		case stageBool:
			c.bools = append(c.bools, false)
		case stageTime:
			c.times = append(c.times, time.Time{})
		case stageStrList:
			c.lists = append(c.lists, nil)
		}
	}
}

// padAll pads every column that has values to the batch's rows, before
// the batch is read.
func (b *batch) padAll() {
	for ci := range b.cols {
		if b.cols[ci].any {
			b.pad(ci, b.n)
		}
	}
}

// add copies r into the columns of the fields its dataset carries; v is
// scratch.
func (b *batch) add(r *record.Record, v *record.Value) {
	for _, sf := range b.plan.fieldsFor(r.Event.Dataset) {
		f := sf.f
		b.pad(sf.col, b.n)
		if f.Type == record.TypeIP {
			b.pad(sf.col+1, b.n)
			b.pad(sf.col+2, b.n)
		}
		ok := f.Get(r, v)
		c := &b.cols[sf.col]
		switch b.plan.cols[sf.col].kind {
		case stageString:
			switch {
			case !ok:
			case f.Type == record.TypeString:
				c.arena = append(c.arena, v.Str...)
			case f.Type == record.TypeMAC:
				c.arena = appendMAC(c.arena, v.MAC)
			case f.Type == record.TypeIP:
				c.arena = v.IP.AppendTo(c.arena)
			case f.Type == record.TypeIntList:
				if len(v.Ints) == 0 {
					ok = false
					break
				}
				c.arena = append(c.arena, '[')
				for i, x := range v.Ints {
					if i > 0 {
						c.arena = append(c.arena, ',')
					}
					c.arena = strconv.AppendInt(c.arena, int64(x), 10)
				}
				c.arena = append(c.arena, ']')
			}
			c.ends = append(c.ends, uint32(len(c.arena))) //nolint:gosec // a batch arena stays far below 4 GiB
			if f.Type == record.TypeIP {
				hi, lo := &b.cols[sf.col+1], &b.cols[sf.col+2]
				var h, l uint64
				if ok {
					a := v.IP.As16()
					for i := range 8 {
						h = h<<8 | uint64(a[i])
						l = l<<8 | uint64(a[8+i])
					}
				}
				hi.uints, hi.valid = append(hi.uints, h), append(hi.valid, ok)
				lo.uints, lo.valid = append(lo.uints, l), append(lo.valid, ok)
				hi.any, lo.any = hi.any || ok, lo.any || ok
			}
		case stageInt:
			c.ints = append(c.ints, v.Int)
		case stageBool:
			c.bools = append(c.bools, v.Bool)
		case stageTime:
			c.times = append(c.times, v.Time)
		case stageStrList:
			var l []string
			if ok && len(v.Strs) > 0 {
				l = make([]string, len(v.Strs))
				for i, s := range v.Strs {
					l[i] = strings.Clone(s)
				}
			} else {
				ok = false
			}
			c.lists = append(c.lists, l)
		}
		c.valid = append(c.valid, ok)
		c.any = c.any || ok
		// A fresh value each time: list getters may point v at the
		// record's own slices, and a later getter appending to v.Ints[:0]
		// would then write into the record.
		*v = record.Value{}
	}
	b.n++
}

const upperHex = "0123456789ABCDEF"

func appendMAC(dst []byte, m [6]byte) []byte {
	for i, b := range m {
		if i > 0 {
			dst = append(dst, '-')
		}
		dst = append(dst, upperHex[b>>4], upperHex[b&15])
	}
	return dst
}

// source feeds one batch to DuckDB, a data chunk at a time.
type source struct {
	b     *batch
	infos []duckdb.ColumnInfo
	pos   int
}

var _ duckdb.ChunkTableSource = (*source)(nil)

func (s *source) ColumnInfos() []duckdb.ColumnInfo { return s.infos }

func (s *source) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(s.b.n), Exact: true} //nolint:gosec // n is non-negative
}

func (s *source) Init() {}

// FillChunk copies the next rows into the chunk, column by column.
func (s *source) FillChunk(ch duckdb.DataChunk) error {
	n := min(s.b.n-s.pos, duckdb.GetDataChunkCapacity())
	for ci := range s.b.cols {
		if !s.b.cols[ci].any {
			continue // not in the INSERT's SELECT list, so not projected
		}
		if err := s.fillColumn(ch, ci, n); err != nil {
			return fmt.Errorf("column %s: %w", s.b.plan.cols[ci].name, err)
		}
	}
	s.pos += n
	return ch.SetSize(n)
}

func (s *source) fillColumn(ch duckdb.DataChunk, ci, n int) error {
	c := &s.b.cols[ci]
	var err error
	for r := range n {
		i := s.pos + r
		if !c.valid[i] {
			err = duckdb.SetChunkValue[any](ch, ci, r, nil)
		} else {
			switch s.b.plan.cols[ci].kind {
			case stageString:
				start := uint32(0)
				if i > 0 {
					start = c.ends[i-1]
				}
				err = duckdb.SetChunkValue(ch, ci, r, c.arena[start:c.ends[i]])
			case stageInt:
				err = duckdb.SetChunkValue(ch, ci, r, c.ints[i])
			case stageUint:
				err = duckdb.SetChunkValue(ch, ci, r, c.uints[i])
			case stageBool:
				err = duckdb.SetChunkValue(ch, ci, r, c.bools[i])
			case stageTime:
				err = duckdb.SetChunkValue(ch, ci, r, c.times[i])
			case stageStrList:
				err = duckdb.SetChunkValue(ch, ci, r, c.lists[i])
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
