package revocation

import "testing"

func BenchmarkGenerateFromSeed(b *testing.B) {
	seed := testSeed(4)
	for i := 0; b.Loop(); i++ {
		if _, err := GenerateFromSeed(seed, FirstIndex-uint64(i%1000)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStoreInsert(b *testing.B) {
	seed := testSeed(6)
	secrets := make([][32]byte, 4096)
	for i := range secrets {
		secrets[i], _ = GenerateFromSeed(seed, FirstIndex-uint64(i))
	}
	var s Store
	for i := 0; b.Loop(); i++ {
		j := i % len(secrets)
		if j == 0 {
			s = Store{}
		}
		if err := s.Insert(FirstIndex-uint64(j), secrets[j]); err != nil {
			b.Fatal(err)
		}
	}
}
