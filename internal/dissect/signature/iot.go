package signature

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
)

// MQTT: a CONNECT packet (type 1, flags 0), its remaining length, and the
// protocol name "MQTT" (level 4 or 5) or "MQIsdp" (level 3).
func probeMQTT(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || !h.FromClient || len(b) == 0 || b[0] != 0x10 {
		return dissect.No
	}
	i := 1
	for i < len(b) && i < 5 && b[i]&0x80 != 0 {
		i++
	}
	i++
	if len(b) < i+9 {
		return dissect.Maybe
	}
	p := b[i:]
	if string(p[:6]) == "\x00\x04MQTT" {
		return yesIf(p[6] >= 3 && p[6] <= 5)
	}
	return yesIf(string(p[:8]) == "\x00\x06MQIsdp" && p[8] == 3)
}

// CoAP (RFC 7252): version 1, a token length up to 8, a request method or
// response code; weak, so only on the CoAP ports.
func probeCoAP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || !h.OnPort || len(b) < 4 || b[0]>>6 != 1 || b[0]&0x0f > 8 {
		return dissect.No
	}
	class, detail := b[1]>>5, b[1]&0x1f
	ok := class == 0 && detail <= 7 || class == 2 && detail >= 1 && detail <= 5 || class == 4 && detail <= 15 || class == 5 && detail <= 5
	return yesIf(ok && len(b) >= 4+int(b[0]&0x0f))
}

// Modbus/TCP: the MBAP header (protocol id 0, a length that covers the
// rest of the ADU, a unit id) and a public function code; only on port
// 502.
func probeModbus(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || !h.OnPort {
		return dissect.No
	}
	if len(b) < 8 {
		return dissect.Maybe
	}
	n, fc := be16(b[4:]), b[7]&0x7f
	return yesIf(be16(b[2:]) == 0 && n >= 2 && n <= 254 && n+6 <= len(b)+0 && fc >= 1 && fc <= 43)
}

// DNP3: the link header's start bytes 0x05 0x64, a length of at least 5,
// and the CRC that protects the header.
func probeDNP3(b []byte, h dissect.Hint) dissect.Verdict {
	if len(b) < 10 {
		if h.TCP && (len(b) == 0 || b[0] == 0x05 && (len(b) < 2 || b[1] == 0x64)) {
			return dissect.Maybe
		}
		return dissect.No
	}
	if b[0] != 0x05 || b[1] != 0x64 || b[2] < 5 {
		return dissect.No
	}
	crc := dnp3CRC(b[:8])
	return yesIf(b[8] == byte(crc) && b[9] == byte(crc>>8))
}

// dnp3CRC is the CRC-16/DNP: polynomial 0x3d65 (reflected 0xa6bc),
// initial 0, output complemented.
func dnp3CRC(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xa6bc
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// IEC 60870-5-104: APDUs start with 0x68 and a length of 4-253. On port
// 2404 any well-formed first APDU; elsewhere only the U-format STARTDT or
// TESTFR activation that opens a session.
func probeIEC104(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 6 {
		if len(b) > 0 && b[0] == 0x68 {
			return dissect.Maybe
		}
		return dissect.No
	}
	if b[0] != 0x68 || b[1] < 4 || b[1] > 253 {
		return dissect.No
	}
	if b[1] == 4 && (b[2] == 0x07 || b[2] == 0x43 || b[2] == 0x0b || b[2] == 0x83) && b[3] == 0 && b[4] == 0 && b[5] == 0 {
		return dissect.Yes
	}
	if !h.OnPort {
		return dissect.No
	}
	n := int(b[1]) + 2
	if len(b) < n {
		return dissect.Maybe
	}
	return yesIf(len(b) == n || b[n] == 0x68)
}

// BACnet/IP: the BVLC header (type 0x81, a function, a length equal to
// the datagram's) and, for the original unicast/broadcast functions, NPDU
// version 1.
func probeBACnet(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 6 || b[0] != 0x81 || b[1] > 0x0c || be16(b[2:]) != len(b) {
		return dissect.No
	}
	switch b[1] {
	case 0x0a, 0x0b:
		return yesIf(b[4] == 0x01)
	case 0x04:
		return yesIf(len(b) >= 11 && b[10] == 0x01)
	}
	return yesIf(h.OnPort)
}

// Zabbix: the "ZBXD" header and a flags byte (1, 3 compressed, 5 large).
func probeZabbix(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 5 {
		return prefix(b, "ZBXD", h)
	}
	return yesIf(string(b[:4]) == "ZBXD" && (b[4] == 1 || b[4] == 3 || b[4] == 5 || b[4] == 7))
}

// raknetMagic marks RakNet's offline (unconnected) messages.
const raknetMagic = "\x00\xff\xff\x00\xfe\xfe\xfe\xfe\xfd\xfd\xfd\xfd\x12\x34\x56\x78"

// RakNet: offline messages carry the 16-byte magic after the message id
// (open connection requests/replies) or after a time (pings/pongs).
func probeRakNet(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 17 {
		return dissect.No
	}
	switch b[0] {
	case 0x05, 0x06, 0x07, 0x08, 0x19:
		return yesIf(string(b[1:17]) == raknetMagic)
	case 0x01, 0x02, 0x1c:
		return yesIf(len(b) >= 25 && string(b[9:25]) == raknetMagic || len(b) >= 33 && string(b[17:33]) == raknetMagic)
	}
	return dissect.No
}

// Tuya local protocol: frames start with 0x000055aa and end with
// 0x0000aa55.
func probeTuyaLP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		if len(b) < 4 {
			return dissect.No
		}
		return yesIf(be32(b) == 0x000055aa && len(b) >= 20)
	}
	return yesIf(len(b) >= 24 && be32(b) == 0x000055aa && be32(b[len(b)-4:]) == 0x0000aa55)
}

// BJNP (Canon printer discovery): "BJNP" or "BJNB" and a command.
func probeBJNP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 16 {
		return dissect.No
	}
	return yesIf(string(b[:4]) == "BJNP" || string(b[:4]) == "BJNB" || string(b[:4]) == "MFNP")
}

// Spotify LAN discovery: "SpotUdp0".
func probeSpotify(b []byte, h dissect.Hint) dissect.Verdict {
	return yesIf(!h.TCP && bytes.HasPrefix(b, []byte("SpotUdp0")))
}

// Dropbox LAN sync discovery: a JSON object with "host_int" and
// "version".
func probeDropbox(b []byte, h dissect.Hint) dissect.Verdict {
	return yesIf(!h.TCP && len(b) > 2 && b[0] == '{' && bytes.Contains(b, []byte(`"host_int"`)) && bytes.Contains(b, []byte(`"version"`)))
}
