package dns_test

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/dissect/dns"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseResponse(t *testing.T) {
	p, _ := dns.New(dns.DefaultConfig())
	var m dns.Message
	if err := p.Parse(mustHex(t, seedResponse), &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != 25701 || !m.Flags.QR || !m.Flags.AA || m.QName != "us.v27.distributed.net" ||
		dns.TypeName(m.QType) != "A" || m.RCodeName() != "NOERROR" || len(m.Answers) != 8 ||
		m.Answers[0].Data != "206.109.64.186" || m.Answers[0].TTL != 900 ||
		m.IPs[0] != netip.MustParseAddr("206.109.64.186") {
		t.Fatalf("%+v", m)
	}
}

func TestCompressionLoop(t *testing.T) {
	p, _ := dns.New(dns.DefaultConfig())
	var m dns.Message
	start := time.Now()
	err := p.Parse(mustHex(t, seedLoop), &m)
	if !errors.Is(err, dns.ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
	if p.Stats().Malformed != 1 {
		t.Fatalf("stats %+v", p.Stats())
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("loop took %v", d)
	}
	// A self-pointer in the very first name.
	self := mustHex(t, "000101000001000000000000c00c00010001")
	if err := p.Parse(self, &m); !errors.Is(err, dns.ErrMalformed) {
		t.Fatalf("self loop: %v", err)
	}
}

func TestClampedAnswers(t *testing.T) {
	p, _ := dns.New(dns.Config{MaxAnswers: 3})
	var m dns.Message
	_ = p.Parse(mustHex(t, seedResponse), &m)
	if len(m.Answers) != 3 || !m.Clipped {
		t.Fatalf("%d answers, clipped %v", len(m.Answers), m.Clipped)
	}
}

func TestStreamSplits(t *testing.T) {
	msg := mustHex(t, seedResponse)
	framed := append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...)
	framed = append(framed, framed...)
	p, _ := dns.New(dns.DefaultConfig())
	for step := 1; step < len(framed); step += 37 {
		s := dns.NewStream(p)
		n := 0
		for i := 0; i < len(framed); i += step {
			_ = s.Write(framed[i:min(i+step, len(framed))], func(m *dns.Message, err error) {
				if err != nil || m.ID != 25701 {
					t.Fatalf("step %d: %v %d", step, err, m.ID)
				}
				n++
			})
		}
		if n != 2 || s.Pending() != 0 {
			t.Fatalf("step %d: %d messages, %d pending", step, n, s.Pending())
		}
	}
	s := dns.NewStream(p)
	if err := s.Write([]byte{0, 0, 1}, func(*dns.Message, error) {}); !errors.Is(err, dns.ErrTooLarge) {
		t.Fatalf("zero length: %v", err)
	}
}

func TestTransactions(t *testing.T) {
	msgs := []dns.Message{
		{ID: 1, HasQuestion: true, QName: "a.example", QType: 1},
		{ID: 2, HasQuestion: true, QName: "b.example", QType: 1},
		{ID: 1, HasQuestion: true, QName: "A.example", QType: 1, Flags: dns.Flags{QR: true}},
		{ID: 1, HasQuestion: true, QName: "a.example", QType: 1, Flags: dns.Flags{QR: true}},
	}
	tx := dns.Transactions(msgs)
	if len(tx) != 3 || tx[0].Response != &msgs[2] || tx[1].Response != nil || tx[2].Query != nil {
		t.Fatalf("%+v", tx)
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{dns.TypeName(255), "*"}, {dns.TypeName(65534), "query-65534"}, {dns.TypeName(28), "AAAA"},
		{dns.RCodeName(3), "NXDOMAIN"}, {dns.ClassName(1), "C_INTERNET"}, {dns.OpcodeName(4), "notify"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
