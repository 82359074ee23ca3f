package ntp

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func std(mode byte, tail []byte) []byte {
	b := make([]byte, 48)
	b[0] = 4<<3 | mode
	b[1], b[2], b[3] = 1, 6, 0xe9                 // stratum 1, poll 64 s, precision 2^-23
	binary.BigEndian.PutUint32(b[4:], 0x00018000) // 1.5 s
	copy(b[12:], "GPS\x00")
	// 2019-05-30T20:03:34Z
	binary.BigEndian.PutUint32(b[40:], uint32(1559246614+ntpUnixOffset))
	binary.BigEndian.PutUint32(b[44:], 1<<31)
	return append(b, tail...)
}

func TestParseStandard(t *testing.T) {
	ext := make([]byte, 16)
	binary.BigEndian.PutUint16(ext[2:], 16)
	mac := make([]byte, 20)
	binary.BigEndian.PutUint32(mac, 7)
	m, err := Parse(std(ModeServer, append(ext, mac...)))
	if err != nil {
		t.Fatal(err)
	}
	s := m.Std
	if m.Version != 4 || m.Mode != ModeServer || s.Stratum != 1 || s.RefID != "GPS" || s.PollInterval() != 64 ||
		s.PrecisionSeconds() != 1.0/(1<<23) || s.RootDelay != 1.5 || s.NumExts != 1 || !s.HasMAC || s.KeyID != 7 || s.DigestSz != 16 {
		t.Errorf("%+v %+v", m, s)
	}
	if got := s.XmtTime.Time(); !got.Equal(time.Unix(1559246614, 5e8)) || s.XmtTime.Unix() != 1559246614.5 {
		t.Errorf("xmt %v", got)
	}
	if s.OrgTime.Unix() != 0 || !s.OrgTime.Time().IsZero() || m.IsControl() {
		t.Error("zero timestamp or control flag")
	}
}

func TestParseControlPrivate(t *testing.T) {
	ctl := []byte{2<<3 | 6, 0x80 | 0x20 | 2, 0, 5, 0, 1, 0x4a, 0xef, 0, 0, 0, 2, 'o', 'k'}
	m, err := Parse(ctl)
	if err != nil || !m.IsControl() || m.Control.OpCode != 2 || !m.Control.Response || !m.Control.More ||
		m.Control.Sequence != 5 || m.Control.AssociationID != 19183 || m.Control.Count != 2 {
		t.Fatalf("%v %+v", err, m.Control)
	}
	priv := []byte{2<<3 | 7, 0x80 | 3, 3, 42, 0x10, 1, 0, 0x48}
	m, err = Parse(priv)
	if err != nil || m.Private.RequestCode != 42 || !m.Private.Auth || m.Private.Sequence != 3 || m.Private.Err != 1 || m.Private.ItemSize != 0x48 {
		t.Fatalf("%v %+v", err, m.Private)
	}
}

func TestErrors(t *testing.T) {
	badExt := make([]byte, 28)
	binary.BigEndian.PutUint16(badExt[2:], 6)
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"version 0", []byte{3}, ErrMalformed},
		{"mode 0", []byte{4 << 3}, ErrMalformed},
		{"short", std(3, nil)[:40], ErrTruncated},
		{"bad extension", std(3, badExt), ErrMalformed},
		{"odd tail", std(3, []byte{1, 2, 3}), ErrMalformed},
		{"short control", []byte{2<<3 | 6, 1}, ErrTruncated},
		{"control count", []byte{2<<3 | 6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, ErrTruncated},
		{"short private", []byte{2<<3 | 7, 1}, ErrTruncated},
		{"huge", make([]byte, MaxMessageSize+1), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
