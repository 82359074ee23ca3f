package ssh

// Info is what a Session learned about a connection. It is a plain value
// that can be encoded to JSON as it is.
type Info struct {
	ClientBanner string `json:"client,omitempty"`
	ServerBanner string `json:"server,omitempty"`
	// Version is the protocol version the client chose in its banner: 1
	// for SSH-1.x, 2 for SSH-2.0 (a server's SSH-1.99 offers both), 0
	// before the client banner was seen, as in Zeek's ssh.log.
	Version int `json:"version,omitempty"`

	ClientKex *KexInit `json:"client_kexinit,omitempty"`
	ServerKex *KexInit `json:"server_kexinit,omitempty"`

	HASSH                 string `json:"hassh,omitempty"`
	HASSHAlgorithms       string `json:"hassh_algorithms,omitempty"`
	HASSHServer           string `json:"hassh_server,omitempty"`
	HASSHServerAlgorithms string `json:"hassh_server_algorithms,omitempty"`

	// Chosen is set once both KEXINITs were seen.
	Chosen *Chosen `json:"chosen,omitempty"`

	// NewKeys is true once both sides switched to encrypted traffic.
	NewKeys bool `json:"newkeys,omitempty"`

	// LoginLikely is the login inference: nil while undecided, true after
	// a packet sized like USERAUTH_SUCCESS, false after failure-sized
	// packets only. AuthAttempts counts the inferred attempts.
	LoginLikely  *bool `json:"login_likely,omitempty"`
	AuthAttempts int   `json:"auth_attempts,omitempty"`
}

// HostKeyType returns the negotiated host key algorithm, which names the
// host key type ("ssh-ed25519", "rsa-sha2-512", …), or "".
func (i *Info) HostKeyType() string {
	if i.Chosen == nil {
		return ""
	}
	return i.Chosen.HostKey
}

// Info returns what the session learned so far. It can be called at any
// time; at connection end it applies the "attempts without success is a
// failure" rule.
func (s *Session) Info() Info {
	in := Info{ClientBanner: s.Client.Banner, ServerBanner: s.Server.Banner}
	switch {
	case s.Client.Banner == "":
	case s.Client.Version1:
		in.Version = 1
	default:
		in.Version = 2
	}
	in.ClientKex, in.ServerKex = s.Client.KexInit, s.Server.KexInit
	if k := s.Client.KexInit; k != nil {
		in.HASSHAlgorithms = k.HASSHString()
		in.HASSH = Hash(in.HASSHAlgorithms)
	}
	if k := s.Server.KexInit; k != nil {
		in.HASSHServerAlgorithms = k.HASSHServerString()
		in.HASSHServer = Hash(in.HASSHServerAlgorithms)
	}
	if s.Client.KexInit != nil && s.Server.KexInit != nil {
		c := negotiate(s.Client.KexInit, s.Server.KexInit)
		in.Chosen = &c
	}
	in.NewKeys = s.Client.NewKeys && s.Server.NewKeys
	if in.Chosen != nil && (compressed(in.Chosen.CompressionClientToServer) || compressed(in.Chosen.CompressionServerToClient)) {
		// Compressed packets have no telltale sizes; Zeek's ssh scripts
		// (SSH::compression_algorithms) give no verdict either.
		return in
	}
	in.AuthAttempts = s.auth.attempts
	switch {
	case s.auth.decided:
		v := s.auth.success
		in.LoginLikely = &v
	case s.auth.attempts > 0:
		v := false
		in.LoginLikely = &v
	}
	return in
}

func compressed(alg string) bool { return alg == "zlib" || alg == "zlib@openssh.com" }
