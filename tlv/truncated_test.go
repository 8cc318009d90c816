package tlv

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func TestTruncatedIntegers(t *testing.T) {
	tests := []struct {
		value uint64
		bytes []byte
	}{
		{0, []byte{}},
		{1, []byte{1}},
		{255, []byte{0xff}},
		{256, []byte{1, 0}},
		{65535, []byte{0xff, 0xff}},
		{65536, []byte{1, 0, 0}},
		{math.MaxUint32, []byte{0xff, 0xff, 0xff, 0xff}},
		{1 << 32, []byte{1, 0, 0, 0, 0}},
		{math.MaxUint64, bytes.Repeat([]byte{0xff}, 8)},
	}
	for _, tc := range tests {
		if got := EncodeTU64(tc.value); !bytes.Equal(got, tc.bytes) {
			t.Errorf("EncodeTU64(%d) = %x, want %x", tc.value, got, tc.bytes)
		}
		got, err := DecodeTU64(tc.bytes)
		if err != nil || got != tc.value {
			t.Errorf("DecodeTU64(%x) = %d, %v", tc.bytes, got, err)
		}
		if tc.value <= math.MaxUint32 {
			if enc := EncodeTU32(uint32(tc.value)); !bytes.Equal(enc, tc.bytes) {
				t.Errorf("EncodeTU32(%d) = %x", tc.value, enc)
			}
			if v, err := DecodeTU32(tc.bytes); err != nil || uint64(v) != tc.value {
				t.Errorf("DecodeTU32(%x) = %d, %v", tc.bytes, v, err)
			}
		} else if _, err := DecodeTU32(tc.bytes); !errors.Is(err, ErrValueTooLong) {
			t.Errorf("DecodeTU32(%x) error = %v, want ErrValueTooLong", tc.bytes, err)
		}
		if tc.value <= math.MaxUint16 {
			if enc := EncodeTU16(uint16(tc.value)); !bytes.Equal(enc, tc.bytes) {
				t.Errorf("EncodeTU16(%d) = %x", tc.value, enc)
			}
			if v, err := DecodeTU16(tc.bytes); err != nil || uint64(v) != tc.value {
				t.Errorf("DecodeTU16(%x) = %d, %v", tc.bytes, v, err)
			}
		} else if _, err := DecodeTU16(tc.bytes); !errors.Is(err, ErrValueTooLong) {
			t.Errorf("DecodeTU16(%x) error = %v, want ErrValueTooLong", tc.bytes, err)
		}
	}
}

func TestTruncatedIntegerErrors(t *testing.T) {
	tests := []struct {
		name   string
		decode func([]byte) error
		in     []byte
		want   error
	}{
		{"tu64 leading zero", func(b []byte) error { _, err := DecodeTU64(b); return err }, []byte{0, 1}, ErrNonCanonical},
		{"tu64 single zero", func(b []byte) error { _, err := DecodeTU64(b); return err }, []byte{0}, ErrNonCanonical},
		{"tu64 nine bytes", func(b []byte) error { _, err := DecodeTU64(b); return err }, bytes.Repeat([]byte{1}, 9), ErrValueTooLong},
		{"tu32 leading zero", func(b []byte) error { _, err := DecodeTU32(b); return err }, []byte{0, 0, 1}, ErrNonCanonical},
		{"tu32 five bytes", func(b []byte) error { _, err := DecodeTU32(b); return err }, []byte{1, 0, 0, 0, 0}, ErrValueTooLong},
		{"tu16 leading zero", func(b []byte) error { _, err := DecodeTU16(b); return err }, []byte{0, 0xff}, ErrNonCanonical},
		{"tu16 three bytes", func(b []byte) error { _, err := DecodeTU16(b); return err }, []byte{1, 0, 0}, ErrValueTooLong},
	}
	for _, tc := range tests {
		if err := tc.decode(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.want)
		}
	}
}
