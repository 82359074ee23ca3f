package ftp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSession(t *testing.T) {
	s := NewSession(DefaultConfig())
	steps := []struct{ srv, cli string }{
		{"220-Welcome\r\n  text line\r\n220 ready\r\n", "USER bob\r\n"},
		{"331 pass?\r\n", "PASS secret\r\n"},
		{"230 ok\r\n", "PWD\r\n"},
		{"257 \"/home/bob\" is cwd\r\n", "CWD data/../in\r\n"},
		{"250 ok\r\n", "PASV\r\n"},
		{"227 Entering Passive Mode (10,0,0,1,4,1).\r\n", "RETR a.txt\r\n"},
		{"150 opening\r\n226 done\r\n", "EPSV\r\n"},
		{"229 Entering Extended Passive Mode (|||6446|)\r\n", "PORT 10,0,0,2,0,20\r\nEPRT |2|2001:db8::1|5282|\r\n"},
		{"200 ok\r\n200 ok\r\n", "CDUP\r\nSTOR /tmp/x\r\n"},
		{"250 ok\r\n", "AUTH TLS\r\n"},
		{"226 stored\r\n234 go\r\n", "\x16\x03\x01"},
	}
	for _, st := range steps {
		if err := s.FeedServer([]byte(st.srv)); err != nil {
			t.Fatal(err)
		}
		if err := s.FeedClient([]byte(st.cli)); err != nil {
			t.Fatal(err)
		}
	}
	got := s.Close()
	a := netip.MustParseAddr
	want := []Command{
		{Command: "USER", Arg: "bob", ReplyCode: 331, ReplyMsg: "pass?"},
		{Command: "PASS", ReplyCode: 230, ReplyMsg: "ok"},
		{Command: "PWD", ReplyCode: 257, ReplyMsg: "\"/home/bob\" is cwd"},
		{Command: "CWD", Arg: "data/../in", ReplyCode: 250, ReplyMsg: "ok"},
		{Command: "PASV", ReplyCode: 227, ReplyMsg: "Entering Passive Mode (10,0,0,1,4,1).", DataChannel: &DataChannel{Passive: true, Addr: a("10.0.0.1"), Port: 1025}},
		{Command: "RETR", Arg: "a.txt", Path: "/home/bob/in/a.txt", ReplyCode: 226, ReplyMsg: "done"},
		{Command: "EPSV", ReplyCode: 229, ReplyMsg: "Entering Extended Passive Mode (|||6446|)", DataChannel: &DataChannel{Passive: true, Port: 6446}},
		{Command: "PORT", Arg: "10,0,0,2,0,20", ReplyCode: 200, ReplyMsg: "ok", DataChannel: &DataChannel{Addr: a("10.0.0.2"), Port: 20}},
		{Command: "EPRT", Arg: "|2|2001:db8::1|5282|", ReplyCode: 200, ReplyMsg: "ok", DataChannel: &DataChannel{Addr: a("2001:db8::1"), Port: 5282}},
		{Command: "CDUP", ReplyCode: 250, ReplyMsg: "ok"},
		{Command: "STOR", Arg: "/tmp/x", Path: "/tmp/x", ReplyCode: 226, ReplyMsg: "stored"},
		{Command: "AUTH", Arg: "TLS", ReplyCode: 234, ReplyMsg: "go"},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s.User != "bob" || s.Cwd != "/home/bob" || !s.TLS || s.GreetingCode != 220 || s.Greeting != "ready" {
		t.Errorf("user %q cwd %q tls %v greeting %d %q", s.User, s.Cwd, s.TLS, s.GreetingCode, s.Greeting)
	}
	if ap := want[6].DataChannel.AddrPort(a("192.0.2.7")); ap.String() != "192.0.2.7:6446" {
		t.Errorf("epsv endpoint %s", ap)
	}
}

func TestLostReply(t *testing.T) {
	s := NewSession(DefaultConfig())
	_ = s.FeedServer([]byte("220 hi\r\n"))
	_ = s.FeedClient([]byte("CWD a\r\nTYPE I\r\nPASV\r\n"))
	_ = s.FeedServer([]byte("227 (1,2,3,4,0,21)\r\n")) // 250 and 200 were lost
	got := s.Drain()
	if len(got) != 3 || got[0].ReplyCode != 0 || got[2].DataChannel == nil || s.Cwd != "./a" {
		t.Fatalf("cwd %q %+v", s.Cwd, got)
	}
}

func TestErrors(t *testing.T) {
	s := NewSession(DefaultConfig())
	for _, tc := range []struct {
		name   string
		client bool
		in     string
		want   error
	}{
		{"bad port", true, "PORT 1,2,3\r\n", ErrMalformed},
		{"bad eprt", true, "EPRT |1|nope|21|\r\n", ErrMalformed},
		{"bad reply", false, "hello\r\n", ErrMalformed},
		{"bad pasv", false, "227 nothing here\r\n", ErrMalformed},
		{"long line", true, strings.Repeat("x", 5000), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.client {
				err = s.FeedClient([]byte(tc.in))
			} else {
				_ = s.FeedClient([]byte("PASV\r\n"))
				err = s.FeedServer([]byte(tc.in))
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if DefaultConfig().Validate() != nil || (Config{}).Validate() == nil {
		t.Error("validate")
	}
}
