package record

import (
	"net/netip"
	"time"
)

// Datasets of application transactions. Each transaction record shares the
// flow.id and network.community_id of the flow it was seen in.
const (
	DatasetDNS  Dataset = "dns"
	DatasetHTTP Dataset = "http"
	DatasetTLS  Dataset = "tls"
	DatasetQUIC Dataset = "quic"
	DatasetSSH  Dataset = "ssh"
	DatasetSMTP Dataset = "smtp"
	DatasetFTP  Dataset = "ftp"
	DatasetDHCP Dataset = "dhcp"
	DatasetNTP  Dataset = "ntp"
)

// DNS is one query and its response (dns.*). A query without a response
// has no response code and no answers.
type DNS struct {
	ID          uint16
	OpCode      string
	QName       string // as on the wire
	QType       string
	QClass      string
	RCode       string // empty when unanswered
	HeaderFlags []string
	AnswerTypes []string
	AnswerTTLs  []int32
	AnswerData  []string
	ResolvedIPs []string
	RTT         time.Duration // query to response; 0 when unanswered
}

// HTTP is one request and its response (http.*, url.*, user_agent.*).
type HTTP struct {
	Method, Version string
	URL             string // request target as sent (url.original)
	Host            string // Host header without the port (url.domain)
	UserAgent       string
	Referrer        string
	RequestMIME     string
	ResponseMIME    string
	StatusCode      int // 0: no response
	RequestBody     int64
	ResponseBody    int64
	XForwardedFor   string
	XRealIP         string
	Forwarded       string
	ClientIP        string
}

// TLS is what a TLS or QUIC handshake showed (tls.*).
type TLS struct {
	Version         string // chosen: "1.3", "1.2", …
	VersionProtocol string // tls, ssl or dtls
	Cipher          string
	NextProtocol    string // ALPN chosen
	Established     bool
	HasEstablished  bool
	Resumed         bool

	ServerName     string
	JA3, JA4       string
	ClientVersions []string // versions offered
	ClientALPN     []string // ALPN offered
	JA3S, JA4S     string
	QUICVersion    string

	Subject, Issuer     string // leaf certificate of the server (TLS ≤ 1.2)
	SANs                []string
	Serial              string
	NotBefore, NotAfter time.Time
	SHA1, SHA256        string
	SelfSigned          bool
	ChainIssuers        []string // issuers of the whole chain, leaf first
	ChainLength         int
}

// SSH is what the cleartext start of an SSH connection showed (ssh.*).
type SSH struct {
	Version                     int
	ClientBanner, ServerBanner  string
	HASSH, HASSHServer          string
	Kex, HostKey                string
	Cipher, MAC, Compression    string // client to server
	ClientKex, ClientCiphers    []string
	ClientMACs, ServerHostKeys  []string
	AuthSuccess, HasAuthSuccess bool
	AuthAttempts                int
}

// SMTP is one mail transaction (smtp.*, email.*).
type SMTP struct {
	Helo       string
	MailFrom   string
	RcptTo     []string
	LastReply  string
	StartTLS   bool
	AuthUser   string
	From       string
	To, Cc     []string
	ReplyTo    string
	Subject    string
	Date       string
	MessageID  string
	InReplyTo  string
	UserAgent  string
	XOrigIP    string
	Bytes      int64
	ServerName string
}

// FTP is one FTP command and its reply (ftp.*, user.name, file.path).
type FTP struct {
	Command     string
	Arg         string
	User        string
	Path        string
	ReplyCode   int
	ReplyMsg    string
	DataPassive bool
	DataIP      netip.Addr
	DataPort    uint16
	HasData     bool
}

// DHCP is one DHCP exchange of a client (dhcp.*), merged over its messages
// with one transaction id.
type DHCP struct {
	TransactionID  uint32
	MsgTypes       []string
	ClientMAC      string
	HostName       string
	ClientFQDN     string
	Domain         string
	VendorClass    string
	ClientID       string
	RequestedAddr  netip.Addr
	AssignedAddr   netip.Addr
	ClientAddr     netip.Addr
	ServerAddr     netip.Addr
	LeaseTime      uint32
	HasLeaseTime   bool
	ParamRequested []int32
	Message        string
}

// NTP is an NTP exchange (ntp.*): the client's request and the server's
// answer of one flow.
type NTP struct {
	Version    uint8
	Mode       string // of the first message
	Stratum    uint8
	HasStratum bool
	RefID      string
	Poll       int8
	Messages   int
}
