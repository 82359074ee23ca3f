package ssh

// authState follows Zeek's SSH analyzer heuristic (SSH.cc,
// ProcessEncrypted): it never decrypts anything, it compares the sizes of
// the first encrypted server deliveries after the client started sending
// encrypted data.
//   - The first one is taken as SSH_MSG_SERVICE_ACCEPT (fixed size once
//     padded and MAC'd), the reference size.
//   - A delivery 16 bytes smaller than the reference is an
//     SSH_MSG_USERAUTH_SUCCESS (one byte of content padded to a block).
//   - Otherwise the next delivery is a USERAUTH_FAILURE (one attempt),
//     unless it is more than 256 bytes larger than the reference, in which
//     case it is taken once as a pre-auth banner and skipped; further
//     deliveries of the failure size are further failed attempts.
//
// As in Zeek's ssh.log, a connection that ends with attempts but no
// success counts as failed, one without attempts stays undecided, and
// one with negotiated zlib compression is never decided (sizes lie).
type authState struct {
	clientData    bool
	acceptSize    int
	failureSize   int
	skippedBanner bool
	decided       bool
	success       bool
	attempts      int
}

func (a *authState) server(n int) {
	if a.decided || !a.clientData {
		return
	}
	if a.acceptSize == 0 {
		a.acceptSize = n
		return
	}
	if a.failureSize == 0 && n+16 == a.acceptSize {
		a.decided, a.success = true, true
		a.attempts++
		return
	}
	if a.failureSize == 0 {
		if !a.skippedBanner && n-a.acceptSize > 256 {
			a.skippedBanner = true
			return
		}
		a.failureSize = n
		return
	}
	if n == a.failureSize {
		a.attempts++
		return
	}
	if n-a.acceptSize == -16 {
		a.decided, a.success = true, true
		a.attempts++
	}
}
