package tls

// reader is a bounds-checked cursor over a byte slice in the style of
// golang.org/x/crypto/cryptobyte.String. DESIGN.md §7 names cryptobyte;
// it is not in the module graph and adding it means editing go.mod, which
// this package does not own, so the few methods the parser needs live here.
// Every read reports success instead of panicking, which is what makes the
// parser safe on hostile input.
type reader []byte

func (r *reader) empty() bool { return len(*r) == 0 }

func (r *reader) skip(n int) bool {
	if n < 0 || len(*r) < n {
		return false
	}
	*r = (*r)[n:]
	return true
}

func (r *reader) bytes(n int) ([]byte, bool) {
	if n < 0 || len(*r) < n {
		return nil, false
	}
	b := (*r)[:n]
	*r = (*r)[n:]
	return b, true
}

func (r *reader) u8(v *uint8) bool {
	if len(*r) < 1 {
		return false
	}
	*v = (*r)[0]
	*r = (*r)[1:]
	return true
}

func (r *reader) u16(v *uint16) bool {
	if len(*r) < 2 {
		return false
	}
	*v = uint16((*r)[0])<<8 | uint16((*r)[1])
	*r = (*r)[2:]
	return true
}

func (r *reader) u24(v *int) bool {
	if len(*r) < 3 {
		return false
	}
	*v = int((*r)[0])<<16 | int((*r)[1])<<8 | int((*r)[2])
	*r = (*r)[3:]
	return true
}

// vec8, vec16 and vec24 read a length-prefixed vector into out.
func (r *reader) vec8(out *reader) bool {
	var n uint8
	if !r.u8(&n) {
		return false
	}
	b, ok := r.bytes(int(n))
	*out = b
	return ok
}

func (r *reader) vec16(out *reader) bool {
	var n uint16
	if !r.u16(&n) {
		return false
	}
	b, ok := r.bytes(int(n))
	*out = b
	return ok
}

func (r *reader) vec24(out *reader) bool {
	var n int
	if !r.u24(&n) {
		return false
	}
	b, ok := r.bytes(n)
	*out = b
	return ok
}
