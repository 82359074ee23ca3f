package main

import (
	"strings"
	"testing"
)

// TestInvalidOptionsNameFlags checks that validation errors name the flag
// the user typed, not only the configuration key.
func TestInvalidOptionsNameFlags(t *testing.T) {
	root := newRootCmd()
	var out strings.Builder
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"read", "--tcp-idle=-1s", "--pattern-packets=99", "../../testdata/demo/wikipedia.pcap"})
	err := root.Execute()
	if err == nil {
		t.Fatal("read accepted a negative --tcp-idle")
	}
	for _, want := range []string{"--tcp-idle (flow.tcp_idle): must be positive", "--pattern-packets (flow.pattern_packets)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
