package revocation

import (
	"crypto/sha256"
	"fmt"
)

// FirstIndex is the index of the first per-commitment secret of a channel.
//
// BOLT #3: The first secret used: MUST be index 281474976710655, and from
// there, the index is decremented.
const FirstIndex uint64 = 1<<48 - 1

// IndexOf returns the secret index used by commitment number n.
func IndexOf(commitmentNumber uint64) (uint64, error) {
	if commitmentNumber > FirstIndex {
		return 0, fmt.Errorf("%w: commitment number %d", ErrIndexOutOfRange, commitmentNumber)
	}
	return FirstIndex - commitmentNumber, nil
}

// GenerateFromSeed returns the secret with the given index, as BOLT #3's
// generate_from_seed defines it:
//
//	generate_from_seed(seed, I):
//	    P = seed
//	    for B in 47 down to 0:
//	        if B set in I:
//	            flip(B) in P
//	            P = SHA256(P)
//	    return P
func GenerateFromSeed(seed [32]byte, index uint64) ([32]byte, error) {
	if index > FirstIndex {
		return [32]byte{}, fmt.Errorf("%w: %d", ErrIndexOutOfRange, index)
	}
	return deriveSecret(seed, 48, index), nil
}

// deriveSecret is BOLT #3's derive_secret(base, bits, I): it walks the bits
// below `bits` of index, flipping and hashing for each set bit.
func deriveSecret(base [32]byte, bits uint, index uint64) [32]byte {
	p := base
	for b := int(bits) - 1; b >= 0; b-- {
		if index&(1<<uint(b)) != 0 {
			// BOLT #3: "flip(B)" alternates the (B mod 8) bit of the
			// (B div 8) byte of the value.
			p[b/8] ^= 1 << uint(b%8)
			p = sha256.Sum256(p[:])
		}
	}
	return p
}

// Producer generates our own per-commitment secrets from a channel's seed.
// It never prints the seed.
type Producer struct {
	seed [32]byte
}

// NewProducer returns a producer for the seed.
//
// BOLT #3: A node MUST select an unguessable 256-bit seed for each
// connection, MUST NOT reveal the seed.
func NewProducer(seed [32]byte) *Producer { return &Producer{seed: seed} }

// AtIndex returns the secret with the given index.
func (p *Producer) AtIndex(index uint64) ([32]byte, error) {
	return GenerateFromSeed(p.seed, index)
}

// ForCommitment returns the secret of commitment number n (index
// FirstIndex-n).
func (p *Producer) ForCommitment(commitmentNumber uint64) ([32]byte, error) {
	index, err := IndexOf(commitmentNumber)
	if err != nil {
		return [32]byte{}, err
	}
	return GenerateFromSeed(p.seed, index)
}

// String hides the seed.
func (p *Producer) String() string { return "revocation.Producer{seed:hidden}" }

// GoString hides the seed from %#v.
func (p *Producer) GoString() string { return p.String() }
