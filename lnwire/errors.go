package lnwire

import (
	"errors"
	"fmt"
)

// Errors of message decoding and encoding. BOLT 1 gives every decoding
// error the same protocol action: the receiver "MUST close the connection"
// (and MAY fail the channels). An unknown odd message is not an error: it
// decodes to *UnknownMessage, which the receiver "MUST ignore".
var (
	// ErrTruncated reports a message too short for its fields.
	ErrTruncated = errors.New("lnwire: message truncated")

	// ErrUnknownEvenMessage reports a message of an unknown even type.
	ErrUnknownEvenMessage = errors.New("lnwire: unknown even message type")

	// ErrInvalidExtension reports an extension TLV stream that breaks a
	// BOLT 1 rule; the tlv sentinel for the rule is wrapped too.
	ErrInvalidExtension = errors.New("lnwire: invalid extension")

	// ErrMessageTooLarge reports a message over 65535 bytes.
	ErrMessageTooLarge = errors.New("lnwire: message larger than 65535 bytes")

	// ErrFieldTooLong reports, when encoding, a variable-length field longer
	// than its length field can count.
	ErrFieldTooLong = errors.New("lnwire: field too long for its length prefix")

	// ErrBadUnknownTLVs reports, when encoding, a TLVs.Unknown stream that is
	// unordered or repeats a type that has a typed field.
	ErrBadUnknownTLVs = errors.New("lnwire: unknown TLV records out of order or shadowing a known record")
)

// UnknownEvenMessageError names the unknown even type. It matches
// ErrUnknownEvenMessage with errors.Is.
type UnknownEvenMessageError struct {
	Type MessageType
}

func (e *UnknownEvenMessageError) Error() string {
	return fmt.Sprintf("lnwire: unknown even message type %d", uint16(e.Type))
}

// Unwrap lets errors.Is(err, ErrUnknownEvenMessage) succeed.
func (e *UnknownEvenMessageError) Unwrap() error { return ErrUnknownEvenMessage }
