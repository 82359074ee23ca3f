package netflow

import (
	gfnetflow "github.com/netsampler/goflow2/v2/decoders/netflow"
)

// kind says what a template field carries and where its value goes.
type kind uint8

const (
	kSkip kind = iota
	kOctets
	kPackets
	kRevOctets
	kRevPackets
	kOctetsTotal
	kPacketsTotal
	kRevOctetsTotal
	kRevPacketsTotal
	kPostOctets
	kPostPackets
	kInitiatorOctets
	kResponderOctets
	kInitiatorPackets
	kResponderPackets
	kProto
	kToS
	kTCPFlags
	kRevTCPFlags
	kSrcPort
	kDstPort
	kSrcIP
	kDstIP
	kNextHop
	kInIf
	kOutIf
	kSrcAS
	kDstAS
	kStartUptime
	kEndUptime
	kStartSec
	kEndSec
	kStartMilli
	kEndMilli
	kStartMicroNTP
	kEndMicroNTP
	kStartNanoNTP
	kEndNanoNTP
	kStartDeltaMicro
	kEndDeltaMicro
	kICMPTypeCode
	kICMPType
	kICMPCode
	kSrcMAC
	kDstMAC
	kVLAN
	kDirection
	kBiflowDirection
	kEndReason
	kNATSrcIP
	kNATDstIP
	kNATSrcPort
	kNATDstPort
	kMPLSTop
	kSamplingInterval
	kSamplerRandomInterval
	kSamplerID
	kSelectorID
	kPacketInterval
	kPacketSpace
	kIPVersion
	kSysInitMilli
)

// reversePEN is the enterprise number RFC 5103 reserves for the reverse
// direction of biflow information elements.
const reversePEN = 29305

// ieKinds maps IANA information element ids (NetFlow v9 field types below
// 128 are the same numbers) to kinds.
var ieKinds = map[uint16]kind{
	1: kOctets, 2: kPackets, 4: kProto, 5: kToS, 6: kTCPFlags, 7: kSrcPort,
	8: kSrcIP, 10: kInIf, 11: kDstPort, 12: kDstIP, 14: kOutIf, 15: kNextHop,
	16: kSrcAS, 17: kDstAS, 21: kEndUptime, 22: kStartUptime, 23: kPostOctets,
	24: kPostPackets, 27: kSrcIP, 28: kDstIP, 32: kICMPTypeCode,
	34: kSamplingInterval, 48: kSamplerID, 50: kSamplerRandomInterval,
	56: kSrcMAC, 58: kVLAN, 61: kDirection, 62: kNextHop, 70: kMPLSTop,
	80: kDstMAC, 85: kOctetsTotal, 86: kPacketsTotal, 136: kEndReason,
	139: kICMPTypeCode, 150: kStartSec, 151: kEndSec, 152: kStartMilli,
	153: kEndMilli, 154: kStartMicroNTP, 155: kEndMicroNTP, 156: kStartNanoNTP,
	157: kEndNanoNTP, 158: kStartDeltaMicro, 159: kEndDeltaMicro,
	160: kSysInitMilli, 176: kICMPType, 177: kICMPCode, 178: kICMPType,
	179: kICMPCode, 225: kNATSrcIP, 226: kNATDstIP, 227: kNATSrcPort,
	228: kNATDstPort, 231: kInitiatorOctets, 232: kResponderOctets,
	239: kBiflowDirection, 243: kVLAN, 281: kNATSrcIP, 282: kNATDstIP,
	298: kInitiatorPackets, 299: kResponderPackets, 302: kSelectorID,
	305: kPacketInterval, 306: kPacketSpace,
}

// nfv9VendorKinds are the NetFlow v9 field types above 32767 that vendors
// assigned without an enterprise number: Cisco ASA NSEL's translated
// addresses and ports (40001-40004).
var nfv9VendorKinds = map[uint16]kind{
	40001: kNATSrcIP, 40002: kNATDstIP, 40003: kNATSrcPort, 40004: kNATDstPort,
}

// reverseKinds are the RFC 5103 reverse elements (PEN 29305) kept.
var reverseKinds = map[uint16]kind{
	1: kRevOctets, 2: kRevPackets, 6: kRevTCPFlags, 85: kRevOctetsTotal, 86: kRevPacketsTotal,
}

// step is one field of a compiled template.
type step struct {
	kind   kind
	length uint16 // 0xffff: variable length (IPFIX)
}

// template is a data or options template compiled to steps. For an
// options template, scope fields come first, as on the wire.
type template struct {
	steps   []step
	minSize int // bytes of one record when variable fields are empty
	options bool
}

func compile(version uint16, fields []gfnetflow.Field, options bool) *template {
	t := &template{steps: make([]step, len(fields)), options: options}
	for i, f := range fields {
		k := kSkip
		switch {
		case f.PenProvided && f.Pen == reversePEN:
			k = reverseKinds[f.Type]
		case f.PenProvided:
		case version == 9 && f.Type >= 32768:
			k = nfv9VendorKinds[f.Type]
		default:
			k = ieKinds[f.Type]
		}
		t.steps[i] = step{kind: k, length: f.Length}
		if f.Length != 0xffff {
			t.minSize += int(f.Length)
		} else {
			t.minSize++
		}
	}
	return t
}
