package bolt11

import (
	"fmt"
	"strings"
)

// bech32Charset maps a 5-bit value to its bech32 character (BIP-0173).
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32ChecksumLen is the number of checksum characters.
const bech32ChecksumLen = 6

// bech32Reverse maps a lowercase ASCII byte to its 5-bit value, or -1.
var bech32Reverse = func() [128]int8 {
	var table [128]int8
	for i := range table {
		table[i] = -1
	}
	for i := 0; i < len(bech32Charset); i++ {
		table[bech32Charset[i]] = int8(i)
	}
	return table
}()

// bech32Generator holds the BCH generator constants of BIP-0173.
var bech32Generator = [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}

// polymodStep folds one 5-bit value into the checksum state.
func polymodStep(chk uint32, value byte) uint32 {
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ uint32(value)
	for i := 0; i < 5; i++ {
		if (top>>i)&1 == 1 {
			chk ^= bech32Generator[i]
		}
	}
	return chk
}

// hrpPolymod returns the checksum state after the expanded human-readable part.
func hrpPolymod(hrp string) uint32 {
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]>>5)
	}
	chk = polymodStep(chk, 0)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]&31)
	}
	return chk
}

// bech32Decode splits a bech32 string (of any length: BOLT 11 readers parse
// "also without the character limit") into its lowercase human-readable part
// and its 5-bit data values, checksum removed.
func bech32Decode(s string) (string, []byte, error) {
	// BOLT 11: "Note: this includes handling uppercase as specified by
	// BIP-0173" -- all upper or all lower case, never mixed.
	var hasLower, hasUpper bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, fmt.Errorf("%w: byte 0x%02x at %d", ErrInvalidCharacter, c, i)
		}
		hasLower = hasLower || (c >= 'a' && c <= 'z')
		hasUpper = hasUpper || (c >= 'A' && c <= 'Z')
	}
	if hasLower && hasUpper {
		return "", nil, ErrMixedCase
	}
	if hasUpper {
		s = strings.ToLower(s)
	}
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 {
		return "", nil, ErrMissingSeparator
	}
	hrp, rest := s[:sep], s[sep+1:]
	if len(rest) < bech32ChecksumLen {
		return "", nil, fmt.Errorf("%w: %d characters after the separator", ErrTooShort, len(rest))
	}
	data := make([]byte, len(rest))
	chk := hrpPolymod(hrp)
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c >= 128 || bech32Reverse[c] < 0 {
			return "", nil, fmt.Errorf("%w: %q at %d", ErrInvalidCharacter, c, sep+1+i)
		}
		data[i] = byte(bech32Reverse[c])
		chk = polymodStep(chk, data[i])
	}
	// BOLT 11: "if the checksum is incorrect: MUST fail the payment."
	// The constant 1 is bech32's (not bech32m's).
	if chk != 1 {
		return "", nil, ErrBadChecksum
	}
	return hrp, data[:len(data)-bech32ChecksumLen], nil
}

// bech32Encode joins a lowercase human-readable part and 5-bit values into a
// lowercase bech32 string, with no length limit (BOLT 11: a writer "MAY
// exceed the 90-character limit").
func bech32Encode(hrp string, data []byte) string {
	var b strings.Builder
	b.Grow(len(hrp) + 1 + len(data) + bech32ChecksumLen)
	b.WriteString(hrp)
	b.WriteByte('1')
	chk := hrpPolymod(hrp)
	for _, v := range data {
		b.WriteByte(bech32Charset[v])
		chk = polymodStep(chk, v)
	}
	for i := 0; i < bech32ChecksumLen; i++ {
		chk = polymodStep(chk, 0)
	}
	chk ^= 1
	for i := 0; i < bech32ChecksumLen; i++ {
		b.WriteByte(bech32Charset[(chk>>(5*(5-i)))&31])
	}
	return b.String()
}
