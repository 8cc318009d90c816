package revocation

import (
	"encoding/binary"
	"fmt"
)

// encodingVersion is the first byte of the persisted form.
const encodingVersion = 1

// The persisted form is:
//
//	version    1 byte (1)
//	received   8 bytes, big-endian: how many secrets were inserted
//	secrets    32 bytes per filled bucket, in increasing bucket order
//
// The index of each filled bucket follows from `received` (it is the lowest
// received index with that many trailing zero bits), so it is not stored.

// bucketIndexes returns, for a store that received `received` secrets, the
// index held by each bucket (ok false for an empty bucket).
func bucketIndexes(received uint64) (indexes [numBuckets]uint64, filled [numBuckets]bool) {
	if received == 0 {
		return indexes, filled
	}
	lowest := FirstIndex - (received - 1)
	for b := uint(0); b < 48; b++ {
		// The smallest index >= lowest that is an odd multiple of 2^b.
		m := (lowest + (uint64(1) << b) - 1) >> b
		if m%2 == 0 {
			m++
		}
		if idx := m << b; idx <= FirstIndex {
			indexes[b], filled[b] = idx, true
		}
	}
	if lowest == 0 {
		indexes[48], filled[48] = 0, true
	}
	return indexes, filled
}

// MarshalBinary encodes the store for persistence.
func (s *Store) MarshalBinary() ([]byte, error) {
	out := make([]byte, 9, 9+numBuckets*32)
	out[0] = encodingVersion
	binary.BigEndian.PutUint64(out[1:9], s.received)
	for b := range s.known {
		if s.known[b].filled {
			out = append(out, s.known[b].secret[:]...)
		}
	}
	return out, nil
}

// UnmarshalBinary replaces the store with the decoded one. It rejects
// encodings whose secrets do not derive each other as Insert would have
// required; on error the store is unchanged.
func (s *Store) UnmarshalBinary(data []byte) error {
	if len(data) < 9 || data[0] != encodingVersion {
		return fmt.Errorf("%w: missing or unknown version header", ErrBadEncoding)
	}
	received := binary.BigEndian.Uint64(data[1:9])
	if received > FirstIndex+1 {
		return fmt.Errorf("%w: %d secrets received", ErrBadEncoding, received)
	}
	indexes, filled := bucketIndexes(received)
	var decoded Store
	decoded.received = received
	rest := data[9:]
	for b := range decoded.known {
		if !filled[b] {
			continue
		}
		if len(rest) < 32 {
			return fmt.Errorf("%w: truncated", ErrBadEncoding)
		}
		decoded.known[b] = bucket{index: indexes[b], filled: true}
		copy(decoded.known[b].secret[:], rest[:32])
		rest = rest[32:]
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrBadEncoding, len(rest))
	}
	if err := decoded.checkConsistent(); err != nil {
		return err
	}
	*s = decoded
	return nil
}

// checkConsistent re-runs the derivation checks Insert made: each bucket's
// secret must derive every lower bucket's secret that was received before it
// (that has a greater index).
func (s *Store) checkConsistent() error {
	for high := uint(1); high < numBuckets; high++ {
		h := &s.known[high]
		if !h.filled {
			continue
		}
		for low := uint(0); low < high; low++ {
			l := &s.known[low]
			if l.filled && l.index > h.index && deriveSecret(h.secret, high, l.index) != l.secret {
				return fmt.Errorf("%w: %w: index %d does not derive index %d",
					ErrBadEncoding, ErrSecretMismatch, h.index, l.index)
			}
		}
	}
	return nil
}
