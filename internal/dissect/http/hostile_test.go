package http_test

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/http"
)

func newConn(t testing.TB) *http.Conn {
	c, err := http.New(http.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestKeepAlivePipelining(t *testing.T) {
	c := newConn(t)
	_ = c.Client([]byte("GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: ua\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n" +
		"HEAD /b HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
	resp := "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello" +
		"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n" +
		"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n2\r\nef\r\n0\r\nT: v\r\n\r\n"
	for i := range len(resp) { // byte by byte
		if err := c.Server([]byte{resp[i]}); err != nil {
			t.Fatal(err)
		}
	}
	tx := c.Close()
	if len(tx) != 3 {
		t.Fatalf("%d transactions", len(tx))
	}
	if r := tx[0]; r.Request.URI != "/a" || r.Request.XForwardedFor != "1.2.3.4" || r.Response.StatusCode != 200 ||
		r.Response.InfoCode != 100 || r.Response.BodyLen != 5 || r.Response.ContentType != "text/plain" {
		t.Fatalf("0: %+v %+v", r.Request, r.Response)
	}
	if r := tx[1]; r.Request.Method != "HEAD" || r.Response.BodyLen != 0 {
		t.Fatalf("1: %+v %+v", r.Request, r.Response)
	}
	if r := tx[2]; r.Request.BodyLen != 3 || r.Response.StatusCode != 201 || r.Response.BodyLen != 6 {
		t.Fatalf("2: %+v %+v", r.Request, r.Response)
	}
}

func TestHugeHeader(t *testing.T) {
	c := newConn(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_ = c.Client([]byte("GET / HTTP/1.1\r\nX-Big: "))
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	var err error
	for i := 0; i < 160 && err == nil; i++ { // 10 MB
		err = c.Client(chunk)
	}
	runtime.ReadMemStats(&after)
	if !errors.Is(err, http.ErrTooLarge) || c.Stats().TooLarge != 1 {
		t.Fatalf("err %v stats %+v", err, c.Stats())
	}
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 1<<20 {
		t.Fatalf("heap grew %d bytes", grew)
	}
}

func TestHeaderWithoutEnd(t *testing.T) {
	c := newConn(t)
	if err := c.Client([]byte("GET / HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	tx := c.Close()
	if len(tx) != 0 {
		t.Fatalf("%+v", tx)
	}
}

func TestInvalidChunkSizes(t *testing.T) {
	for _, size := range []string{"zz", "-1", "ffffffffffffffffff", "", "1 2"} {
		c := newConn(t)
		_ = c.Client([]byte("GET / HTTP/1.1\r\n\r\n"))
		err := c.Server([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nxx"))
		if !errors.Is(err, http.ErrMalformed) || c.Stats().Malformed != 1 {
			t.Errorf("size %q: %v", size, err)
		}
	}
	c := newConn(t)
	_ = c.Client([]byte("GET / HTTP/1.1\r\n\r\n"))
	err := c.Server(append([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), bytes.Repeat([]byte("1"), 4096)...))
	if !errors.Is(err, http.ErrTooLarge) {
		t.Errorf("long chunk line: %v", err)
	}
}

func TestConnectEndsParsing(t *testing.T) {
	c := newConn(t)
	_ = c.Client([]byte("CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n\x16\x03\x01garbage"))
	_ = c.Server([]byte("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03more"))
	tx := c.Close()
	if !c.Tunnel() || len(tx) != 1 || tx[0].Response.StatusCode != 200 {
		t.Fatalf("%v %+v", c.Tunnel(), tx)
	}
}
