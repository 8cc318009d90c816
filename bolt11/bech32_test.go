package bolt11

import (
	"errors"
	"strings"
	"testing"
)

// BIP-0173 "Test vectors" (valid and invalid bech32 strings), plus the extra
// vectors Bitcoin Core uses. The two strings over 90 characters are invalid
// for BIP-0173 only because of its length limit, which BOLT 11 lifts ("MUST
// parse the address as Bech32 ... also without the character limit").
func TestBech32BIP173Vectors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error
	}{
		{"A12UEL5L", nil},
		{"a12uel5l", nil},
		{"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs", nil},
		{"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", nil},
		{"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j", nil},
		{"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", nil},
		{"?1ezyfcl", nil},
		// Over 90 characters: judged by the checksum alone, without the limit
		// (the first also has a bad checksum, the second a good one).
		{"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqsqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j", ErrBadChecksum},
		{"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", nil},

		{"split1checkupstagehandshakeupstreamerranterredcaperred2y9e2w", ErrBadChecksum},
		{"s lit1checkupstagehandshakeupstreamerranterredcaperredp8hs2p", ErrInvalidCharacter},
		{"spl\x7ft1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", ErrInvalidCharacter},
		{"split1cheo2y9e2w", ErrInvalidCharacter},
		{"split1a2y9w", ErrTooShort},
		{"1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", ErrMissingSeparator},
		{" 1nwldj5", ErrInvalidCharacter},
		{"\x7f1axkwrx", ErrInvalidCharacter},
		{"\x801eym55h", ErrInvalidCharacter},
		{"pzry9x0s0muk", ErrMissingSeparator},
		{"1pzry9x0s0muk", ErrMissingSeparator},
		{"x1b4n0q5v", ErrInvalidCharacter},
		{"li1dgmt3", ErrTooShort},
		{"de1lg7wt\xff", ErrInvalidCharacter},
		{"A1G7SGD8", ErrBadChecksum},
		{"10a06t8", ErrMissingSeparator},
		{"1qzzfhee", ErrMissingSeparator},
		{"a12UEL5L", ErrMixedCase},
		{"A12uEL5L", ErrMixedCase},
		// A bech32m checksum (BIP-0350) is not a bech32 checksum.
		{"a1lqfn3a", ErrBadChecksum},
	}
	for _, tc := range tests {
		hrp, data, err := bech32Decode(tc.in)
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
			t.Errorf("%q: got error %v, want %v", tc.in, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if got := bech32Encode(hrp, data); got != strings.ToLower(tc.in) {
			t.Errorf("%q: re-encoded as %q", tc.in, got)
		}
	}
}

// Flipping any one character of a valid string must break the checksum
// (bech32 detects every single-character error).
func TestBech32DetectsEverySingleSubstitution(t *testing.T) {
	valid := "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"
	sep := strings.LastIndexByte(valid, '1')
	for i := sep + 1; i < len(valid); i++ {
		for _, c := range bech32Charset {
			if byte(c) == valid[i] {
				continue
			}
			mutated := valid[:i] + string(c) + valid[i+1:]
			if _, _, err := bech32Decode(mutated); !errors.Is(err, ErrBadChecksum) {
				t.Fatalf("%q: got %v, want ErrBadChecksum", mutated, err)
			}
		}
	}
}

func TestElementConversions(t *testing.T) {
	tests := []struct {
		bytes    []byte
		elements []byte
	}{
		{nil, nil},
		{[]byte{0xff}, []byte{31, 28}},
		{[]byte{0x01, 0xfa, 0xfa, 0xf0}, []byte{0, 7, 29, 15, 21, 28, 0}}, // BOLT 11 metadata example: "q8a04uq"
	}
	for _, tc := range tests {
		got := appendBytesAsElements(nil, tc.bytes)
		if string(got) != string(tc.elements) {
			t.Errorf("%x -> %v, want %v", tc.bytes, got, tc.elements)
		}
		if back := elementsToBytes(tc.elements); string(back) != string(tc.bytes) {
			t.Errorf("%v -> %x, want %x", tc.elements, back, tc.bytes)
		}
		if elementsForBytes(len(tc.bytes)) != len(tc.elements) {
			t.Errorf("elementsForBytes(%d) = %d", len(tc.bytes), elementsForBytes(len(tc.bytes)))
		}
	}
	uints := []struct {
		value    uint64
		elements []byte
	}{
		{0, nil},
		{60, []byte{1, 28}},             // BOLT 11 example: x "pu" = 60 seconds
		{604800, []byte{18, 14, 20, 0}}, // BOLT 11 example: x "jw5q" = 604800
		{10, []byte{10}},                // BOLT 11 example: c "2" = 10
		{1<<64 - 1, []byte{15, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31}},
	}
	for _, tc := range uints {
		got := appendUintElements(nil, tc.value)
		if string(got) != string(tc.elements) {
			t.Errorf("%d -> %v, want %v", tc.value, got, tc.elements)
		}
		if v, ok := elementsToUint(tc.elements); !ok || v != tc.value {
			t.Errorf("%v -> %d %v, want %d", tc.elements, v, ok, tc.value)
		}
	}
	if _, ok := elementsToUint([]byte{16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); ok {
		t.Error("2^64 must overflow")
	}
}
