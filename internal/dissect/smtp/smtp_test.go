package smtp

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// converse feeds alternating server and client chunks.
func converse(t *testing.T, s *Session, parts ...string) {
	t.Helper()
	for i, p := range parts {
		var err error
		if i%2 == 0 {
			err = s.FeedServer([]byte(p))
		} else {
			err = s.FeedClient([]byte(p))
		}
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
}

func TestSession(t *testing.T) {
	s := NewSession(DefaultConfig())
	converse(t, s,
		"220 mx.example.org ESMTP\r\n", "EHLO client.example\r\n",
		"250-mx.example.org\r\n250 PIPELINING\r\n", "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
		"235 ok\r\n", "MAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n",
		"250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n", "From: A <a@example.org>\r\nTo: b@example.org,\r\n c@example.org\r\nSubject: hi\r\n\tthere\r\nX-Mailer: m1\r\n\r\n..body\r\n.\r\n",
		"250 queued\r\n", "MAIL FROM:<x@example.org>\r\nRSET\r\n",
		"250 ok\r\n250 reset\r\n", "STARTTLS\r\n",
		"220 go ahead\r\n", "\x16\x03\x01garbage",
	)
	txns := s.Close()
	want := []Transaction{
		{Depth: 1, Helo: "client.example", MailFrom: "a@example.org", RcptTo: []string{"b@example.org", "c@example.org"},
			Headers:      Headers{From: "A <a@example.org>", To: []string{"b@example.org", "c@example.org"}, Subject: "hi there", UserAgent: "m1"},
			ContentBytes: 105, Complete: true, LastReply: Reply{250, "queued"}},
		{Depth: 2, Helo: "client.example", MailFrom: "x@example.org"}, // RSET ended it before the replies came
	}
	if diff := cmp.Diff(want, txns); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !s.StartTLS || s.AuthUser != "alice" || s.ServerName != "mx.example.org" || s.LastReply.String() != "220 go ahead" {
		t.Errorf("starttls %v user %q server %q last %q", s.StartTLS, s.AuthUser, s.ServerName, s.LastReply)
	}
}

func TestBDATAndLogin(t *testing.T) {
	s := NewSession(DefaultConfig())
	body := "Subject: chunked\r\n\r\nbody"
	converse(t, s,
		"220 x\r\n", "AUTH LOGIN\r\n",
		"334 VXNlcm5hbWU6\r\n", "Ym9i\r\n",
		"334 UGFzc3dvcmQ6\r\n", "cGFzcw==\r\n",
		"235 ok\r\n", "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 10\r\n"+body[:10],
		"250 ok\r\n250 ok\r\n250 ok\r\n", "BDAT 14 LAST\r\n"+body[10:],
		"250 done\r\n", "QUIT\r\n",
	)
	txns := s.Close()
	if len(txns) != 1 || txns[0].Headers.Subject != "chunked" || !txns[0].Complete || txns[0].ContentBytes != 24 {
		t.Fatalf("%+v", txns)
	}
	if s.AuthUser != "bob" {
		t.Errorf("user %q", s.AuthUser)
	}
}

func TestRejectedData(t *testing.T) {
	s := NewSession(DefaultConfig())
	converse(t, s, "220 x\r\n", "MAIL FROM:<a@b>\r\nDATA\r\n", "250 ok\r\n554 no recipients\r\n", "MAIL FROM:<c@d>\r\n", "250 ok\r\n", "")
	txns := s.Close()
	if len(txns) != 2 || txns[1].MailFrom != "c@d" {
		t.Fatalf("%+v", txns)
	}
}

func TestBounds(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxTransactions = 2
	s := NewSession(cfg)
	err := s.FeedClient([]byte(strings.Repeat("A", cfg.MaxLineLen+1)))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("long line: %v", err)
	}
	if err := s.FeedClient([]byte("still long\r\nHELO ok\r\n")); err != nil || s.Helo != "ok" {
		t.Fatalf("resync: %v helo %q", err, s.Helo)
	}
	for range 5 {
		_ = s.FeedClient([]byte("MAIL FROM:<a@b>\r\n"))
	}
	if s.Dropped != 2 || len(s.Close()) != 2 {
		t.Errorf("dropped %d", s.Dropped)
	}
	if err := s.FeedServer([]byte("2x0 bad\r\n")); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad reply: %v", err)
	}
	if err := s.FeedClient([]byte("BDAT x\r\n")); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad bdat: %v", err)
	}
	if DefaultConfig().Validate() != nil || (Config{}).Validate() == nil {
		t.Error("validate")
	}
}

func TestGap(t *testing.T) {
	s := NewSession(DefaultConfig())
	converse(t, s, "220 x\r\n", "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 20 LAST\r\nSubject: s\r\n")
	s.GapClient(8) // the rest of the chunk was never captured
	converse(t, s, "250 ok\r\n250 ok\r\n250 queued\r\n", "QUIT\r\n")
	txns := s.Close()
	if len(txns) != 1 || !txns[0].Complete || txns[0].Headers.Subject != "s" {
		t.Fatalf("%+v", txns)
	}
	s.GapServer(3)
	if err := s.FeedServer([]byte("tail\r\n221 bye\r\n")); err == nil {
		t.Log("server line after a gap parsed")
	}
}
