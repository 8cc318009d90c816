package lnwire

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// Signature is a 64-byte compact ECDSA signature: R then S, each 32 bytes
// big-endian (BOLT 1 type `signature`).
type Signature [64]byte

// ErrBadSignature reports a signature that is not a valid ECDSA signature.
var ErrBadSignature = errors.New("lnwire: invalid signature")

// NewSignatureFromDER converts a DER-encoded ECDSA signature, as
// ecdsa.Signature.Serialize returns it, to the wire form.
func NewSignatureFromDER(der []byte) (Signature, error) {
	if _, err := ecdsa.ParseDERSignature(der); err != nil {
		return Signature{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	// A valid DER signature is 0x30 len 0x02 rlen R 0x02 slen S, with R and
	// S minimal big-endian integers below the group order.
	rLen := int(der[3])
	r := trimZeros(der[4 : 4+rLen])
	s := trimZeros(der[6+rLen:])
	var sig Signature
	copy(sig[32-len(r):32], r)
	copy(sig[64-len(s):], s)
	return sig, nil
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// ToECDSA returns the signature for verification. R and S must be non-zero
// and below the group order.
func (sig Signature) ToECDSA() (*ecdsa.Signature, error) {
	var r, s btcec.ModNScalar
	if overflow := r.SetByteSlice(sig[:32]); overflow || r.IsZero() {
		return nil, fmt.Errorf("%w: R is zero or not below the group order", ErrBadSignature)
	}
	if overflow := s.SetByteSlice(sig[32:]); overflow || s.IsZero() {
		return nil, fmt.Errorf("%w: S is zero or not below the group order", ErrBadSignature)
	}
	return ecdsa.NewSignature(&r, &s), nil
}
