package revocation

import (
	"fmt"
	"math/bits"
)

// numBuckets is the number of (index, secret) pairs of the compact storage:
// one per possible count of trailing zero bits of a 48-bit index, plus one
// for index 0 (the seed itself).
const numBuckets = 49

// bucket is one (value, index) pair of BOLT #3's compact storage.
type bucket struct {
	index  uint64
	secret [32]byte
	filled bool
}

// Store keeps every per-commitment secret a peer has revealed, in at most 49
// (index, secret) pairs, as BOLT #3 "Efficient Per-commitment Secret Storage"
// describes. The zero value is an empty store expecting FirstIndex.
type Store struct {
	known [numBuckets]bucket
	// received is how many secrets were inserted; the next one expected has
	// index FirstIndex-received.
	received uint64
}

// bucketOf is BOLT #3's where_to_put_secret: the number of trailing zero
// bits of the index, 48 for index 0.
func bucketOf(index uint64) uint {
	if index == 0 {
		return 48
	}
	return uint(bits.TrailingZeros64(index))
}

// NextIndex returns the index the next inserted secret must have; ok is
// false once all 2^48 secrets were received.
func (s *Store) NextIndex() (index uint64, ok bool) {
	if s.received > FirstIndex {
		return 0, false
	}
	return FirstIndex - s.received, true
}

// Received returns how many secrets were inserted.
func (s *Store) Received() uint64 { return s.received }

// Insert adds the secret with the given index. Secrets must come in
// descending index order starting at FirstIndex. The store is unchanged when
// Insert fails.
func (s *Store) Insert(index uint64, secret [32]byte) error {
	if index > FirstIndex {
		return fmt.Errorf("%w: %d", ErrIndexOutOfRange, index)
	}
	next, ok := s.NextIndex()
	if !ok || index != next {
		// BOLT #3: secrets are always received in descending order
		// starting at 0xFFFFFFFFFFFF.
		return fmt.Errorf("%w: got index %d, want %d", ErrUnexpectedIndex, index, next)
	}
	b := bucketOf(index)
	// BOLT #3: A double-check, that all previous secrets derive correctly,
	// is needed; if this check fails, the secrets were not generated from
	// the same seed.
	for lower := uint(0); lower < b; lower++ {
		k := &s.known[lower]
		if k.filled && deriveSecret(secret, b, k.index) != k.secret {
			return fmt.Errorf("%w: secret for index %d does not derive index %d", ErrSecretMismatch, index, k.index)
		}
	}
	s.known[b] = bucket{index: index, secret: secret, filled: true}
	s.received++
	return nil
}

// Lookup returns the secret with the given index, derived from the stored
// secret whose index is a prefix of it (BOLT #3 derive_old_secret).
func (s *Store) Lookup(index uint64) ([32]byte, error) {
	if index > FirstIndex {
		return [32]byte{}, fmt.Errorf("%w: %d", ErrIndexOutOfRange, index)
	}
	for b := uint(0); b < numBuckets; b++ {
		k := &s.known[b]
		if !k.filled {
			continue
		}
		// BOLT #3: Mask off the non-zero prefix of the index.
		mask := ^(uint64(1)<<b - 1)
		if index&mask == k.index {
			return deriveSecret(k.secret, b, index), nil
		}
	}
	return [32]byte{}, fmt.Errorf("%w: index %d", ErrUnknownIndex, index)
}
