package bolt11

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Decode parses a BOLT 11 invoice, applies every reader requirement of the
// specification, and checks the signature: against the `n` field when it is
// present, otherwise by recovering the payee's key. The returned invoice has
// Payee and Signature set.
//
// Decode does not check the expiry (see CheckExpiry), the currency against
// the caller's chain, or a description hash against its description (see
// CheckDescription): those need facts from outside the invoice.
func Decode(invoice string) (*Invoice, error) {
	hrp, data, err := bech32Decode(invoice)
	if err != nil {
		return nil, err
	}
	if len(data) < timestampElements+signatureElements {
		return nil, fmt.Errorf("%w: %d data elements, need at least %d",
			ErrTooShort, len(data), timestampElements+signatureElements)
	}
	currency, amount, err := parseHRP(hrp)
	if err != nil {
		return nil, err
	}
	inv := &Invoice{Currency: currency, Amount: amount}
	// BOLT 11: "timestamp: seconds-since-1970 (35 bits, big-endian)".
	inv.Timestamp, _ = elementsToUint(data[:timestampElements])

	signed := data[:len(data)-signatureElements]
	var state fieldState
	rest := signed[timestampElements:]
	for len(rest) > 0 {
		if len(rest) < 3 {
			return nil, fmt.Errorf("%w: %d elements left, too few for a field header", ErrFieldLength, len(rest))
		}
		typ := FieldType(rest[0])
		length := int(rest[1])<<5 | int(rest[2])
		if 3+length > len(rest) {
			return nil, fmt.Errorf("%w: %c field of %d elements runs into the signature",
				ErrFieldLength, typ.Letter(), length)
		}
		if err := state.decodeField(inv, typ, rest[3:3+length]); err != nil {
			return nil, err
		}
		rest = rest[3+length:]
	}
	if err := state.checkRequired(inv); err != nil {
		return nil, err
	}
	if err := checkFeatures(inv.Features); err != nil {
		return nil, err
	}
	copy(inv.Signature[:], elementsToBytes(data[len(data)-signatureElements:]))
	payee, err := verifySignature(signingHash(hrp, signed), inv.Signature, inv.NodeID)
	if err != nil {
		return nil, err
	}
	inv.Payee = payee
	return inv, nil
}

// fieldState tracks, while decoding, which single-valued fields were seen
// and which fixed-length fields were skipped for their length.
type fieldState struct {
	seen        [32]bool
	wrongLength [32]bool
}

// keepRaw stores a field this package does not interpret.
func keepRaw(inv *Invoice, typ FieldType, data []byte) {
	inv.UnknownFields = append(inv.UnknownFields, RawField{Type: typ, Data: append([]byte(nil), data...)})
	inv.FieldOrder = append(inv.FieldOrder, FieldUnknown)
}

// fixedLengthOK handles the length of a p, h, s or n field: a field of the
// wrong length is kept raw and remembered.
//
// BOLT 11 reader: "MUST fail the payment if any field with fixed data_length
// (p, h, s, n) does not have the correct length (52, 52, 52, 53)." The
// specification's own valid example "Same, but including fields which must
// be ignored" carries such fields after the valid ones and marks them
// "(ignored)", so they are skipped here; an invoice left without a valid
// field of the kind fails with both ErrFieldLength and the missing-field
// error (see checkRequired). A wrong-length n is "not a valid n field", so
// the key is recovered instead.
func (s *fieldState) fixedLengthOK(inv *Invoice, typ FieldType, data []byte, want int) bool {
	if len(data) == want {
		return true
	}
	s.wrongLength[typ] = true
	keepRaw(inv, typ, data)
	return false
}

