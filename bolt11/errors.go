package bolt11

import (
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Sentinel errors. Every error Decode, Encode and the validity helpers return
// is, or wraps, one of these, so callers branch with errors.Is. Each reader
// requirement of BOLT 11 that rejects an invoice has its own sentinel.
var (
	// Bech32 layer (BOLT 11: "MUST parse the address as Bech32 ... if the
	// checksum is incorrect: MUST fail the payment").

	// ErrMixedCase reports a string mixing upper and lower case letters.
	ErrMixedCase = errors.New("bolt11: bech32 string mixes upper and lower case")
	// ErrMissingSeparator reports a string without a '1' separator after a
	// non-empty human-readable part.
	ErrMissingSeparator = errors.New("bolt11: bech32 separator '1' missing")
	// ErrInvalidCharacter reports a character outside the bech32 alphabet.
	ErrInvalidCharacter = errors.New("bolt11: invalid bech32 character")
	// ErrBadChecksum reports a bech32 checksum that does not match.
	ErrBadChecksum = errors.New("bolt11: bech32 checksum mismatch")
	// ErrTooShort reports a data part too short to hold the timestamp and
	// the signature (or even the checksum).
	ErrTooShort = errors.New("bolt11: invoice too short")

	// Human-readable part.

	// ErrUnknownCurrency reports a prefix the reader does not understand
	// (BOLT 11: "if it does NOT understand the prefix: MUST fail the payment").
	ErrUnknownCurrency = errors.New("bolt11: unknown currency prefix")
	// ErrInvalidAmount reports an amount containing a non-digit or followed
	// by something other than a multiplier.
	ErrInvalidAmount = errors.New("bolt11: invalid amount")
	// ErrNonCanonicalAmount reports a zero amount or one with leading zeros
	// (BOLT 11 writer: "MUST encode amount as a positive decimal integer with
	// no leading 0s").
	ErrNonCanonicalAmount = errors.New("bolt11: amount not a positive integer without leading zeros")
	// ErrSubMillisatoshi reports a pico-bitcoin amount whose last decimal is
	// not 0.
	ErrSubMillisatoshi = errors.New("bolt11: amount has sub-millisatoshi precision")
	// ErrAmountOverflow reports an amount beyond 2^64-1 millisatoshi.
	ErrAmountOverflow = errors.New("bolt11: amount overflows millisatoshi range")

	// Tagged fields.

	// ErrFieldLength reports a tagged field running past the signature, or
	// a fixed-length field (p, h, s, n) with a data_length other than 52,
	// 52, 52, 53 that left the invoice without a valid field of its kind.
	ErrFieldLength = errors.New("bolt11: tagged field length invalid")
	// ErrMissingPaymentHash reports an invoice without a valid p field.
	ErrMissingPaymentHash = errors.New("bolt11: missing payment hash (p)")
	// ErrMissingPaymentSecret reports an invoice without a valid s field.
	ErrMissingPaymentSecret = errors.New("bolt11: missing payment secret (s)")
	// ErrMissingDescription reports an invoice with neither d nor h.
	ErrMissingDescription = errors.New("bolt11: missing description (d) or description hash (h)")
	// ErrDescriptionAndHash reports an invoice with both d and h.
	ErrDescriptionAndHash = errors.New("bolt11: both description (d) and description hash (h)")
	// ErrInvalidUTF8 reports a description that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("bolt11: description is not valid UTF-8")
	// ErrNonMinimalField reports a c, x or 9 field starting with a zero
	// field element.
	ErrNonMinimalField = errors.New("bolt11: field data_length not minimal")
	// ErrValueOverflow reports an x or c value too large for its Go type.
	ErrValueOverflow = errors.New("bolt11: field value too large")
	// ErrInvalidFallback reports an f field with a known version whose
	// program has an invalid length.
	ErrInvalidFallback = errors.New("bolt11: invalid fallback address")
	// ErrInvalidRouteHint reports an r field that is not a whole number of
	// hops, has no hop, or names an invalid public key.
	ErrInvalidRouteHint = errors.New("bolt11: invalid route hint")
	// ErrUnknownRequiredFeature reports an unknown even feature bit in the 9
	// field. The error is an *UnknownFeatureError naming the bit.
	ErrUnknownRequiredFeature = errors.New("bolt11: unknown required feature")
	// ErrMissingFeatureDependency reports a feature set without a feature
	// it depends on (BOLT 9).
	ErrMissingFeatureDependency = errors.New("bolt11: feature set without its dependency")

	// Signature.

	// ErrBadSignature reports a signature that does not verify against the
	// n field, cannot be recovered, or has an invalid recovery id.
	ErrBadSignature = errors.New("bolt11: invalid signature")
	// ErrHighS reports a high-S signature on an invoice carrying an n field.
	ErrHighS = errors.New("bolt11: signature not low-S")

	// Validity helpers.

	// ErrExpired reports an invoice whose timestamp plus expiry has passed.
	ErrExpired = errors.New("bolt11: invoice expired")
	// ErrDescriptionHashMismatch reports a description whose SHA256 differs
	// from the h field.
	ErrDescriptionHashMismatch = errors.New("bolt11: description does not match description hash")

	// Encoding only.

	// ErrTimestampRange reports a timestamp that does not fit in 35 bits.
	ErrTimestampRange = errors.New("bolt11: timestamp does not fit in 35 bits")
	// ErrFieldTooLong reports field data longer than 1023 field elements
	// (639 bytes).
	ErrFieldTooLong = errors.New("bolt11: field data exceeds 1023 field elements")
	// ErrFieldOrder reports a FieldOrder naming a field the invoice lacks,
	// or a single-valued field twice.
	ErrFieldOrder = errors.New("bolt11: field order does not match the invoice")
	// ErrSigner reports a signer failure or a malformed signer reply.
	ErrSigner = errors.New("bolt11: signer failed")
	// ErrSignerKeyMismatch reports a signature by a key other than the
	// invoice's n field.
	ErrSignerKeyMismatch = errors.New("bolt11: signer key differs from node id (n)")
)

// UnknownFeatureError names the unknown even feature bit found in a 9 field,
// as BOLT 11 asks ("SHOULD indicate the unknown bit to the user"). It matches
// ErrUnknownRequiredFeature with errors.Is.
type UnknownFeatureError struct {
	Bit lnwire.FeatureBit
}

func (e *UnknownFeatureError) Error() string {
	return fmt.Sprintf("bolt11: unknown required feature bit %d", e.Bit)
}

// Unwrap lets errors.Is(err, ErrUnknownRequiredFeature) succeed.
func (e *UnknownFeatureError) Unwrap() error { return ErrUnknownRequiredFeature }
