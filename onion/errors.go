package onion

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package are, or wrap, one of
// these; match them with errors.Is.
var (
	// ErrInvalidOnionVersion: the packet version is not 0.
	ErrInvalidOnionVersion = errors.New("onion: unknown onion version")
	// ErrInvalidOnionKey: the packet's public_key is not a valid point, or
	// no shared secret could be derived from it.
	ErrInvalidOnionKey = errors.New("onion: invalid onion public key")
	// ErrInvalidOnionHMAC: the packet's HMAC does not authenticate it.
	ErrInvalidOnionHMAC = errors.New("onion: onion HMAC mismatch")
	// ErrInvalidOnionBlinding: the path_key given with a blinded onion is
	// unusable.
	ErrInvalidOnionBlinding = errors.New("onion: invalid path_key")
	// ErrInvalidOnionPayload: the authenticated hop payload cannot be used
	// (bad framing, bad TLV, missing or forbidden fields).
	ErrInvalidOnionPayload = errors.New("onion: invalid hop payload")

	// ErrPacketLength: a serialized packet is not PacketSize bytes long.
	ErrPacketLength = errors.New("onion: wrong packet length")
	// ErrNoHops: a route with no hops was given to NewPacket.
	ErrNoHops = errors.New("onion: route has no hops")
	// ErrPayloadTooShort: a hop payload shorter than 2 bytes was given to
	// NewPacket (lengths 0 and 1 are reserved).
	ErrPayloadTooShort = errors.New("onion: hop payload shorter than 2 bytes")
	// ErrRouteTooLong: the framed hop payloads do not fit in 1300 bytes.
	ErrRouteTooLong = errors.New("onion: hop payloads exceed 1300 bytes")
	// ErrInvalidHopKey: a node key in the route is missing or unusable.
	ErrInvalidHopKey = errors.New("onion: invalid hop public key")
	// ErrInvalidSessionKey: the session key is missing or zero.
	ErrInvalidSessionKey = errors.New("onion: invalid session key")

	// ErrFailureMalformed: a failure message ends before its data fields
	// or holds a non-canonical BigSize.
	ErrFailureMalformed = errors.New("onion: malformed failure message")
	// ErrFailureTooLong: a failure message does not fit the u16 length of
	// the return packet, or in the requested padded length.
	ErrFailureTooLong = errors.New("onion: failure message too long")
	// ErrFailureOnionMalformed: an authenticated failure onion has an
	// impossible failure_len or pad_len.
	ErrFailureOnionMalformed = errors.New("onion: malformed failure onion")
	// ErrFailureSourceUnknown: no hop's um key authenticates the failure
	// onion; the origin cannot tell who failed.
	ErrFailureSourceUnknown = errors.New("onion: failure onion not authenticated by any hop")
)

// ErrPayloadFraming reports an authenticated hop_payloads whose length
// prefix, payload and HMAC cannot be read. It comes wrapped in an
// *InvalidPayloadError.
var ErrPayloadFraming = errors.New("onion: hop payload framing")

// Errors of hop payload decoding and the reader rules; they come wrapped in
// an *InvalidPayloadError naming the record.
var (
	// ErrMissingField: a record the hop needs is absent.
	ErrMissingField = errors.New("onion: required payload field missing")
	// ErrUnexpectedField: a record is present where the rules forbid it.
	ErrUnexpectedField = errors.New("onion: payload field not allowed here")
	// ErrBadFieldValue: a known record's value is malformed.
	ErrBadFieldValue = errors.New("onion: malformed payload field")
)

// ErrRecipientDataUndecryptable reports encrypted_recipient_data that does
// not decrypt with the hop's path key.
var ErrRecipientDataUndecryptable = errors.New("onion: encrypted_recipient_data does not decrypt")

// errPointAtInfinity reports a scalar multiplication that gave no point.
var errPointAtInfinity = errors.New("onion: point at infinity")

// FailureReporter is implemented by errors that know the BOLT #4 failure
// message a node must return for them.
type FailureReporter interface {
	error
	Failure() Failure
}

// BadOnionError reports a packet the processing node could not
// authenticate. BOLT #2: such an HTLC is failed with
// update_fail_malformed_htlc carrying Code and OnionHash (the SHA256 of the
// onion as received), since no shared secret is available to encrypt a
// failure onion.
type BadOnionError struct {
	Code      FailureCode
	OnionHash [32]byte
	Err       error // one of ErrInvalidOnion{Version,Key,HMAC,Blinding}, possibly wrapped
}

func (e *BadOnionError) Error() string {
	return fmt.Sprintf("%v (%v)", e.Err, e.Code)
}

// Unwrap exposes the cause for errors.Is.
func (e *BadOnionError) Unwrap() error { return e.Err }

// Failure returns the BADONION failure message for this error.
func (e *BadOnionError) Failure() Failure {
	return Failure{Code: e.Code, OnionHash: e.OnionHash}
}

// InvalidPayloadError reports an authenticated hop payload that the reader
// rules reject. It maps to invalid_onion_payload; Type and Offset name the
// TLV record at fault (its type and byte offset in the payload) when known.
type InvalidPayloadError struct {
	Type   uint64
	Offset uint16
	Err    error
}

func (e *InvalidPayloadError) Error() string {
	return fmt.Sprintf("onion: invalid hop payload (type %d at offset %d): %v", e.Type, e.Offset, e.Err)
}

// Unwrap matches both ErrInvalidOnionPayload and the specific cause.
func (e *InvalidPayloadError) Unwrap() []error {
	return []error{ErrInvalidOnionPayload, e.Err}
}

// Failure returns the invalid_onion_payload failure message for this error.
func (e *InvalidPayloadError) Failure() Failure {
	return Failure{Code: CodeInvalidOnionPayload, PayloadType: e.Type, PayloadOffset: e.Offset}
}
