package revocation

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func testSeed(b byte) [32]byte {
	var seed [32]byte
	for i := range seed {
		seed[i] = b + byte(i)
	}
	return seed
}

// fillStore inserts the first n secrets generated from seed.
func fillStore(t testing.TB, seed [32]byte, n int) *Store {
	t.Helper()
	var s Store
	for i := 0; i < n; i++ {
		secret, err := GenerateFromSeed(seed, FirstIndex-uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Insert(FirstIndex-uint64(i), secret); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	return &s
}

func TestInsertErrors(t *testing.T) {
	seed := testSeed(7)
	good := func(index uint64) [32]byte {
		s, err := GenerateFromSeed(seed, index)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name     string
		received int
		index    uint64
		secret   [32]byte
		want     error
	}{
		{"first must be FirstIndex", 0, FirstIndex - 1, good(FirstIndex - 1), ErrUnexpectedIndex},
		{"index above 48 bits", 0, FirstIndex + 1, [32]byte{}, ErrIndexOutOfRange},
		{"skipped index", 3, FirstIndex - 4, good(FirstIndex - 4), ErrUnexpectedIndex},
		{"repeated index", 3, FirstIndex - 2, good(FirstIndex - 2), ErrUnexpectedIndex},
		{"wrong secret detected at once", 1, FirstIndex - 1, good(FirstIndex - 3), ErrSecretMismatch},
		{"wrong secret for bucket 2", 3, FirstIndex - 3, [32]byte{1}, ErrSecretMismatch},
		{"correct next secret", 3, FirstIndex - 3, good(FirstIndex - 3), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := fillStore(t, seed, tc.received)
			err := s.Insert(tc.index, tc.secret)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			wantReceived := uint64(tc.received)
			if tc.want == nil {
				wantReceived++
			}
			if s.Received() != wantReceived {
				t.Fatalf("received %d, want %d", s.Received(), wantReceived)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	seed := testSeed(1)
	s := fillStore(t, seed, 1000)
	for i := uint64(0); i < 1000; i++ {
		want, _ := GenerateFromSeed(seed, FirstIndex-i)
		got, err := s.Lookup(FirstIndex - i)
		if err != nil || got != want {
			t.Fatalf("index FirstIndex-%d: got %x, %v; want %x", i, got, err, want)
		}
	}
	for _, tc := range []struct {
		index uint64
		want  error
	}{
		{FirstIndex - 1000, ErrUnknownIndex},
		{0, ErrUnknownIndex},
		{FirstIndex + 1, ErrIndexOutOfRange},
	} {
		if _, err := s.Lookup(tc.index); !errors.Is(err, tc.want) {
			t.Errorf("Lookup(%d): got %v, want %v", tc.index, err, tc.want)
		}
	}
	var empty Store
	if _, err := empty.Lookup(FirstIndex); !errors.Is(err, ErrUnknownIndex) {
		t.Fatalf("empty store: got %v", err)
	}
}

// The last secrets of a channel: the store holds index 0 (the seed itself)
// in bucket 48 and then accepts nothing more.
func TestStoreEnd(t *testing.T) {
	seed := testSeed(3)
	var s Store
	// Pretend the store already received all secrets but the last 4 by
	// seeding it through its persisted form: bucket indexes follow from the
	// count, their secrets from the generator.
	s.received = FirstIndex - 3
	indexes, filled := bucketIndexes(s.received)
	for b := range s.known {
		if filled[b] {
			secret, _ := GenerateFromSeed(seed, indexes[b])
			s.known[b] = bucket{index: indexes[b], secret: secret, filled: true}
		}
	}
	for _, index := range []uint64{3, 2, 1, 0} {
		secret, _ := GenerateFromSeed(seed, index)
		if err := s.Insert(index, secret); err != nil {
			t.Fatalf("insert %d: %v", index, err)
		}
	}
	if !s.known[48].filled || s.known[48].secret != seed {
		t.Fatal("index 0 must be the seed, stored in bucket 48")
	}
	if _, ok := s.NextIndex(); ok {
		t.Fatal("a full store must expect no further index")
	}
	if err := s.Insert(0, seed); !errors.Is(err, ErrUnexpectedIndex) {
		t.Fatalf("insert into full store: got %v", err)
	}
	for _, index := range []uint64{0, 1, 12345, FirstIndex} {
		want, _ := GenerateFromSeed(seed, index)
		if got, err := s.Lookup(index); err != nil || got != want {
			t.Fatalf("lookup %d: %v", index, err)
		}
	}
	data, _ := s.MarshalBinary()
	var back Store
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if back != s {
		t.Fatal("full store did not survive a round trip")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	seed := testSeed(9)
	for _, n := range []int{0, 1, 2, 3, 8, 100, 1025} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := fillStore(t, seed, n)
			data, err := s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back Store
			if err := back.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			if back != *s {
				t.Fatalf("round trip changed the store")
			}
			// The decoded store keeps working.
			next, _ := back.NextIndex()
			secret, _ := GenerateFromSeed(seed, next)
			if err := back.Insert(next, secret); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	seed := testSeed(5)
	valid, _ := fillStore(t, seed, 8).MarshalBinary() // buckets 0..3 filled
	corrupt := bytes.Clone(valid)
	corrupt[9] ^= 1 // bucket 0's secret no longer derives from bucket 3
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{2}, valid[1:]...)},
		{"truncated", valid[:len(valid)-1]},
		{"trailing bytes", append(bytes.Clone(valid), 0)},
		{"count too large", []byte{1, 0, 2, 0, 0, 0, 0, 0, 0}},
		{"inconsistent secrets", corrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := fillStore(t, seed, 2)
			before := *s
			if err := s.UnmarshalBinary(tc.data); !errors.Is(err, ErrBadEncoding) {
				t.Fatalf("got %v, want ErrBadEncoding", err)
			}
			if *s != before {
				t.Fatal("failed decode changed the store")
			}
		})
	}
}

func TestIndexOfAndProducer(t *testing.T) {
	seed := testSeed(2)
	p := NewProducer(seed)
	for _, n := range []uint64{0, 1, 42, FirstIndex} {
		index, err := IndexOf(n)
		if err != nil || index != FirstIndex-n {
			t.Fatalf("IndexOf(%d) = %d, %v", n, index, err)
		}
		byNumber, err := p.ForCommitment(n)
		if err != nil {
			t.Fatal(err)
		}
		byIndex, _ := p.AtIndex(index)
		if byNumber != byIndex {
			t.Fatalf("commitment %d: secrets differ", n)
		}
	}
	if _, err := IndexOf(FirstIndex + 1); !errors.Is(err, ErrIndexOutOfRange) {
		t.Fatalf("got %v", err)
	}
	if _, err := p.AtIndex(FirstIndex + 1); !errors.Is(err, ErrIndexOutOfRange) {
		t.Fatalf("got %v", err)
	}
	if _, err := p.ForCommitment(FirstIndex + 1); !errors.Is(err, ErrIndexOutOfRange) {
		t.Fatalf("got %v", err)
	}
	// Index 0 is the seed itself.
	if s, _ := p.AtIndex(0); s != seed {
		t.Fatal("index 0 must return the seed")
	}
}

func TestProducerHidesSeed(t *testing.T) {
	seed := testSeed(0xA0)
	p := NewProducer(seed)
	for _, text := range []string{fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s", p, p, p, p)} {
		if bytes.Contains([]byte(text), []byte(fmt.Sprintf("%x", seed[:4]))) ||
			bytes.Contains([]byte(text), []byte(fmt.Sprint(seed[0]))) {
			t.Fatalf("seed leaked: %q", text)
		}
	}
}
