package bolt11

// BOLT 11 data is a sequence of 5-bit "field elements" (one per bech32
// character). These helpers convert between field elements, bytes and
// big-endian integers.

// elementsToBytes packs 5-bit elements into bytes, big-endian bit order,
// dropping the trailing bits that do not fill a whole byte (the writer's
// zero padding).
func elementsToBytes(elems []byte) []byte {
	out := make([]byte, 0, len(elems)*5/8)
	var acc uint32
	var bits uint
	for _, e := range elems {
		acc = acc<<5 | uint32(e&31)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	return out
}

// appendBytesAsElements appends data as 5-bit elements, padding the last
// element with 0 bits (BOLT 11: "MUST pad field data to a multiple of 5
// bits, using 0s").
func appendBytesAsElements(dst, data []byte) []byte {
	var acc uint32
	var bits uint
	for _, b := range data {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			dst = append(dst, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(5-bits))&31)
	}
	return dst
}

// elementsForBytes is the number of 5-bit elements that n bytes occupy.
func elementsForBytes(n int) int { return (n*8 + 4) / 5 }

// elementsToUint reads big-endian 5-bit elements as an unsigned integer;
// ok is false if the value does not fit in 64 bits.
func elementsToUint(elems []byte) (value uint64, ok bool) {
	for _, e := range elems {
		if value>>59 != 0 {
			return 0, false
		}
		value = value<<5 | uint64(e&31)
	}
	return value, true
}

// appendUintElements appends v as big-endian 5-bit elements with no leading
// zero element (BOLT 11: "MUST use the minimum data_length possible"); zero
// takes no element at all.
func appendUintElements(dst []byte, v uint64) []byte {
	n := 0
	for t := v; t != 0; t >>= 5 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(5*uint(i)))&31)
	}
	return dst
}

// appendFixedUintElements appends v as exactly n big-endian 5-bit elements.
func appendFixedUintElements(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(5*uint(i)))&31)
	}
	return dst
}