// decodeField interprets one tagged field. Only the first valid occurrence of
// a single-valued field counts ("SHOULD use the first p field"); repeats are
// kept raw.
func (s *fieldState) decodeField(inv *Invoice, typ FieldType, data []byte) error {
	single := typ != FieldFallback && typ != FieldRouteHint
	if single && s.seen[typ] {
		keepRaw(inv, typ, data)
		return nil
	}
	switch typ {
	case FieldPaymentHash:
		if !s.fixedLengthOK(inv, typ, data, hashElements) {
			return nil
		}
		copy(inv.PaymentHash[:], elementsToBytes(data))
	case FieldPaymentSecret:
		if !s.fixedLengthOK(inv, typ, data, hashElements) {
			return nil
		}
		// BOLT 11: "MUST use the s field as payment_secret".
		copy(inv.PaymentSecret[:], elementsToBytes(data))
	case FieldDescriptionHash:
		if !s.fixedLengthOK(inv, typ, data, hashElements) {
			return nil
		}
		var h [32]byte
		copy(h[:], elementsToBytes(data))
		inv.DescriptionHash = &h
	case FieldNodeID:
		if !s.fixedLengthOK(inv, typ, data, nodeIDElements) {
			return nil
		}
		key, err := btcec.ParsePubKey(elementsToBytes(data))
		if err != nil {
			// Not "a valid n field": recover the key instead.
			keepRaw(inv, typ, data)
			return nil
		}
		inv.NodeID = key
	case FieldDescription:
		text := elementsToBytes(data)
		// BOLT 11 writer: "MUST set d to a valid UTF-8 string."
		if !utf8.Valid(text) {
			return ErrInvalidUTF8
		}
		description := string(text)
		inv.Description = &description
	case FieldExpiry:
		v, err := minimalUint(typ, data, math.MaxUint64)
		if err != nil {
			return err
		}
		inv.Expiry = &v
	case FieldMinFinalCLTVExpiryDelta:
		v, err := minimalUint(typ, data, math.MaxUint32)
		if err != nil {
			return err
		}
		delta := uint32(v)
		inv.MinFinalCLTVExpiryDelta = &delta
	case FieldFeatures:
		if len(data) == 0 {
			// An empty 9 field sets no bit; writers "MUST omit the 9
			// field altogether", so keep it raw rather than as features.
			keepRaw(inv, typ, data)
			return nil
		}
		features, err := featuresFromElements(data)
		if err != nil {
			return err
		}
		inv.Features = features
	case FieldPaymentMetadata:
		// BOLT 11: "if an m field is provided: MUST use that as
		// payment_metadata".
		inv.PaymentMetadata = elementsToBytes(data)
	case FieldFallback:
		fb, known, err := fallbackFromElements(data)
		if err != nil {
			return err
		}
		if !known {
			// BOLT 11: "MUST skip over f fields that use an unknown
			// version."
			keepRaw(inv, typ, data)
			return nil
		}
		inv.Fallbacks = append(inv.Fallbacks, fb)
	case FieldRouteHint:
		route, err := routeFromElements(data)
		if err != nil {
			return err
		}
		inv.RouteHints = append(inv.RouteHints, route)
	default:
		// Unknown fields are skipped (kept raw so that they round-trip).
		keepRaw(inv, typ, data)
		return nil
	}
	s.seen[typ] = true
	inv.FieldOrder = append(inv.FieldOrder, typ)
	return nil
}

// minimalUint reads the big-endian value of a c or x field.
func minimalUint(typ FieldType, data []byte, limit uint64) (uint64, error) {
	// BOLT 11: "if a c, x, or 9 field is provided which has a non-minimal
	// data_length (i.e. begins with 0 field elements): SHOULD treat the
	// invoice as invalid."
	if len(data) > 0 && data[0] == 0 {
		return 0, fmt.Errorf("%w: %c field starts with a zero element", ErrNonMinimalField, typ.Letter())
	}
	v, ok := elementsToUint(data)
	if !ok || v > limit {
		return 0, fmt.Errorf("%w: %c field of %d elements", ErrValueOverflow, typ.Letter(), len(data))
	}
	return v, nil
}

// routeFromElements reads an `r` field: one or more hops of 51 bytes.
func routeFromElements(data []byte) ([]RouteHop, error) {
	hops := len(data) * 5 / (routeHopBytes * 8)
	if hops == 0 || len(data) != elementsForBytes(hops*routeHopBytes) {
		return nil, fmt.Errorf("%w: %d elements are not a whole number of hops", ErrInvalidRouteHint, len(data))
	}
	raw := elementsToBytes(data)
	route := make([]RouteHop, hops)
	for i := range route {
		b := raw[i*routeHopBytes : (i+1)*routeHopBytes]
		key, err := btcec.ParsePubKey(b[:33])
		if err != nil {
			return nil, fmt.Errorf("%w: hop %d pubkey: %v", ErrInvalidRouteHint, i, err)
		}
		route[i] = RouteHop{
			NodeID:                    key,
			ShortChannelID:            lnwire.NewShortChannelIDFromUint64(beUint(b[33:41])),
			FeeBaseMsat:               uint32(beUint(b[41:45])),
			FeeProportionalMillionths: uint32(beUint(b[45:49])),
			CLTVExpiryDelta:           uint16(beUint(b[49:51])),
		}
	}
	return route, nil
}

// beUint reads a big-endian unsigned integer of up to 8 bytes.
func beUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// checkRequired applies the reader rules on mandatory fields.
func (s *fieldState) checkRequired(inv *Invoice) error {
	if !s.seen[FieldPaymentHash] {
		return s.missing(FieldPaymentHash, ErrMissingPaymentHash)
	}
	// BOLT 11: "if a valid s field is not provided: MUST fail the payment."
	if !s.seen[FieldPaymentSecret] {
		return s.missing(FieldPaymentSecret, ErrMissingPaymentSecret)
	}
	// BOLT 11: "MUST fail the payment if neither a d field nor a h field is
	// present, or if both are present."
	hasD, hasH := s.seen[FieldDescription], s.seen[FieldDescriptionHash]
	switch {
	case hasD && hasH:
		return ErrDescriptionAndHash
	case !hasD && !hasH:
		return s.missing(FieldDescriptionHash, ErrMissingDescription)
	}
	return nil
}

// missing builds the error for an absent mandatory field, naming the length
// rule too when a field of that kind was skipped for its length.
func (s *fieldState) missing(typ FieldType, sentinel error) error {
	if s.wrongLength[typ] {
		return fmt.Errorf("%w (a %c field was skipped: %w)", sentinel, typ.Letter(), ErrFieldLength)
	}
	return sentinel
}
