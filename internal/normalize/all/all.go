// Package all links every log parser into the binary: importing it runs
// their registrations with normalize.Register. cmd imports it; a test
// checks that no parser folder of internal/normalize is missing here, and
// the corpus test measures every parser against ../shared/corpus/logs.
package all

import (
	// Each import registers a parser.
	_ "github.com/flowsift/flowsift/internal/normalize/accesslog"
	_ "github.com/flowsift/flowsift/internal/normalize/auditd"
	_ "github.com/flowsift/flowsift/internal/normalize/barracuda"
	_ "github.com/flowsift/flowsift/internal/normalize/bind"
	_ "github.com/flowsift/flowsift/internal/normalize/cef"
	_ "github.com/flowsift/flowsift/internal/normalize/checkpoint"
	_ "github.com/flowsift/flowsift/internal/normalize/ciscoasa"
	_ "github.com/flowsift/flowsift/internal/normalize/cloudtrail"
	_ "github.com/flowsift/flowsift/internal/normalize/filterlog"
	_ "github.com/flowsift/flowsift/internal/normalize/fortigate"
	_ "github.com/flowsift/flowsift/internal/normalize/gworkspace"
	_ "github.com/flowsift/flowsift/internal/normalize/infoblox"
	_ "github.com/flowsift/flowsift/internal/normalize/iptables"
	_ "github.com/flowsift/flowsift/internal/normalize/junipersrx"
	_ "github.com/flowsift/flowsift/internal/normalize/m365"
	_ "github.com/flowsift/flowsift/internal/normalize/okta"
	_ "github.com/flowsift/flowsift/internal/normalize/panos"
	_ "github.com/flowsift/flowsift/internal/normalize/sonicwall"
	_ "github.com/flowsift/flowsift/internal/normalize/sophosxg"
	_ "github.com/flowsift/flowsift/internal/normalize/squid"
	_ "github.com/flowsift/flowsift/internal/normalize/sshd"
	_ "github.com/flowsift/flowsift/internal/normalize/suricata"
	_ "github.com/flowsift/flowsift/internal/normalize/umbrella"
	_ "github.com/flowsift/flowsift/internal/normalize/winsec"
	_ "github.com/flowsift/flowsift/internal/normalize/zeek"
	_ "github.com/flowsift/flowsift/internal/normalize/zscaler"
)
