package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/store"
)

// FuzzRequest feeds hostile query strings to the parameter parsing every
// read shares (query, time range, fields, limit, cursor): the result is a
// request or a 400 that says what is wrong, never a panic.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{
		"q=destination.port:443&limit=5", "q=(((&since=-1h", "from=2026-11-02T00:00:00Z&to=x", "fields=source.ip,,nosuch",
		"cursor=MTMwMDQ3NTE2ODkwMjYzNSwwMTVW", "cursor=%FF%FE", "limit=99999999999999999999", "q=%22%27%3B+DROP+TABLE+x%3B+--%22",
	} {
		f.Add(s)
	}
	s := &Server{cfg: Config{MaxLimit: 10_000}}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/search", nil)
		r.URL.RawQuery = raw
		check := func(err error) {
			var ae *apiError
			if err != nil && (!errors.As(err, &ae) || ae.status != http.StatusBadRequest || ae.msg == "") {
				t.Fatalf("%q: error %v is not a bad request with a message", raw, err)
			}
		}
		_, err := s.request(r)
		check(err)
		_, err = intParam(r, "limit", 100, 1, s.cfg.MaxLimit)
		check(err)
		if c := r.URL.Query().Get("cursor"); c != "" {
			_, err = decodeCursor(c)
			check(err)
		}
		// Any record's place round-trips through a cursor.
		in := store.Cursor{Time: time.UnixMicro(int64(len(raw)) * 1_000_003).UTC(), ID: "x" + raw}
		if c, err := decodeCursor(encodeCursor(in)); err != nil || *c != in {
			t.Fatalf("cursor %+v does not round-trip: %+v %v", in, c, err)
		}
	})
}

// FuzzFromJSON feeds the client arbitrary JSON records as a server might
// send them: every field converts or is absent, never a panic.
func FuzzFromJSON(f *testing.F) {
	f.Add([]byte(`{"source":{"ip":"10.0.0.1","port":80,"mac":"00-11-22-33-44-55"},"flow":{"pattern":{"sizes":[60,1500]}},"@timestamp":"2026-11-01T00:00:00Z"}`))
	f.Add([]byte(`{"source":{"ip":7,"port":"x","mac":"zz"},"flow":{"pattern":{"sizes":["a",1e99]}},"@timestamp":5}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if d.Decode(&m) != nil {
			return
		}
		for i := range record.Fields {
			var v record.Value
			fromJSON(&record.Fields[i], lookup(m, record.Fields[i].Name), &v)
		}
	})
}
