package record

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// IDGenerator makes event ids: ULIDs (48-bit millisecond time, 80 bits
// that are random per generator and then counted up), so ids sort by time
// and never repeat within a generator. It is not safe for concurrent use;
// give each worker its own.
type IDGenerator struct {
	hi  uint16
	lo  uint64
	buf [26]byte
}

// NewIDGenerator returns a generator seeded from crypto/rand.
func NewIDGenerator() *IDGenerator {
	var seed [10]byte
	_, _ = rand.Read(seed[:]) // crypto/rand.Read never fails on Linux
	return &IDGenerator{hi: binary.BigEndian.Uint16(seed[:2]), lo: binary.BigEndian.Uint64(seed[2:])}
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Next returns a new id for a record with time t.
func (g *IDGenerator) Next(t time.Time) string {
	g.lo++
	if g.lo == 0 {
		g.hi++
	}
	ms := uint64(t.UnixMilli()) //nolint:gosec // times before 1970 wrap, ids stay unique
	var b [16]byte
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	binary.BigEndian.PutUint16(b[6:], g.hi)
	binary.BigEndian.PutUint64(b[8:], g.lo)
	// 128 bits as 26 base-32 digits, most significant first (2 pad bits).
	hiBits := binary.BigEndian.Uint64(b[:8])
	loBits := binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		g.buf[i] = crockford[loBits&31]
		loBits = loBits>>5 | hiBits<<59
		hiBits >>= 5
	}
	return string(g.buf[:])
}
