package eval

import (
	"net/netip"
	"strings"
)

// Key identifies a flow regardless of direction: the transport, the two
// endpoints in a canonical order and the outer VLAN.
type Key struct {
	Transport string
	A, B      netip.AddrPort // A sorts before B
	VLAN      uint16
}

// MakeKey returns the key of a flow between two endpoints.
func MakeKey(transport string, a, b netip.AddrPort, vlan uint16) Key {
	a = netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	b = netip.AddrPortFrom(b.Addr().Unmap(), b.Port())
	if b.Compare(a) < 0 {
		a, b = b, a
	}
	return Key{Transport: strings.ToLower(transport), A: a, B: b, VLAN: vlan}
}

func (k Key) String() string {
	s := k.Transport + " " + k.A.String() + " <-> " + k.B.String()
	if k.VLAN != 0 {
		s += " vlan " + itoa(int(k.VLAN))
	}
	return s
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Assign pairs the truth entries of one key with flowsift's flows of the
// same key. want is the number of truth entries (in their own order), got
// the number of flows (in order of first packet), and equal(i, j) reports
// whether truth entry i agrees with flow j. A truth entry first takes the
// earliest unused flow it agrees with; entries left over then take the
// earliest unused flows in order, so a disagreement still shows what
// flowsift saw. The result holds, per truth entry, the flow's index or -1
// when there is none, and whether the pair agrees.
func Assign(want, got int, equal func(i, j int) bool) (pick []int, ok []bool) {
	pick = make([]int, want)
	ok = make([]bool, want)
	used := make([]bool, got)
	for i := range pick {
		pick[i] = -1
		for j := range got {
			if !used[j] && equal(i, j) {
				pick[i], ok[i], used[j] = j, true, true
				break
			}
		}
	}
	for i := range pick {
		if pick[i] >= 0 {
			continue
		}
		for j := range got {
			if !used[j] {
				pick[i], used[j] = j, true
				break
			}
		}
	}
	return pick, ok
}

// Disagreement is one truth entry flowsift does not reproduce.
type Disagreement struct {
	Class string // what kind of difference (see the classes of each source)
	Pcap  string
	Tuple string
	Want  string
	Got   string
}

// Classes of disagreement.
const (
	ClassNoFlow  = "no-flow"        // flowsift has no flow with the key
	ClassSplit   = "split"          // flowsift has more flows than the truth for the key
	ClassMerged  = "merged"         // flowsift has fewer flows than the truth for the key
	ClassFewer   = "fewer-packets"  // one flow each, flowsift counts fewer packets
	ClassMore    = "more-packets"   // one flow each, flowsift counts more packets
	ClassPackets = "packets"        // Zeek: packets differ in a direction
	ClassBytes   = "ip-bytes"       // Zeek: packets agree, IP bytes differ
	classUnknown = "other-mismatch" // fallback
)

// classify names a packet-count disagreement for a key with nWant truth
// entries and nGot flows.
func classify(nWant, nGot int, want, got uint64, found bool) string {
	switch {
	case !found || nGot == 0:
		return ClassNoFlow
	case nGot > nWant:
		return ClassSplit
	case nGot < nWant:
		return ClassMerged
	case got < want:
		return ClassFewer
	case got > want:
		return ClassMore
	}
	return classUnknown
}
