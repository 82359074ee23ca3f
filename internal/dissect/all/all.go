// Package all links every dissector into the binary: importing it runs
// their registrations. cmd imports it; a test checks no dissector folder is
// missing here.
package all

import (
	// Each import registers a dissector.
	_ "github.com/flowsift/flowsift/internal/dissect/dhcp"
	_ "github.com/flowsift/flowsift/internal/dissect/dns"
	_ "github.com/flowsift/flowsift/internal/dissect/ftp"
	_ "github.com/flowsift/flowsift/internal/dissect/http"
	_ "github.com/flowsift/flowsift/internal/dissect/ntp"
	_ "github.com/flowsift/flowsift/internal/dissect/quic"
	_ "github.com/flowsift/flowsift/internal/dissect/signature"
	_ "github.com/flowsift/flowsift/internal/dissect/smtp"
	_ "github.com/flowsift/flowsift/internal/dissect/ssh"
	_ "github.com/flowsift/flowsift/internal/dissect/tls"
)
