package ssh

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// framed frames an SSH binary packet with 4 bytes of padding.
func framed(payload []byte) []byte {
	b := make([]byte, 4, 4+1+len(payload)+4)
	binary.BigEndian.PutUint32(b, uint32(1+len(payload)+4))
	b = append(b, 4)
	b = append(b, payload...)
	return append(b, 0, 0, 0, 0)
}

func kexinit(lists ...string) []byte {
	b := append([]byte{msgKexInit}, make([]byte, 16)...)
	for len(lists) < 10 {
		lists = append(lists, "")
	}
	for _, l := range lists {
		b = binary.BigEndian.AppendUint32(b, uint32(len(l)))
		b = append(b, l...)
	}
	return append(b, 0, 0, 0, 0, 0)
}

func TestSession(t *testing.T) {
	s := NewSession(DefaultConfig())
	srv := []byte("hello pre-banner\r\nSSH-2.0-OpenSSH_9.6\r\n")
	srv = append(srv, framed(kexinit("curve25519-sha256,diffie-hellman-group14-sha256", "ssh-ed25519,rsa-sha2-512",
		"aes256-gcm@openssh.com,aes128-ctr", "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none", "none"))...)
	cli := []byte("SSH-2.0-Go\r\n")
	cli = append(cli, framed(kexinit("mlkem768x25519-sha256,curve25519-sha256,ext-info-c", "rsa-sha2-512,ssh-ed25519",
		"aes128-ctr", "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none", "none"))...)
	// Split the server bytes everywhere to exercise buffering.
	for i := range srv {
		if err := s.FeedServer(srv[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FeedClient(cli); err != nil {
		t.Fatal(err)
	}
	_ = s.FeedClient(framed([]byte{msgNewKeys}))
	_ = s.FeedServer(framed([]byte{msgNewKeys}))
	// Encrypted: SERVICE_REQUEST/ACCEPT, then a USERAUTH_SUCCESS-sized reply.
	_ = s.FeedClient(make([]byte, 52))
	_ = s.FeedServer(make([]byte, 52))
	_ = s.FeedClient(make([]byte, 100))
	_ = s.FeedServer(make([]byte, 36))
	in := s.Info()
	want := Chosen{Kex: "curve25519-sha256", HostKey: "rsa-sha2-512", CipherClientToServer: "aes128-ctr", CipherServerToClient: "aes128-ctr",
		MACClientToServer: "hmac-sha2-256", MACServerToClient: "hmac-sha2-256", CompressionClientToServer: "none", CompressionServerToClient: "none"}
	if diff := cmp.Diff(&want, in.Chosen); diff != "" {
		t.Errorf("chosen (-want +got):\n%s", diff)
	}
	if in.ServerBanner != "SSH-2.0-OpenSSH_9.6" || in.ClientBanner != "SSH-2.0-Go" || in.Version != 2 {
		t.Errorf("banners %q %q version %d", in.ServerBanner, in.ClientBanner, in.Version)
	}
	if in.HASSH != Hash("mlkem768x25519-sha256,curve25519-sha256,ext-info-c;aes128-ctr;hmac-sha2-256;none") {
		t.Errorf("hassh %s from %s", in.HASSH, in.HASSHAlgorithms)
	}
	if in.HASSHServerAlgorithms != "curve25519-sha256,diffie-hellman-group14-sha256;aes128-ctr;hmac-sha2-256;none" {
		t.Errorf("hassh server algorithms %s", in.HASSHServerAlgorithms)
	}
	if in.LoginLikely == nil || !*in.LoginLikely || !in.NewKeys || in.HostKeyType() != "rsa-sha2-512" {
		t.Errorf("login %v newkeys %v host key %q", in.LoginLikely, in.NewKeys, in.HostKeyType())
	}
}

func TestAuthFailure(t *testing.T) {
	var a authState
	a.clientData = true
	for _, n := range []int{52, 600, 84, 84, 84} { // accept, banner, failure, 2 more failures
		a.server(n)
	}
	if a.decided || a.attempts != 2 {
		t.Errorf("decided %v attempts %d", a.decided, a.attempts)
	}
	a.server(36)
	if !a.decided || !a.success || a.attempts != 3 {
		t.Errorf("after success: decided %v success %v attempts %d", a.decided, a.success, a.attempts)
	}
}

func TestErrors(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"long banner", []byte(strings.Repeat("A", cfg.MaxBannerLen+1)), ErrTooLarge},
		{"many lines", []byte(strings.Repeat("x\n", cfg.MaxPreBannerLines+1)), ErrMalformed},
		{"huge packet", append([]byte("SSH-2.0-x\n"), 0x7f, 0, 0, 0, 0), ErrTooLarge},
		{"short packet", append([]byte("SSH-2.0-x\n"), 0, 0, 0, 1, 0), ErrMalformed},
		{"bad padding", append([]byte("SSH-2.0-x\n"), 0, 0, 0, 6, 9, 20, 0, 0, 0, 0), ErrMalformed},
		{"short kexinit", append([]byte("SSH-2.0-x\n"), framed([]byte{msgKexInit, 1, 2})...), ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewParser(cfg)
			err := p.Feed(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if p.Feed([]byte("more")) != nil || p.Err() == nil {
				t.Error("parser did not stay stopped")
			}
		})
	}
}

func TestSSH1(t *testing.T) {
	s := NewSession(DefaultConfig())
	_ = s.FeedServer([]byte("SSH-1.5-old\n\x00\x00\x00\x01garbage"))
	_ = s.FeedClient([]byte("SSH-1.5-client\n\x00\x00\x00\x01garbage"))
	in := s.Info()
	if in.Version != 1 || s.Client.Err() != nil || s.Server.Err() != nil {
		t.Errorf("version %d errs %v %v", in.Version, s.Client.Err(), s.Server.Err())
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Config{}).Validate(); err == nil {
		t.Fatal("zero config validated")
	}
}
