package lnwire

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/tlv"
)

// wireReader reads big-endian fields from a byte slice for the generated
// decoders. The first failure sticks in err and later reads return zero
// values, so decoders check err once at the end.
type wireReader struct {
	buf []byte
	err error
}

func (r *wireReader) next(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.buf) < n {
		r.err = fmt.Errorf("%w: %d bytes needed, %d left", ErrTruncated, n, len(r.buf))
		r.buf = nil
		return nil
	}
	v := r.buf[:n:n]
	r.buf = r.buf[n:]
	return v
}

func (r *wireReader) u8() uint8 {
	if v := r.next(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *wireReader) u16() uint16 {
	if v := r.next(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *wireReader) u32() uint32 {
	if v := r.next(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *wireReader) u64() uint64 {
	if v := r.next(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *wireReader) bigSize() uint64 {
	if r.err != nil {
		return 0
	}
	v, n, err := tlv.DecodeBigSize(r.buf)
	if err != nil {
		r.err = fmt.Errorf("%w: bigsize: %w", ErrTruncated, err)
		if errors.Is(err, tlv.ErrNonCanonical) {
			r.err = err
		}
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// tu16, tu32 and tu64 read a truncated integer: all the bytes left.
func (r *wireReader) tu16() uint16 { return uint16(r.truncated(2)) }
func (r *wireReader) tu32() uint32 { return uint32(r.truncated(4)) }
func (r *wireReader) tu64() uint64 { return r.truncated(8) }

func (r *wireReader) truncated(size int) uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	var err error
	switch size {
	case 2:
		var x uint16
		x, err = tlv.DecodeTU16(r.buf)
		v = uint64(x)
	case 4:
		var x uint32
		x, err = tlv.DecodeTU32(r.buf)
		v = uint64(x)
	default:
		v, err = tlv.DecodeTU64(r.buf)
	}
	r.buf, r.err = nil, err
	return v
}

// fill copies len(dst) bytes into dst (a fixed-size array field).
func (r *wireReader) fill(dst []byte) {
	copy(dst, r.next(len(dst)))
}

// bytes returns a copy of the next n bytes, nil when n is 0.
func (r *wireReader) bytes(n int) []byte {
	v := r.next(n)
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

// rest returns a copy of every byte left.
func (r *wireReader) rest() []byte { return r.bytes(len(r.buf)) }

// more reports whether bytes are left and no read failed.
func (r *wireReader) more() bool { return r.err == nil && len(r.buf) > 0 }

// endRecord checks that a known TLV record's value was read exactly.
func (r *wireReader) endRecord(typ uint64) error {
	switch {
	case errors.Is(r.err, ErrTruncated) || (r.err == nil && len(r.buf) > 0):
		// BOLT 1: "if `length` is not exactly equal to that required for the
		// known encoding for `type`: MUST fail to parse the `tlv_stream`."
		return fmt.Errorf("%w: record %d: %w", ErrInvalidExtension, typ, tlv.ErrBadValueLength)
	case r.err != nil:
		// BOLT 1: "if variable-length fields within the known encoding for
		// `type` are not minimal: MUST fail to parse the `tlv_stream`."
		return fmt.Errorf("%w: record %d: %w", ErrInvalidExtension, typ, r.err)
	}
	return nil
}

// appendCount writes the length field of a variable-size field.
func appendCount(buf []byte, n, bits int, field string) ([]byte, error) {
	if n >= 1<<bits {
		return nil, fmt.Errorf("%w: %s has %d elements, a %d-bit length allows %d", ErrFieldTooLong, field, n, bits, 1<<bits-1)
	}
	switch bits {
	case 8:
		return append(buf, byte(n)), nil
	case 16:
		return binary.BigEndian.AppendUint16(buf, uint16(n)), nil
	case 32:
		return binary.BigEndian.AppendUint32(buf, uint32(n)), nil
	}
	return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
}

// decodeExtension parses the bytes after a message's fields as a TLV stream.
func decodeExtension(b []byte) (tlv.Stream, error) {
	// BOLT 1: "upon receiving a message with an `extension`: [...] if the
	// `extension` is invalid: MUST close the connection."
	s, err := tlv.DecodeStream(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidExtension, err)
	}
	return s, nil
}

// keepUnknown appends an unknown record to unknown if its type is odd.
func keepUnknown(unknown *tlv.Stream, rec tlv.Record) error {
	// BOLT 1: "if `type` is even: MUST fail to parse the `tlv_stream`.
	// otherwise, if `type` is odd: MUST discard the next `length` bytes."
	// The odd record is kept rather than discarded, since signatures cover it.
	if rec.Type%2 == 0 {
		return fmt.Errorf("%w: %w", ErrInvalidExtension, &tlv.UnknownEvenTypeError{Type: rec.Type})
	}
	*unknown = append(*unknown, rec)
	return nil
}

// appendExtension appends the records of known (built in increasing type
// order by the generated encoders) merged with unknown.
func appendExtension(buf []byte, known, unknown tlv.Stream) ([]byte, error) {
	if len(unknown) == 0 {
		return known.Append(buf), nil
	}
	merged := make(tlv.Stream, 0, len(known)+len(unknown))
	merged = append(merged, known...)
	for i, rec := range unknown {
		if i > 0 && rec.Type <= unknown[i-1].Type {
			return nil, fmt.Errorf("%w: type %d after %d", ErrBadUnknownTLVs, rec.Type, unknown[i-1].Type)
		}
		if _, clash := known.Get(rec.Type); clash {
			return nil, fmt.Errorf("%w: type %d is also a typed field", ErrBadUnknownTLVs, rec.Type)
		}
		merged = merged.Set(rec.Type, rec.Value)
	}
	return merged.Append(buf), nil
}

// Extension is the TLVs field of messages whose BOLT defines no TLV record
// yet. BOLT 1 still allows an extension stream after their fields: unknown
// odd records are kept, an unknown even record fails decoding.
type Extension struct {
	// Unknown holds the unknown odd records, kept so re-encoding gives back
	// the bytes that were signed.
	Unknown tlv.Stream
}

func (s *Extension) append(buf []byte) ([]byte, error) {
	return appendExtension(buf, nil, s.Unknown)
}

func (s *Extension) decode(extension []byte) error {
	records, err := decodeExtension(extension)
	if err != nil {
		return err
	}
	for _, rec := range records {
		if err := keepUnknown(&s.Unknown, rec); err != nil {
			return err
		}
	}
	return nil
}
