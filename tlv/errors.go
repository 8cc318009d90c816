package tlv

import (
	"errors"
	"fmt"
	"io"
)

// Sentinel errors. Every error returned by this package is, or wraps, one of
// these, so callers can branch with errors.Is.
var (
	// ErrNonCanonical reports a BigSize, TLV type, TLV length or truncated
	// integer that is not minimally encoded.
	ErrNonCanonical = errors.New("tlv: decoded bigsize is not canonical")

	// ErrUnexpectedEOF reports input that ends inside a value. It is
	// io.ErrUnexpectedEOF itself, so both names match with errors.Is.
	ErrUnexpectedEOF = io.ErrUnexpectedEOF

	// ErrNotIncreasing reports TLV records whose types are not strictly
	// increasing (out of order or duplicated).
	ErrNotIncreasing = errors.New("tlv: record types not strictly increasing")

	// ErrLengthExceedsStream reports a TLV length larger than the bytes left.
	ErrLengthExceedsStream = errors.New("tlv: record length exceeds remaining stream")

	// ErrUnknownEvenType reports an even TLV type the reader does not know.
	ErrUnknownEvenType = errors.New("tlv: unknown even type")

	// ErrValueTooLong reports a truncated integer longer than its type allows.
	ErrValueTooLong = errors.New("tlv: truncated integer too long")

	// ErrBadValueLength reports a known record whose length differs from the
	// one its encoding requires. This package never returns it; it is here so
	// that decoders of known types (lnwire, onion) share one sentinel.
	ErrBadValueLength = errors.New("tlv: record length does not match its known encoding")
)

// UnknownEvenTypeError names the unknown even type found in a stream. It
// matches ErrUnknownEvenType with errors.Is.
type UnknownEvenTypeError struct {
	Type uint64
}

func (e *UnknownEvenTypeError) Error() string {
	return fmt.Sprintf("tlv: unknown even type %d", e.Type)
}

// Unwrap lets errors.Is(err, ErrUnknownEvenType) succeed.
func (e *UnknownEvenTypeError) Unwrap() error { return ErrUnknownEvenType }
