package bolt11

import (
	"fmt"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// Signer signs invoices with the node key, which stays in the signer
// package. SignCompact returns a recoverable signature of hash in btcec's
// 65-byte compact layout: a header byte 27 + recovery id (+4 for a
// compressed key), then R and S, 32 bytes each. signer.InvoiceSigner
// implements it.
type Signer interface {
	SignCompact(hash [32]byte) ([]byte, error)
}

// publicKeyHolder is implemented by signers that can tell their key; Encode
// then checks the signature was made with it.
type publicKeyHolder interface {
	PubKey() *btcec.PublicKey
}

// defaultFieldOrder is the order Encode writes fields that FieldOrder does
// not place.
var defaultFieldOrder = [...]FieldType{
	FieldPaymentSecret, FieldPaymentHash, FieldDescription, FieldDescriptionHash, FieldNodeID,
	FieldExpiry, FieldMinFinalCLTVExpiryDelta, FieldFallback, FieldRouteHint, FieldFeatures,
	FieldPaymentMetadata, FieldUnknown,
}

// Encode validates the invoice against the writer requirements of BOLT 11,
// has the signer sign it and returns the invoice string, in lower case (use
// strings.ToUpper for QR codes: writers "SHOULD use upper case for QR
// codes"). Payee and Signature of inv are ignored.
func Encode(inv *Invoice, signer Signer) (string, error) {
	hrp, err := encodeHRP(inv)
	if err != nil {
		return "", err
	}
	data, err := encodeData(inv)
	if err != nil {
		return "", err
	}
	hash := signingHash(hrp, data)
	compact, err := signer.SignCompact(hash)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrSigner, err)
	}
	sig, err := signatureFromCompact(compact)
	if err != nil {
		return "", err
	}
	if err := checkOwnSignature(hash, compact, sig, inv.NodeID, signer); err != nil {
		return "", err
	}
	// BOLT 11 writer: "MUST set signature to a valid compact ECDSA signature
	// ... encoded as 64 bytes (R || S), followed by a trailing 1-byte
	// recovery id in {0,1,2,3}."
	data = appendBytesAsElements(data, sig[:])
	return bech32Encode(hrp, data), nil
}

// checkOwnSignature makes sure readers will accept the signature: it must
// recover to the signer's key (when the signer tells it) and to the n field,
// and be low-S when n is present.
func checkOwnSignature(hash [32]byte, compact []byte, sig [65]byte, nodeID *btcec.PublicKey, signer Signer) error {
	key, _, err := ecdsa.RecoverCompact(compact, hash[:])
	if err != nil {
		return fmt.Errorf("%w: signature does not recover: %v", ErrSigner, err)
	}
	if holder, ok := signer.(publicKeyHolder); ok && !key.IsEqual(holder.PubKey()) {
		return fmt.Errorf("%w: signature recovers to another key than the signer's", ErrSigner)
	}
	if nodeID == nil {
		return nil
	}
	if !key.IsEqual(nodeID) {
		return ErrSignerKeyMismatch
	}
	if _, s, ok := scalarsOf(sig); !ok || s.IsOverHalfOrder() {
		return fmt.Errorf("%w: signer returned a high-S signature with an n field", ErrHighS)
	}
	return nil
}

// encodeHRP writes the human-readable part.
func encodeHRP(inv *Invoice) (string, error) {
	// BOLT 11 writer: "MUST encode prefix using the currency required for
	// successful payment."
	if !inv.Currency.Known() {
		return "", fmt.Errorf("%w: %q", ErrUnknownCurrency, string(inv.Currency))
	}
	hrp := "ln" + string(inv.Currency)
	if inv.Amount != nil {
		// BOLT 11 writer: "MUST encode amount as a positive decimal
		// integer with no leading 0s."
		if *inv.Amount == 0 {
			return "", fmt.Errorf("%w: zero amount (leave Amount nil for any amount)", ErrNonCanonicalAmount)
		}
		hrp += formatAmount(*inv.Amount)
	}
	return hrp, nil
}

// encodeData writes the timestamp and the tagged fields.
func encodeData(inv *Invoice) ([]byte, error) {
	if err := validateForEncoding(inv); err != nil {
		return nil, err
	}
	// BOLT 11 writer: "MUST set timestamp to the number of seconds since
	// Midnight 1 January 1970, UTC in big-endian."
	data := appendFixedUintElements(make([]byte, 0, 256), inv.Timestamp, timestampElements)

	w := fieldWriter{inv: inv, data: data}
	for _, typ := range inv.FieldOrder {
		if w.remaining(typ) == 0 {
			return nil, fmt.Errorf("%w: no %c field left to place", ErrFieldOrder, typ.Letter())
		}
		if err := w.writeNext(typ); err != nil {
			return nil, err
		}
	}
	for _, typ := range defaultFieldOrder {
		for w.remaining(typ) > 0 {
			if err := w.writeNext(typ); err != nil {
				return nil, err
			}
		}
	}
	return w.data, nil
}

// validateForEncoding applies the writer requirements that do not depend on
// the field layout.
func validateForEncoding(inv *Invoice) error {
	if inv.Timestamp > maxTimestamp {
		return fmt.Errorf("%w: %d", ErrTimestampRange, inv.Timestamp)
	}
	// BOLT 11 writer: "MUST include either exactly one d or exactly one h
	// field."
	switch {
	case inv.Description != nil && inv.DescriptionHash != nil:
		return ErrDescriptionAndHash
	case inv.Description == nil && inv.DescriptionHash == nil:
		return ErrMissingDescription
	}
	if inv.Description != nil {
		// BOLT 11 writer: "MUST set d to a valid UTF-8 string."
		if !utf8.ValidString(*inv.Description) {
			return ErrInvalidUTF8
		}
		if len(*inv.Description) > maxFieldBytes {
			return fmt.Errorf("%w: description of %d bytes (use h for longer ones)", ErrFieldTooLong, len(*inv.Description))
		}
	}
	if len(inv.PaymentMetadata) > maxFieldBytes {
		return fmt.Errorf("%w: payment metadata of %d bytes", ErrFieldTooLong, len(inv.PaymentMetadata))
	}
	for _, fb := range inv.Fallbacks {
		if err := fb.validate(); err != nil {
			return err
		}
	}
	for i, route := range inv.RouteHints {
		// BOLT 11 writer: "r field MUST contain one or more ordered
		// entries".
		if len(route) == 0 {
			return fmt.Errorf("%w: route hint %d has no hop", ErrInvalidRouteHint, i)
		}
		if elementsForBytes(len(route)*routeHopBytes) > maxFieldElements {
			return fmt.Errorf("%w: route hint %d has %d hops", ErrFieldTooLong, i, len(route))
		}
		for j, hop := range route {
			if hop.NodeID == nil {
				return fmt.Errorf("%w: route hint %d hop %d has no node id", ErrInvalidRouteHint, i, j)
			}
		}
	}
	if high, ok := highestFeatureBit(inv.Features); ok && high > maxFeatureBit {
		return fmt.Errorf("%w: feature bit %d", ErrFieldTooLong, high)
	}
	if err := checkFeatures(inv.Features); err != nil {
		return err
	}
	for _, f := range inv.UnknownFields {
		if f.Type >= 32 || len(f.Data) > maxFieldElements {
			return fmt.Errorf("%w: unknown field of type %d and %d elements", ErrFieldTooLong, f.Type, len(f.Data))
		}
		for _, e := range f.Data {
			if e >= 32 {
				return fmt.Errorf("%w: element %d in unknown field", ErrInvalidCharacter, e)
			}
		}
	}
	return nil
}
