package revocation

import (
	"bufio"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The vectors are BOLT #3 "Appendix D: Per-commitment Secret Generation Test
// Vectors", transcribed verbatim in testdata/appendix_d.txt.

type generationVector struct {
	name   string
	seed   [32]byte
	index  uint64
	output [32]byte
}

type insertStep struct {
	index  uint64
	secret [32]byte
	wantOK bool
}

type storageVector struct {
	name  string
	steps []insertStep
}

func parseHex32(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 32 {
		t.Fatalf("bad 32-byte hex %q: %v", s, err)
	}
	var out [32]byte
	copy(out[:], b)
	return out
}

func parseIndex(t *testing.T, s string) uint64 {
	t.Helper()
	var v uint64
	var err error
	if strings.HasPrefix(s, "0x") {
		v, err = strconv.ParseUint(s[2:], 16, 64)
	} else {
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		t.Fatalf("bad index %q: %v", s, err)
	}
	return v
}

func loadAppendixD(t *testing.T) ([]generationVector, []storageVector) {
	t.Helper()
	f, err := os.Open("testdata/appendix_d.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var gens []generationVector
	var stores []storageVector
	inStorage := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "## Storage Tests" {
			inStorage = true
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		switch {
		case key == "name" && !inStorage:
			gens = append(gens, generationVector{name: value})
		case key == "name":
			stores = append(stores, storageVector{name: value})
		case key == "seed":
			gens[len(gens)-1].seed = parseHex32(t, value)
		case key == "I" && !inStorage:
			gens[len(gens)-1].index = parseIndex(t, value)
		case key == "I":
			v := &stores[len(stores)-1]
			v.steps = append(v.steps, insertStep{index: parseIndex(t, value)})
		case key == "output" && !inStorage:
			gens[len(gens)-1].output = parseHex32(t, value)
		case key == "secret":
			v := &stores[len(stores)-1]
			v.steps[len(v.steps)-1].secret = parseHex32(t, value)
		case key == "output":
			v := &stores[len(stores)-1]
			if value != "OK" && value != "ERROR" {
				t.Fatalf("unexpected output %q", value)
			}
			v.steps[len(v.steps)-1].wantOK = value == "OK"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(gens) != 5 || len(stores) != 9 {
		t.Fatalf("parsed %d generation and %d storage vectors, want 5 and 9", len(gens), len(stores))
	}
	return gens, stores
}

func TestAppendixDGeneration(t *testing.T) {
	gens, _ := loadAppendixD(t)
	for _, v := range gens {
		t.Run(v.name, func(t *testing.T) {
			got, err := GenerateFromSeed(v.seed, v.index)
			if err != nil {
				t.Fatal(err)
			}
			if got != v.output {
				t.Fatalf("got %x, want %x", got, v.output)
			}
			if p, _ := NewProducer(v.seed).AtIndex(v.index); p != v.output {
				t.Fatalf("producer got %x, want %x", p, v.output)
			}
		})
	}
}

func TestAppendixDStorage(t *testing.T) {
	_, stores := loadAppendixD(t)
	for _, v := range stores {
		t.Run(v.name, func(t *testing.T) {
			var s Store
			for i, step := range v.steps {
				before, _ := s.MarshalBinary()
				err := s.Insert(step.index, step.secret)
				if step.wantOK {
					if err != nil {
						t.Fatalf("step %d: unexpected error %v", i, err)
					}
					got, err := s.Lookup(step.index)
					if err != nil || got != step.secret {
						t.Fatalf("step %d: lookup got %x, %v", i, got, err)
					}
					continue
				}
				if !errors.Is(err, ErrSecretMismatch) {
					t.Fatalf("step %d: got %v, want ErrSecretMismatch", i, err)
				}
				after, _ := s.MarshalBinary()
				if string(before) != string(after) {
					t.Fatalf("step %d: failed insert changed the store", i)
				}
			}
		})
	}
}

// The correct sequence of Appendix D is generated from the all-0xFF seed:
// every secret the store derives must match the generator.
func TestAppendixDStorageDerivesGeneratedSecrets(t *testing.T) {
	_, stores := loadAppendixD(t)
	correct := stores[0]
	var seed [32]byte
	for i := range seed {
		seed[i] = 0xFF
	}
	var s Store
	for _, step := range correct.steps {
		want, err := GenerateFromSeed(seed, step.index)
		if err != nil {
			t.Fatal(err)
		}
		if want != step.secret {
			t.Fatalf("vector secret for %d is not generated from the 0xFF seed", step.index)
		}
		if err := s.Insert(step.index, step.secret); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range correct.steps {
		got, err := s.Lookup(step.index)
		if err != nil || got != step.secret {
			t.Fatalf("lookup %d: got %x, %v", step.index, got, err)
		}
	}
}
