package bolt11

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// compactHeaderBase is the first header byte of a btcec compact signature
// (27 + recovery id, plus 4 when the key is compressed).
const (
	compactHeaderBase       = 27
	compactHeaderCompressed = 4
)

// signingHash is what the signature covers. BOLT 11: "the SHA-256 hash of:
// the human-readable part (as UTF-8 bytes) concatenated with the data part
// (excluding the signature), with 0 bits appended to pad to a byte boundary."
func signingHash(hrp string, elems []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(hrp))
	h.Write(appendBytesFromElementsPadded(make([]byte, 0, (len(elems)*5+7)/8), elems))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// appendBytesFromElementsPadded packs 5-bit elements into bytes, padding the
// last byte with 0 bits.
func appendBytesFromElementsPadded(dst, elems []byte) []byte {
	var acc uint32
	var bits uint
	for _, e := range elems {
		acc = acc<<5 | uint32(e&31)
		bits += 5
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits))
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(8-bits)))
	}
	return dst
}

// scalarsOf splits R || S || recid into its scalars, failing when either is
// zero or not below the group order.
func scalarsOf(sig [65]byte) (r, s btcec.ModNScalar, ok bool) {
	overR := r.SetByteSlice(sig[:32])
	overS := s.SetByteSlice(sig[32:64])
	if overR || overS || r.IsZero() || s.IsZero() {
		return r, s, false
	}
	return r, s, true
}

// verifySignature checks the invoice signature and returns the payee key.
func verifySignature(hash [32]byte, sig [65]byte, nodeID *btcec.PublicKey) (*btcec.PublicKey, error) {
	// BOLT 11: "a trailing 1-byte recovery id in {0,1,2,3}".
	recoveryID := sig[64]
	if recoveryID > 3 {
		return nil, fmt.Errorf("%w: recovery id %d", ErrBadSignature, recoveryID)
	}
	if nodeID != nil {
		// BOLT 11: "if a valid n field is provided: MUST use the n field to
		// validate the signature instead of performing public-key recovery."
		r, s, ok := scalarsOf(sig)
		if !ok {
			return nil, fmt.Errorf("%w: r or s out of range", ErrBadSignature)
		}
		// BOLT 11: "If the signature is not compliant with the low-S
		// standard rule: MUST fail the payment."
		if s.IsOverHalfOrder() {
			return nil, ErrHighS
		}
		if !ecdsa.NewSignature(&r, &s).Verify(hash[:], nodeID) {
			return nil, fmt.Errorf("%w: does not verify against the n field", ErrBadSignature)
		}
		return nodeID, nil
	}
	// BOLT 11: "otherwise: MUST perform ECDSA public-key recovery and accept
	// both high-S and low-S signatures."
	var compact [65]byte
	compact[0] = compactHeaderBase + compactHeaderCompressed + recoveryID
	copy(compact[1:], sig[:64])
	key, _, err := ecdsa.RecoverCompact(compact[:], hash[:])
	if err != nil {
		return nil, fmt.Errorf("%w: recovery failed: %v", ErrBadSignature, err)
	}
	return key, nil
}

// signatureFromCompact converts a btcec compact signature (header byte, R,
// S) into the invoice layout (R, S, recovery id).
func signatureFromCompact(compact []byte) ([65]byte, error) {
	var sig [65]byte
	if len(compact) != 65 {
		return sig, fmt.Errorf("%w: compact signature of %d bytes, want 65", ErrSigner, len(compact))
	}
	header := compact[0]
	if header < compactHeaderBase || header > compactHeaderBase+compactHeaderCompressed+3 {
		return sig, fmt.Errorf("%w: compact signature header %d", ErrSigner, header)
	}
	copy(sig[:64], compact[1:])
	sig[64] = (header - compactHeaderBase) & 3
	return sig, nil
}

// derSignature encodes R and S of an invoice signature in DER, as Core
// Lightning prints signatures; S is kept as it is (not normalized to low-S).
func derSignature(sig [65]byte) []byte {
	r := derInteger(sig[:32])
	s := derInteger(sig[32:64])
	out := make([]byte, 0, 6+len(r)+len(s))
	out = append(out, 0x30, byte(4+len(r)+len(s)))
	out = append(out, 0x02, byte(len(r)))
	out = append(out, r...)
	out = append(out, 0x02, byte(len(s)))
	return append(out, s...)
}

// derInteger returns the minimal positive DER integer body of a big-endian
// number.
func derInteger(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 && b[1] < 0x80 {
		b = b[1:]
	}
	if b[0] >= 0x80 {
		return append([]byte{0}, b...)
	}
	return append([]byte(nil), b...)
}
