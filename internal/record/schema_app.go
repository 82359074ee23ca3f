package record

import (
	"net/netip"
	"time"
)

// Getters of application groups: a nil group means the field is absent.

func gstr[G any](sel func(*Record) *G, get func(*G) string) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		v.Str = get(g)
		return v.Str != ""
	}
}

func gnum[G any](sel func(*Record) *G, get func(*G) (int64, bool)) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		var ok bool
		v.Int, ok = get(g)
		return ok
	}
}

func gbool[G any](sel func(*Record) *G, get func(*G) (bool, bool)) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		var ok bool
		v.Bool, ok = get(g)
		return ok
	}
}

func gstrs[G any](sel func(*Record) *G, get func(*G) []string) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		v.Strs = get(g)
		return len(v.Strs) > 0
	}
}

func gints[G any](sel func(*Record) *G, get func(*G) []int32) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		v.Ints = get(g)
		return len(v.Ints) > 0
	}
}

func gip[G any](sel func(*Record) *G, get func(*G) netip.Addr) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		v.IP = get(g)
		return v.IP.IsValid()
	}
}

func gtime[G any](sel func(*Record) *G, get func(*G) time.Time) func(*Record, *Value) bool {
	return func(r *Record, v *Value) bool {
		g := sel(r)
		if g == nil {
			return false
		}
		v.Time = get(g)
		return !v.Time.IsZero()
	}
}

func nz[T int | int64 | uint8 | uint16 | uint32](x T) (int64, bool) { return int64(x), x != 0 }

func present[T int | int64 | uint8 | uint16 | uint32](x T) (int64, bool) { return int64(x), true }

var (
	selDNS  = func(r *Record) *DNS { return r.DNS }
	selHTTP = func(r *Record) *HTTP { return r.HTTP }
	selTLS  = func(r *Record) *TLS { return r.TLS }
	selSSH  = func(r *Record) *SSH { return r.SSH }
	selSMTP = func(r *Record) *SMTP { return r.SMTP }
	selFTP  = func(r *Record) *FTP { return r.FTP }
	selDHCP = func(r *Record) *DHCP { return r.DHCP }
	selNTP  = func(r *Record) *NTP { return r.NTP }

	dsDNS  = []Dataset{DatasetDNS}
	dsHTTP = []Dataset{DatasetHTTP}
	dsTLS  = []Dataset{DatasetTLS, DatasetQUIC}
	dsQUIC = []Dataset{DatasetQUIC}
	dsSSH  = []Dataset{DatasetSSH}
	dsSMTP = []Dataset{DatasetSMTP}
	dsFTP  = []Dataset{DatasetFTP}
	dsDHCP = []Dataset{DatasetDHCP}
	dsNTP  = []Dataset{DatasetNTP}
	dsUser = []Dataset{DatasetFTP, DatasetSMTP}
)

