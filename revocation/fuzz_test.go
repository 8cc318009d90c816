package revocation

import (
	"bytes"
	"errors"
	"math/bits"
	"testing"
)

// FuzzStoreInsertSequence inserts n secrets from a seed. Without corruption
// every insert succeeds and every secret can be looked up and survives
// persistence. With corruption, as in Appendix D, the secret at index I with
// B trailing zero bits, and all the secrets it derives (indexes I to
// I+2^B-1), come from another seed: they are consistent with each other, so
// inserts succeed until the first later index with more than B trailing
// zero bits, which must fail with ErrSecretMismatch and leave the store
// unchanged.
func FuzzStoreInsertSequence(f *testing.F) {
	f.Add([]byte{0xFF}, uint16(8), uint16(0), byte(1))
	f.Add([]byte{0x00}, uint16(300), uint16(5), byte(0))
	f.Add([]byte{1, 2, 3}, uint16(64), uint16(3), byte(0x80))
	f.Add([]byte{}, uint16(1), uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, seedBytes []byte, n uint16, corruptAt uint16, corruptMask byte) {
		var seed [32]byte
		copy(seed[:], seedBytes)
		count := int(n % 2048)
		corrupt := corruptMask != 0 && int(corruptAt) < count
		var corruptIndex, corruptEnd uint64
		if corrupt {
			corruptIndex = FirstIndex - uint64(corruptAt)
			corruptEnd = corruptIndex + uint64(1)<<bucketOf(corruptIndex)
		}
		wrongSeed := seed
		wrongSeed[int(corruptAt)%32] ^= corruptMask
		var s Store
		for i := 0; i < count; i++ {
			index := FirstIndex - uint64(i)
			from := seed
			if corrupt && index >= corruptIndex && index < corruptEnd {
				from = wrongSeed
			}
			secret, err := GenerateFromSeed(from, index)
			if err != nil {
				t.Fatal(err)
			}
			mustFail := corrupt && index < corruptIndex &&
				bits.TrailingZeros64(index) > bits.TrailingZeros64(corruptIndex)
			before := s
			err = s.Insert(index, secret)
			if mustFail {
				if !errors.Is(err, ErrSecretMismatch) {
					t.Fatalf("insert %d after wrong secret at %d: got %v", index, corruptIndex, err)
				}
				if s != before {
					t.Fatal("failed insert changed the store")
				}
				return
			}
			if err != nil {
				t.Fatalf("insert %d: %v", index, err)
			}
		}
		if corrupt {
			return
		}
		for i := 0; i < count; i++ {
			index := FirstIndex - uint64(i)
			want, _ := GenerateFromSeed(seed, index)
			if got, err := s.Lookup(index); err != nil || got != want {
				t.Fatalf("lookup %d: %x, %v", index, got, err)
			}
		}
		data, _ := s.MarshalBinary()
		var back Store
		if err := back.UnmarshalBinary(data); err != nil || back != s {
			t.Fatalf("persisted store did not decode back: %v", err)
		}
	})
}

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary: it must not panic,
// and whatever it accepts must encode back to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	for _, n := range []int{0, 1, 5, 16} {
		data, _ := fillStore(f, testSeed(byte(n)), n).MarshalBinary()
		f.Add(data)
	}
	f.Add([]byte{1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Store
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrBadEncoding) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, _ := s.MarshalBinary()
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n%x\n%x", data, again)
		}
	})
}
