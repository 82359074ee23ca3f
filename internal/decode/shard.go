package decode

import "encoding/binary"

// ShardHash returns a hash of a frame's outermost IP addresses that is the
// same for both directions, to spread flows over workers. All packets of a
// flow (its fragments and, for a tunnel, its carrier) share the outer
// addresses, so they land on the same worker. Frames without IP hash to 0.
func ShardHash(data []byte, link LinkType) uint32 {
	et := uint16(0)
	switch link {
	case LinkEthernet:
		if len(data) < 14 {
			return 0
		}
		et, data = binary.BigEndian.Uint16(data[12:14]), data[14:]
	case LinkLinuxSLL:
		if len(data) < 16 {
			return 0
		}
		et, data = binary.BigEndian.Uint16(data[14:16]), data[16:]
	case LinkLinuxSLL2:
		if len(data) < 20 {
			return 0
		}
		et, data = binary.BigEndian.Uint16(data[0:2]), data[20:]
	case LinkNull, LinkLoop:
		if len(data) < 4 {
			return 0
		}
		data = data[4:]
	case LinkCHDLC:
		if len(data) < 4 {
			return 0
		}
		data = data[4:]
	case LinkPPP:
		if len(data) >= 2 && data[0] == 0xff {
			data = data[2:]
		}
		if len(data) < 2 {
			return 0
		}
		data = data[2:]
	}
	for range 8 {
		switch et {
		case 0x8100, 0x88A8, 0x9100:
			if len(data) < 4 {
				return 0
			}
			et, data = binary.BigEndian.Uint16(data[2:4]), data[4:]
			continue
		case 0x8847:
			for len(data) >= 4 {
				bottom := data[2]&1 != 0
				data = data[4:]
				if bottom {
					break
				}
			}
		case 0x8864:
			if len(data) < 8 {
				return 0
			}
			data = data[8:]
		}
		break
	}
	if len(data) < 20 {
		return 0
	}
	switch data[0] >> 4 {
	case 4:
		return mix32(binary.BigEndian.Uint32(data[12:16]) ^ binary.BigEndian.Uint32(data[16:20]))
	case 6:
		if len(data) < 40 {
			return 0
		}
		var h uint32
		for i := 8; i < 40; i += 4 {
			h ^= binary.BigEndian.Uint32(data[i : i+4])
		}
		return mix32(h)
	}
	return 0
}

func mix32(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x7feb352d
	h ^= h >> 15
	h *= 0x846ca68b
	h ^= h >> 16
	return h
}