// appFields are the fields of application identification and of the
// transaction records.
var appFields = []Field{
	{Name: "network.protocol", Type: TypeString, ECS: true, Doc: "Application protocol, found from the payload whatever the port: dns, mdns, llmnr, http, tls, quic, ssh, smtp, ftp, ftp-data, dhcp, ntp.",
		Get: str(func(r *Record) string { return r.Network.Protocol })},
	{Name: "network.application", Type: TypeString, ECS: true, Doc: "Application or service, from the names seen in the flow (TLS SNI, HTTP Host, DNS query, certificate) matched against the application catalog: google, netflix, office365, ….",
		Get: str(func(r *Record) string { return r.Network.Application })},
	{Name: "app.category", Type: TypeString, Doc: "Category of network.application in the catalog: web, streaming, chat, cloud_storage, ….",
		Get: str(func(r *Record) string { return r.Network.AppCategory })},
	{Name: "flow.parent_id", Type: TypeString, Doc: "flow.id of the connection that announced this one (the FTP control connection of a data connection).",
		Get: str(func(r *Record) string { return r.Flow.ParentID })},

	// DNS
	{Name: "dns.id", Type: TypeInt, ECS: true, Datasets: dsDNS, Doc: "DNS message id.",
		Get: gnum(selDNS, func(d *DNS) (int64, bool) { return present(d.ID) })},
	{Name: "dns.op_code", Type: TypeString, ECS: true, Datasets: dsDNS, Doc: "DNS operation code: QUERY, NOTIFY, UPDATE, ….",
		Get: gstr(selDNS, func(d *DNS) string { return d.OpCode })},
	{Name: "dns.question.name", Type: TypeString, ECS: true, Datasets: dsDNS, Doc: "Name queried, as sent (attacker-controlled: escaped in JSON).",
		Get: gstr(selDNS, func(d *DNS) string { return d.QName })},
	{Name: "dns.question.type", Type: TypeString, ECS: true, Datasets: dsDNS, Doc: "Type queried: A, AAAA, TXT, … or TYPEnnn.",
		Get: gstr(selDNS, func(d *DNS) string { return d.QType })},
	{Name: "dns.question.class", Type: TypeString, ECS: true, Datasets: dsDNS, Doc: "Class queried: IN, CH, ….",
		Get: gstr(selDNS, func(d *DNS) string { return d.QClass })},
	{Name: "dns.response_code", Type: TypeString, ECS: true, Datasets: dsDNS, Doc: "Response code: NOERROR, NXDOMAIN, …; absent when the query was not answered.",
		Get: gstr(selDNS, func(d *DNS) string { return d.RCode })},
	{Name: "dns.header_flags", Type: TypeStringList, ECS: true, Datasets: dsDNS, Doc: "Header flags set in the response (or the query when unanswered): AA, TC, RD, RA, AD, CD.",
		Get: gstrs(selDNS, func(d *DNS) []string { return d.HeaderFlags })},
	{Name: "dns.answers.type", Type: TypeStringList, ECS: true, Datasets: dsDNS, Doc: "Type of each answer record, in order.",
		Get: gstrs(selDNS, func(d *DNS) []string { return d.AnswerTypes })},
	{Name: "dns.answers.ttl", Type: TypeIntList, ECS: true, Datasets: dsDNS, Doc: "TTL of each answer record, in seconds.",
		Get: gints(selDNS, func(d *DNS) []int32 { return d.AnswerTTLs })},
	{Name: "dns.answers.data", Type: TypeStringList, ECS: true, Datasets: dsDNS, Doc: "Data of each answer record (address, name or text).",
		Get: gstrs(selDNS, func(d *DNS) []string { return d.AnswerData })},
	{Name: "dns.resolved_ip", Type: TypeStringList, ECS: true, Datasets: dsDNS, Doc: "Addresses of the A and AAAA answers.",
		Get: gstrs(selDNS, func(d *DNS) []string { return d.ResolvedIPs })},
	{Name: "dns.rtt_us", Type: TypeInt, Datasets: dsDNS, Doc: "Microseconds from the query to its response.",
		Get: gnum(selDNS, func(d *DNS) (int64, bool) { return int64(d.RTT / time.Microsecond), d.RTT > 0 })},

	// HTTP
	{Name: "http.version", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "HTTP version of the request: 1.0 or 1.1.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.Version })},
	{Name: "http.request.method", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "Request method, as sent.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.Method })},
	{Name: "http.request.referrer", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "Referer header.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.Referrer })},
	{Name: "http.request.mime_type", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "Content-Type of the request body.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.RequestMIME })},
	{Name: "http.request.body.bytes", Type: TypeInt, ECS: true, Datasets: dsHTTP, Doc: "Request body bytes after transfer decoding (chunk framing excluded).",
		Get: gnum(selHTTP, func(h *HTTP) (int64, bool) { return present(h.RequestBody) })},
	{Name: "http.request.x_forwarded_for", Type: TypeString, Datasets: dsHTTP, Doc: "X-Forwarded-For header: the client addresses a proxy saw.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.XForwardedFor })},
	{Name: "http.request.x_real_ip", Type: TypeString, Datasets: dsHTTP, Doc: "X-Real-IP header.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.XRealIP })},
	{Name: "http.request.forwarded", Type: TypeString, Datasets: dsHTTP, Doc: "Forwarded header (RFC 7239).",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.Forwarded })},
	{Name: "http.request.client_ip", Type: TypeString, Datasets: dsHTTP, Doc: "Client-IP header.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.ClientIP })},
	{Name: "http.response.status_code", Type: TypeInt, ECS: true, Datasets: dsHTTP, Doc: "Status code of the final response; absent when no response was seen.",
		Get: gnum(selHTTP, func(h *HTTP) (int64, bool) { return nz(h.StatusCode) })},
	{Name: "http.response.mime_type", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "Content-Type of the response body.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.ResponseMIME })},
	{Name: "http.response.body.bytes", Type: TypeInt, ECS: true, Datasets: dsHTTP, Doc: "Response body bytes after transfer decoding (chunk framing excluded, content encoding kept).",
		Get: gnum(selHTTP, func(h *HTTP) (int64, bool) { return h.ResponseBody, h.StatusCode != 0 })},
	{Name: "url.original", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "Request target as sent in the request line.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.URL })},
	{Name: "url.domain", Type: TypeString, ECS: true, Datasets: dsHTTP, Doc: "Host header without the port.",
		Get: gstr(selHTTP, func(h *HTTP) string { return h.Host })},
	{Name: "user_agent.original", Type: TypeString, ECS: true, Datasets: []Dataset{DatasetHTTP, DatasetSMTP}, Doc: "User-Agent of an HTTP request, or User-Agent/X-Mailer of a mail.",
		Get: func(r *Record, v *Value) bool {
			switch {
			case r.HTTP != nil:
				v.Str = r.HTTP.UserAgent
			case r.SMTP != nil:
				v.Str = r.SMTP.UserAgent
			default:
				return false
			}
			return v.Str != ""
		}},

	// TLS and QUIC
	{Name: "tls.version", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "Version chosen by the server: 1.0, 1.1, 1.2, 1.3 (SSL: 3.0).",
		Get: gstr(selTLS, func(t *TLS) string { return t.Version })},
	{Name: "tls.version_protocol", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "tls or ssl.",
		Get: gstr(selTLS, func(t *TLS) string { return t.VersionProtocol })},
	{Name: "tls.cipher", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "Cipher suite chosen, by its IANA name.",
		Get: gstr(selTLS, func(t *TLS) string { return t.Cipher })},
	{Name: "tls.next_protocol", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "ALPN protocol chosen by the server.",
		Get: gstr(selTLS, func(t *TLS) string { return t.NextProtocol })},
	{Name: "tls.established", Type: TypeBool, ECS: true, Datasets: dsTLS, Doc: "The handshake completed (both sides sent encrypted data or finished), as Zeek's ssl.log established.",
		Get: gbool(selTLS, func(t *TLS) (bool, bool) { return t.Established, t.HasEstablished })},
	{Name: "tls.resumed", Type: TypeBool, ECS: true, Datasets: dsTLS, Doc: "The server resumed a session (TLS ≤ 1.2: no certificate was sent after a session id match).",
		Get: gbool(selTLS, func(t *TLS) (bool, bool) { return t.Resumed, t.Resumed })},
	{Name: "tls.client.server_name", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "Server Name Indication sent by the client.",
		Get: gstr(selTLS, func(t *TLS) string { return t.ServerName })},
	{Name: "tls.client.ja3", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "JA3 hash of the ClientHello (MD5, GREASE removed).",
		Get: gstr(selTLS, func(t *TLS) string { return t.JA3 })},
	{Name: "tls.client.ja4", Type: TypeString, Datasets: dsTLS, Doc: "JA4 fingerprint of the ClientHello (prefix t for TCP, q for QUIC).",
		Get: gstr(selTLS, func(t *TLS) string { return t.JA4 })},
	{Name: "tls.client.supported_versions", Type: TypeStringList, Datasets: dsTLS, Doc: "Versions offered by the client, highest first.",
		Get: gstrs(selTLS, func(t *TLS) []string { return t.ClientVersions })},
	{Name: "tls.client.alpn", Type: TypeStringList, Datasets: dsTLS, Doc: "ALPN protocols offered by the client, in order.",
		Get: gstrs(selTLS, func(t *TLS) []string { return t.ClientALPN })},
	{Name: "tls.server.ja3s", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "JA3S hash of the ServerHello.",
		Get: gstr(selTLS, func(t *TLS) string { return t.JA3S })},
	{Name: "tls.server.ja4s", Type: TypeString, Datasets: dsTLS, Doc: "JA4S fingerprint of the ServerHello.",
		Get: gstr(selTLS, func(t *TLS) string { return t.JA4S })},
	{Name: "tls.server.x509.subject.distinguished_name", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "Subject of the server's leaf certificate (TLS ≤ 1.2; 1.3 encrypts it).",
		Get: gstr(selTLS, func(t *TLS) string { return t.Subject })},
	{Name: "tls.server.x509.issuer.distinguished_name", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "Issuer of the server's leaf certificate.",
		Get: gstr(selTLS, func(t *TLS) string { return t.Issuer })},
	{Name: "tls.server.x509.alternative_names", Type: TypeStringList, ECS: true, Datasets: dsTLS, Doc: "Subject alternative names of the leaf certificate: DNS names, then addresses, e-mails and URIs.",
		Get: gstrs(selTLS, func(t *TLS) []string { return t.SANs })},
	{Name: "tls.server.x509.serial_number", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "Serial number of the leaf certificate, upper-case hex.",
		Get: gstr(selTLS, func(t *TLS) string { return t.Serial })},
	{Name: "tls.server.x509.not_before", Type: TypeTime, ECS: true, Datasets: dsTLS, Doc: "Start of the leaf certificate's validity.",
		Get: gtime(selTLS, func(t *TLS) time.Time { return t.NotBefore })},
	{Name: "tls.server.x509.not_after", Type: TypeTime, ECS: true, Datasets: dsTLS, Doc: "End of the leaf certificate's validity.",
		Get: gtime(selTLS, func(t *TLS) time.Time { return t.NotAfter })},
	{Name: "tls.server.x509.self_signed", Type: TypeBool, Datasets: dsTLS, Doc: "The leaf certificate's issuer is its subject and its own key verifies its signature.",
		Get: gbool(selTLS, func(t *TLS) (bool, bool) { return t.SelfSigned, t.Subject != "" })},
	{Name: "tls.server.hash.sha1", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "SHA-1 of the leaf certificate's DER, lower-case hex.",
		Get: gstr(selTLS, func(t *TLS) string { return t.SHA1 })},
	{Name: "tls.server.hash.sha256", Type: TypeString, ECS: true, Datasets: dsTLS, Doc: "SHA-256 of the leaf certificate's DER, lower-case hex.",
		Get: gstr(selTLS, func(t *TLS) string { return t.SHA256 })},
	{Name: "tls.server.chain.issuers", Type: TypeStringList, Datasets: dsTLS, Doc: "Issuer of each certificate the server sent, leaf first.",
		Get: gstrs(selTLS, func(t *TLS) []string { return t.ChainIssuers })},
	{Name: "tls.server.chain.length", Type: TypeInt, Datasets: dsTLS, Doc: "Certificates the server sent.",
		Get: gnum(selTLS, func(t *TLS) (int64, bool) { return nz(t.ChainLength) })},
	{Name: "quic.version", Type: TypeString, Datasets: dsQUIC, Doc: "QUIC version: 1, 2 or the hex number.",
		Get: gstr(selTLS, func(t *TLS) string { return t.QUICVersion })},

	// SSH
	{Name: "ssh.version", Type: TypeInt, Datasets: dsSSH, Doc: "SSH protocol version (1 or 2) from the client banner.",
		Get: gnum(selSSH, func(s *SSH) (int64, bool) { return nz(s.Version) })},
	{Name: "ssh.client.banner", Type: TypeString, Datasets: dsSSH, Doc: "Identification string of the client (SSH-2.0-…).",
		Get: gstr(selSSH, func(s *SSH) string { return s.ClientBanner })},
	{Name: "ssh.client.hassh", Type: TypeString, Datasets: dsSSH, Doc: "HASSH of the client's key exchange offer.",
		Get: gstr(selSSH, func(s *SSH) string { return s.HASSH })},
	{Name: "ssh.client.kex_algorithms", Type: TypeStringList, Datasets: dsSSH, Doc: "Key exchange algorithms offered by the client.",
		Get: gstrs(selSSH, func(s *SSH) []string { return s.ClientKex })},
	{Name: "ssh.client.ciphers", Type: TypeStringList, Datasets: dsSSH, Doc: "Client-to-server ciphers offered by the client.",
		Get: gstrs(selSSH, func(s *SSH) []string { return s.ClientCiphers })},
	{Name: "ssh.client.macs", Type: TypeStringList, Datasets: dsSSH, Doc: "Client-to-server MACs offered by the client.",
		Get: gstrs(selSSH, func(s *SSH) []string { return s.ClientMACs })},
	{Name: "ssh.server.banner", Type: TypeString, Datasets: dsSSH, Doc: "Identification string of the server.",
		Get: gstr(selSSH, func(s *SSH) string { return s.ServerBanner })},
	{Name: "ssh.server.hassh", Type: TypeString, Datasets: dsSSH, Doc: "HASSH-server of the server's key exchange offer.",
		Get: gstr(selSSH, func(s *SSH) string { return s.HASSHServer })},
	{Name: "ssh.server.host_key_algorithms", Type: TypeStringList, Datasets: dsSSH, Doc: "Host key algorithms offered by the server.",
		Get: gstrs(selSSH, func(s *SSH) []string { return s.ServerHostKeys })},
	{Name: "ssh.kex_alg", Type: TypeString, Datasets: dsSSH, Doc: "Key exchange algorithm negotiated.",
		Get: gstr(selSSH, func(s *SSH) string { return s.Kex })},
	{Name: "ssh.host_key_alg", Type: TypeString, Datasets: dsSSH, Doc: "Host key algorithm negotiated.",
		Get: gstr(selSSH, func(s *SSH) string { return s.HostKey })},
	{Name: "ssh.cipher_alg", Type: TypeString, Datasets: dsSSH, Doc: "Client-to-server cipher negotiated.",
		Get: gstr(selSSH, func(s *SSH) string { return s.Cipher })},
	{Name: "ssh.mac_alg", Type: TypeString, Datasets: dsSSH, Doc: "Client-to-server MAC negotiated (empty for AEAD ciphers).",
		Get: gstr(selSSH, func(s *SSH) string { return s.MAC })},
	{Name: "ssh.compression_alg", Type: TypeString, Datasets: dsSSH, Doc: "Client-to-server compression negotiated.",
		Get: gstr(selSSH, func(s *SSH) string { return s.Compression })},
	{Name: "ssh.auth_success", Type: TypeBool, Datasets: dsSSH, Doc: "A login probably succeeded (Zeek's inference from encrypted packet sizes); absent when undecided.",
		Get: gbool(selSSH, func(s *SSH) (bool, bool) { return s.AuthSuccess, s.HasAuthSuccess })},
	{Name: "ssh.auth_attempts", Type: TypeInt, Datasets: dsSSH, Doc: "Authentication attempts inferred from packet sizes.",
		Get: gnum(selSSH, func(s *SSH) (int64, bool) { return nz(s.AuthAttempts) })},

	// SMTP and the mail it carried
	{Name: "smtp.helo", Type: TypeString, Datasets: dsSMTP, Doc: "Argument of HELO or EHLO.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.Helo })},
	{Name: "smtp.mail_from", Type: TypeString, Datasets: dsSMTP, Doc: "Envelope sender (MAIL FROM).",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.MailFrom })},
	{Name: "smtp.rcpt_to", Type: TypeStringList, Datasets: dsSMTP, Doc: "Envelope recipients (RCPT TO).",
		Get: gstrs(selSMTP, func(s *SMTP) []string { return s.RcptTo })},
	{Name: "smtp.last_reply", Type: TypeString, Datasets: dsSMTP, Doc: "Last reply of the server in the transaction (code and text).",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.LastReply })},
	{Name: "smtp.starttls", Type: TypeBool, Datasets: dsSMTP, Doc: "The session switched to TLS (later transactions are not visible).",
		Get: gbool(selSMTP, func(s *SMTP) (bool, bool) { return s.StartTLS, s.StartTLS })},
	{Name: "smtp.bytes", Type: TypeInt, Datasets: dsSMTP, Doc: "Bytes of the message (DATA content).",
		Get: gnum(selSMTP, func(s *SMTP) (int64, bool) { return nz(s.Bytes) })},
	{Name: "smtp.x_originating_ip", Type: TypeString, Datasets: dsSMTP, Doc: "X-Originating-IP header of the message.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.XOrigIP })},
	{Name: "email.from.address", Type: TypeString, ECS: true, Datasets: dsSMTP, Doc: "From header of the message.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.From })},
	{Name: "email.to.address", Type: TypeStringList, ECS: true, Datasets: dsSMTP, Doc: "To header addresses.",
		Get: gstrs(selSMTP, func(s *SMTP) []string { return s.To })},
	{Name: "email.cc.address", Type: TypeStringList, ECS: true, Datasets: dsSMTP, Doc: "Cc header addresses.",
		Get: gstrs(selSMTP, func(s *SMTP) []string { return s.Cc })},
	{Name: "email.reply_to.address", Type: TypeString, ECS: true, Datasets: dsSMTP, Doc: "Reply-To header.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.ReplyTo })},
	{Name: "email.subject", Type: TypeString, ECS: true, Datasets: dsSMTP, Doc: "Subject header (MIME encoded words decoded).",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.Subject })},
	{Name: "email.origination_timestamp", Type: TypeString, Datasets: dsSMTP, Doc: "Date header as written by the sender.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.Date })},
	{Name: "email.message_id", Type: TypeString, ECS: true, Datasets: dsSMTP, Doc: "Message-ID header.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.MessageID })},
	{Name: "email.in_reply_to", Type: TypeString, Datasets: dsSMTP, Doc: "In-Reply-To header.",
		Get: gstr(selSMTP, func(s *SMTP) string { return s.InReplyTo })},

	// FTP
	{Name: "ftp.command", Type: TypeString, Datasets: dsFTP, Doc: "FTP command (upper case).",
		Get: gstr(selFTP, func(f *FTP) string { return f.Command })},
	{Name: "ftp.arg", Type: TypeString, Datasets: dsFTP, Doc: "Argument of the command (PASS arguments are not kept).",
		Get: gstr(selFTP, func(f *FTP) string { return f.Arg })},
	{Name: "ftp.reply.code", Type: TypeInt, Datasets: dsFTP, Doc: "Code of the final reply.",
		Get: gnum(selFTP, func(f *FTP) (int64, bool) { return nz(f.ReplyCode) })},
	{Name: "ftp.reply.message", Type: TypeString, Datasets: dsFTP, Doc: "Text of the final reply.",
		Get: gstr(selFTP, func(f *FTP) string { return f.ReplyMsg })},
	{Name: "ftp.data.passive", Type: TypeBool, Datasets: dsFTP, Doc: "The data connection of the command was announced by PASV/EPSV (true) or PORT/EPRT (false).",
		Get: gbool(selFTP, func(f *FTP) (bool, bool) { return f.DataPassive, f.HasData })},
	{Name: "ftp.data.ip", Type: TypeIP, Datasets: dsFTP, Doc: "Address of the announced data connection's listener.",
		Get: gip(selFTP, func(f *FTP) netip.Addr { return f.DataIP })},
	{Name: "ftp.data.port", Type: TypeInt, Datasets: dsFTP, Doc: "Port of the announced data connection's listener.",
		Get: gnum(selFTP, func(f *FTP) (int64, bool) { return int64(f.DataPort), f.HasData })},
	{Name: "file.path", Type: TypeString, ECS: true, Datasets: dsFTP, Doc: "Full path of the file a command transferred or named.",
		Get: gstr(selFTP, func(f *FTP) string { return f.Path })},
	{Name: "user.name", Type: TypeString, ECS: true, Datasets: dsUser, Doc: "User name sent in the clear: FTP USER, SMTP AUTH.",
		Get: func(r *Record, v *Value) bool {
			switch {
			case r.FTP != nil:
				v.Str = r.FTP.User
			case r.SMTP != nil:
				v.Str = r.SMTP.AuthUser
			default:
				return false
			}
			return v.Str != ""
		}},

	// DHCP
	{Name: "dhcp.transaction_id", Type: TypeInt, Datasets: dsDHCP, Doc: "Transaction id (xid) shared by the messages of one exchange.",
		Get: gnum(selDHCP, func(d *DHCP) (int64, bool) { return present(d.TransactionID) })},
	{Name: "dhcp.msg_types", Type: TypeStringList, Datasets: dsDHCP, Doc: "Message types of the exchange in order: DISCOVER, OFFER, REQUEST, ACK, ….",
		Get: gstrs(selDHCP, func(d *DHCP) []string { return d.MsgTypes })},
	{Name: "dhcp.client_mac", Type: TypeString, Datasets: dsDHCP, Doc: "Client hardware address (chaddr).",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.ClientMAC })},
	{Name: "dhcp.host_name", Type: TypeString, Datasets: dsDHCP, Doc: "Host name the client sent (option 12).",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.HostName })},
	{Name: "dhcp.client_fqdn", Type: TypeString, Datasets: dsDHCP, Doc: "Client FQDN (option 81).",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.ClientFQDN })},
	{Name: "dhcp.domain", Type: TypeString, Datasets: dsDHCP, Doc: "Domain name the server assigned (option 15).",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.Domain })},
	{Name: "dhcp.vendor_class", Type: TypeString, Datasets: dsDHCP, Doc: "Vendor class identifier (option 60).",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.VendorClass })},
	{Name: "dhcp.client_id", Type: TypeString, Datasets: dsDHCP, Doc: "Client identifier (option 61), hex.",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.ClientID })},
	{Name: "dhcp.requested_addr", Type: TypeIP, Datasets: dsDHCP, Doc: "Address the client asked for (option 50).",
		Get: gip(selDHCP, func(d *DHCP) netip.Addr { return d.RequestedAddr })},
	{Name: "dhcp.assigned_addr", Type: TypeIP, Datasets: dsDHCP, Doc: "Address the server assigned (yiaddr of the ACK or OFFER).",
		Get: gip(selDHCP, func(d *DHCP) netip.Addr { return d.AssignedAddr })},
	{Name: "dhcp.client_addr", Type: TypeIP, Datasets: dsDHCP, Doc: "Address the client already had (ciaddr).",
		Get: gip(selDHCP, func(d *DHCP) netip.Addr { return d.ClientAddr })},
	{Name: "dhcp.server_addr", Type: TypeIP, Datasets: dsDHCP, Doc: "Server identifier (option 54).",
		Get: gip(selDHCP, func(d *DHCP) netip.Addr { return d.ServerAddr })},
	{Name: "dhcp.lease_time", Type: TypeInt, Datasets: dsDHCP, Doc: "Lease time in seconds (option 51).",
		Get: gnum(selDHCP, func(d *DHCP) (int64, bool) { return int64(d.LeaseTime), d.HasLeaseTime })},
	{Name: "dhcp.param_request_list", Type: TypeIntList, Datasets: dsDHCP, Doc: "Options requested by the client (option 55), in order: a client fingerprint.",
		Get: gints(selDHCP, func(d *DHCP) []int32 { return d.ParamRequested })},
	{Name: "dhcp.message", Type: TypeString, Datasets: dsDHCP, Doc: "Server message (option 56), usually with a NAK.",
		Get: gstr(selDHCP, func(d *DHCP) string { return d.Message })},

	// NTP
	{Name: "ntp.version", Type: TypeInt, Datasets: dsNTP, Doc: "NTP version of the first message.",
		Get: gnum(selNTP, func(n *NTP) (int64, bool) { return nz(n.Version) })},
	{Name: "ntp.mode", Type: TypeString, Datasets: dsNTP, Doc: "Mode of the first message: client, server, symmetric-active, broadcast, control, private, ….",
		Get: gstr(selNTP, func(n *NTP) string { return n.Mode })},
	{Name: "ntp.stratum", Type: TypeInt, Datasets: dsNTP, Doc: "Stratum of the server's answer (or of the first message).",
		Get: gnum(selNTP, func(n *NTP) (int64, bool) { return int64(n.Stratum), n.HasStratum })},
	{Name: "ntp.ref_id", Type: TypeString, Datasets: dsNTP, Doc: "Reference id of the server's answer: clock source or upstream address.",
		Get: gstr(selNTP, func(n *NTP) string { return n.RefID })},
	{Name: "ntp.poll", Type: TypeInt, Datasets: dsNTP, Doc: "Poll interval exponent (log2 seconds).",
		Get: gnum(selNTP, func(n *NTP) (int64, bool) { return int64(n.Poll), n.Mode != "" })},
	{Name: "ntp.messages", Type: TypeInt, Datasets: dsNTP, Doc: "NTP messages in the flow.",
		Get: gnum(selNTP, func(n *NTP) (int64, bool) { return nz(n.Messages) })},
}
