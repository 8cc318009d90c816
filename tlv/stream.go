package tlv

import (
	"errors"
	"fmt"
	"io"
	"sort"
)

// Record is one tlv_record: a type and its raw value bytes.
type Record struct {
	Type  uint64
	Value []byte
}

// Stream is a tlv_stream: records in strictly increasing Type order. Decoded
// streams always satisfy that; a Stream built by hand must too, or use Set.
type Stream []Record

// DecodeStream parses b, which must be exactly one tlv_stream (an empty b
// is the empty stream). It enforces every BOLT 1 reader rule except judging
// whether an even type is known: call CheckEvenKnown for that. The values of
// the returned records share one copy of b, never b itself.
func DecodeStream(b []byte) (Stream, error) {
	if len(b) == 0 {
		return nil, nil
	}
	data := append([]byte(nil), b...)
	var s Stream
	for offset := 0; ; {
		// BOLT 1: "if zero bytes remain before parsing a `type`:
		//   - MUST stop parsing the `tlv_stream`."
		if offset == len(data) {
			return s, nil
		}
		typ, n, err := parseBigSize(data[offset:])
		if err != nil {
			// BOLT 1: "if a `type` or `length` is not minimally encoded:
			//   - MUST fail to parse the `tlv_stream`."
			return nil, fmt.Errorf("tlv: type at offset %d: %w", offset, streamError(err))
		}
		offset += n
		// BOLT 1: "if decoded `type`s are not strictly-increasing (including
		// situations when two or more occurrences of the same `type` are met):
		//   - MUST fail to parse the `tlv_stream`."
		if len(s) > 0 && typ <= s[len(s)-1].Type {
			return nil, fmt.Errorf("%w: type %d after type %d", ErrNotIncreasing, typ, s[len(s)-1].Type)
		}
		length, n, err := parseBigSize(data[offset:])
		if err != nil {
			return nil, fmt.Errorf("tlv: length of type %d: %w", typ, streamError(err))
		}
		offset += n
		// BOLT 1: "if `length` exceeds the number of bytes remaining in the
		// message:
		//   - MUST fail to parse the `tlv_stream`."
		if length > uint64(len(data)-offset) {
			return nil, fmt.Errorf("%w: type %d wants %d bytes, %d left", ErrLengthExceedsStream, typ, length, len(data)-offset)
		}
		end := offset + int(length)
		s = append(s, Record{Type: typ, Value: data[offset:end:end]})
		offset = end
	}
}

// streamError turns an end of input inside a type or length into
// ErrUnexpectedEOF: the stream had bytes left, so it is truncated, not empty.
func streamError(err error) error {
	if errors.Is(err, io.EOF) {
		return ErrUnexpectedEOF
	}
	return err
}

// EncodedLen returns the number of bytes Encode produces.
func (s Stream) EncodedLen() int {
	n := 0
	for _, r := range s {
		n += BigSizeLen(r.Type) + BigSizeLen(uint64(len(r.Value))) + len(r.Value)
	}
	return n
}

// Encode returns the canonical encoding of s. It panics if the types are not
// strictly increasing, which a Stream must never allow.
func (s Stream) Encode() []byte {
	return s.Append(make([]byte, 0, s.EncodedLen()))
}

// Append appends the canonical encoding of s to b, with the same invariant as
// Encode.
func (s Stream) Append(b []byte) []byte {
	for i, r := range s {
		// BOLT 1: "MUST order `tlv_record`s in a `tlv_stream` by
		// strictly-increasing `type`".
		if i > 0 && r.Type <= s[i-1].Type {
			panic(fmt.Sprintf("tlv: Stream types not strictly increasing: %d after %d", r.Type, s[i-1].Type))
		}
		// BOLT 1: "MUST minimally encode `type` and `length`."
		b = AppendBigSize(b, r.Type)
		b = AppendBigSize(b, uint64(len(r.Value)))
		b = append(b, r.Value...)
	}
	return b
}

// Get returns the value of the record of type typ, if present.
func (s Stream) Get(typ uint64) ([]byte, bool) {
	i := s.search(typ)
	if i < len(s) && s[i].Type == typ {
		return s[i].Value, true
	}
	return nil, false
}

// Set returns s with the record of type typ set to value, inserted at its
// ordered place or replacing an existing one. Like append, it may reuse s.
func (s Stream) Set(typ uint64, value []byte) Stream {
	i := s.search(typ)
	if i < len(s) && s[i].Type == typ {
		s[i].Value = value
		return s
	}
	s = append(s, Record{})
	copy(s[i+1:], s[i:])
	s[i] = Record{Type: typ, Value: value}
	return s
}

func (s Stream) search(typ uint64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Type >= typ })
}

// CheckEvenKnown returns an *UnknownEvenTypeError (matching
// ErrUnknownEvenType) for the first even type that known rejects.
func (s Stream) CheckEvenKnown(known func(typ uint64) bool) error {
	for _, r := range s {
		// BOLT 1: "otherwise, if `type` is unknown:
		//   - if `type` is even:
		//     - MUST fail to parse the `tlv_stream`.
		//   - otherwise, if `type` is odd:
		//     - MUST discard the next `length` bytes."
		if r.Type%2 == 0 && !known(r.Type) {
			return &UnknownEvenTypeError{Type: r.Type}
		}
	}
	return nil
}
