package tlv

import (
	"encoding/binary"
	"io"
)

// BigSizeLen returns the number of bytes BigSize uses for v: 1, 3, 5 or 9.
func BigSizeLen(v uint64) int {
	switch {
	case v < 0xfd:
		return 1
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// AppendBigSize appends the minimal BigSize encoding of v to b.
//
// BOLT 1 Appendix A:
//
//	uint8(x)                if x < 0xfd
//	0xfd + be16(uint16(x))  if x < 0x10000
//	0xfe + be32(uint32(x))  if x < 0x100000000
//	0xff + be64(x)          otherwise.
func AppendBigSize(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0xfe), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(b, 0xff), v)
	}
}

// WriteBigSize writes the minimal BigSize encoding of v to w.
func WriteBigSize(w io.Writer, v uint64) error {
	var buf [9]byte
	_, err := w.Write(AppendBigSize(buf[:0], v))
	return err
}

// ReadBigSize reads one BigSize from r. It returns io.EOF if r is empty,
// io.ErrUnexpectedEOF if r ends inside the value, and ErrNonCanonical if the
// value could have been encoded in fewer bytes.
func ReadBigSize(r io.Reader) (uint64, error) {
	var buf [8]byte
	if _, err := io.ReadFull(r, buf[:1]); err != nil {
		return 0, err // io.EOF: nothing at all was there
	}
	width, ok := bigSizeWidth(buf[0])
	if !ok {
		return uint64(buf[0]), nil
	}
	if _, err := io.ReadFull(r, buf[:width]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	return bigSizeValue(buf[:width])
}

// DecodeBigSize decodes one BigSize from the front of b and returns it with
// the number of bytes it used. It fails like ReadBigSize: io.EOF for an empty
// b, io.ErrUnexpectedEOF for a cut value, ErrNonCanonical.
func DecodeBigSize(b []byte) (uint64, int, error) { return parseBigSize(b) }

// parseBigSize decodes one BigSize from the front of b and returns it with
// the number of bytes used. Errors are io.EOF for empty b,
// io.ErrUnexpectedEOF and ErrNonCanonical.
func parseBigSize(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, io.EOF
	}
	width, ok := bigSizeWidth(b[0])
	if !ok {
		return uint64(b[0]), 1, nil
	}
	if len(b) < 1+width {
		return 0, 0, io.ErrUnexpectedEOF
	}
	v, err := bigSizeValue(b[1 : 1+width])
	return v, 1 + width, err
}

// bigSizeWidth returns how many bytes follow the discriminant byte, and
// false if the discriminant is itself the value.
func bigSizeWidth(first byte) (int, bool) {
	switch first {
	case 0xfd:
		return 2, true
	case 0xfe:
		return 4, true
	case 0xff:
		return 8, true
	default:
		return 0, false
	}
}

// bigSizeValue decodes the 2, 4 or 8 bytes after the discriminant and checks
// that they are minimal.
func bigSizeValue(b []byte) (uint64, error) {
	// BOLT 1: "All values decoded with BigSize should be checked to ensure
	// they are minimally encoded."
	switch len(b) {
	case 2:
		v := uint64(binary.BigEndian.Uint16(b))
		if v < 0xfd {
			return 0, ErrNonCanonical
		}
		return v, nil
	case 4:
		v := uint64(binary.BigEndian.Uint32(b))
		if v <= 0xffff {
			return 0, ErrNonCanonical
		}
		return v, nil
	case 8:
		v := binary.BigEndian.Uint64(b)
		if v <= 0xffffffff {
			return 0, ErrNonCanonical
		}
		return v, nil
	}
	panic("tlv: bigSizeValue called with a width that is not 2, 4 or 8")
}
