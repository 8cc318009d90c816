package paywall

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrBadPreimage: a payment preimage that is not 64 hex digits.
var ErrBadPreimage = errors.New("paywall: a payment preimage is 64 hex digits (32 bytes)")

// ParsePreimage reads a payment preimage written as 64 hex digits (either
// case; surrounding spaces are ignored, since it is often pasted).
func ParsePreimage(text string) ([32]byte, error) {
	var p [32]byte
	text = strings.TrimSpace(text)
	if len(text) != 2*len(p) {
		return p, fmt.Errorf("%w: got %d characters", ErrBadPreimage, len(text))
	}
	if _, err := hex.Decode(p[:], []byte(text)); err != nil {
		return [32]byte{}, fmt.Errorf("%w: %v", ErrBadPreimage, err)
	}
	return p, nil
}

// PreimageMatches reports whether preimage proves payment of the invoice
// with paymentHash. The payer's wallet learns the preimage only when the
// payment succeeds, so showing it is proof of payment.
//
// BOLT #11: a writer "MUST set `payment_hash` to the SHA2 256-bit hash of
// the `payment_preimage` that will be given in return for payment."
//
// The comparison takes the same time wherever the hashes differ.
func PreimageMatches(paymentHash, preimage [32]byte) bool {
	sum := sha256.Sum256(preimage[:])
	return subtle.ConstantTimeCompare(sum[:], paymentHash[:]) == 1
}
