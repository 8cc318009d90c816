package tlv

import "fmt"

// EncodeTU64 returns v as a tu64: big-endian with leading zero bytes omitted
// (zero encodes as no bytes).
func EncodeTU64(v uint64) []byte {
	n := 0
	for x := v; x != 0; x >>= 8 {
		n++
	}
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// EncodeTU32 returns v as a tu32.
func EncodeTU32(v uint32) []byte { return EncodeTU64(uint64(v)) }

// EncodeTU16 returns v as a tu16.
func EncodeTU16(v uint16) []byte { return EncodeTU64(uint64(v)) }

// DecodeTU64 decodes a tu64 of 0 to 8 bytes.
func DecodeTU64(b []byte) (uint64, error) { return decodeTruncated(b, 8) }

// DecodeTU32 decodes a tu32 of 0 to 4 bytes.
func DecodeTU32(b []byte) (uint32, error) {
	v, err := decodeTruncated(b, 4)
	return uint32(v), err
}

// DecodeTU16 decodes a tu16 of 0 to 2 bytes.
func DecodeTU16(b []byte) (uint16, error) {
	v, err := decodeTruncated(b, 2)
	return uint16(v), err
}

func decodeTruncated(b []byte, maxLen int) (uint64, error) {
	if len(b) > maxLen {
		return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrValueTooLong, len(b), maxLen)
	}
	// BOLT 1: "Leading zeros in truncated integers MUST be omitted".
	if len(b) > 0 && b[0] == 0 {
		return 0, fmt.Errorf("%w: truncated integer has a leading zero", ErrNonCanonical)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}
