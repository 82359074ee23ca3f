// Package all links every dissector into the binary: importing it runs
// their registrations. cmd imports it; a test checks no dissector folder is
// missing here.
package all

import (
	// Each import registers a dissector.
	_ "github.com/flowsift/flowsift/internal/dissect/dns"
	_ "github.com/flowsift/flowsift/internal/dissect/http"
)
