package paywall

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

// preimageVectors reads testdata/preimages.txt: BOLT #3 Appendix C's
// preimages with their SHA-256.
func preimageVectors(t testing.TB) [][2]string {
	t.Helper()
	f, err := os.Open("testdata/preimages.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("bad vector line %q", line)
		}
		out = append(out, [2]string{fields[0], fields[1]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no vectors")
	}
	return out
}

func mustHash(t testing.TB, text string) [32]byte {
	t.Helper()
	var h [32]byte
	raw, err := hex.DecodeString(text)
	if err != nil || len(raw) != 32 {
		t.Fatalf("bad hash %q", text)
	}
	copy(h[:], raw)
	return h
}

func TestPreimageMatchesBOLT3Vectors(t *testing.T) {
	vectors := preimageVectors(t)
	for i, v := range vectors {
		preimage, err := ParsePreimage(v[0])
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		hash := mustHash(t, v[1])
		if !PreimageMatches(hash, preimage) {
			t.Errorf("vector %d: preimage %s does not match %s", i, v[0], v[1])
		}
		// Every other vector's hash must be refused.
		for j, other := range vectors {
			if j != i && PreimageMatches(mustHash(t, other[1]), preimage) {
				t.Errorf("preimage %d matches hash %d", i, j)
			}
		}
		// The hash itself is not a preimage of itself.
		if PreimageMatches(hash, hash) {
			t.Errorf("vector %d: hash accepted as its own preimage", i)
		}
	}
}

func TestPreimageMatchesRejectsOneBitFlips(t *testing.T) {
	v := preimageVectors(t)[1]
	preimage, _ := ParsePreimage(v[0])
	hash := mustHash(t, v[1])
	for bit := 0; bit < 256; bit++ {
		flipped := preimage
		flipped[bit/8] ^= 1 << (bit % 8)
		if PreimageMatches(hash, flipped) {
			t.Fatalf("preimage with bit %d flipped accepted", bit)
		}
		wrongHash := hash
		wrongHash[bit/8] ^= 1 << (bit % 8)
		if PreimageMatches(wrongHash, preimage) {
			t.Fatalf("hash with bit %d flipped accepted", bit)
		}
	}
}

func TestParsePreimage(t *testing.T) {
	zero := strings.Repeat("00", 32)
	cases := []struct {
		name string
		text string
		want string // hex of the result; "" when an error is expected
	}{
		{"lower case", strings.Repeat("ab", 32), strings.Repeat("ab", 32)},
		{"upper case", strings.Repeat("AB", 32), strings.Repeat("ab", 32)},
		{"pasted with spaces and newline", "  " + zero + "\n", zero},
		{"empty", "", ""},
		{"too short", strings.Repeat("00", 31), ""},
		{"too long", strings.Repeat("00", 33), ""},
		{"odd length", strings.Repeat("0", 63), ""},
		{"not hex", strings.Repeat("zz", 32), ""},
		{"space inside", strings.Repeat("00", 15) + " 0" + strings.Repeat("00", 16), ""},
		{"0x prefix", "0x" + strings.Repeat("00", 31), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePreimage(tc.text)
			if tc.want == "" {
				if !errors.Is(err, ErrBadPreimage) {
					t.Fatalf("ParsePreimage(%q) = %x, %v; want ErrBadPreimage", tc.text, got, err)
				}
				if got != ([32]byte{}) {
					t.Fatalf("failed parse returned %x", got)
				}
				return
			}
			if err != nil || hex.EncodeToString(got[:]) != tc.want {
				t.Fatalf("ParsePreimage(%q) = %x, %v; want %s", tc.text, got, err, tc.want)
			}
		})
	}
}

func FuzzParsePreimage(f *testing.F) {
	f.Add(strings.Repeat("01", 32))
	f.Add(strings.Repeat("AB", 32))
	f.Add("")
	f.Add(strings.Repeat("g", 64))
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ParsePreimage(text)
		if err != nil {
			if !errors.Is(err, ErrBadPreimage) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !strings.EqualFold(hex.EncodeToString(p[:]), strings.TrimSpace(text)) {
			t.Fatalf("%q parsed as %x", text, p)
		}
		if !PreimageMatches(sha256.Sum256(p[:]), p) {
			t.Fatalf("preimage %x does not match its own hash", p)
		}
	})
}

func BenchmarkPreimageMatches(b *testing.B) {
	v := preimageVectors(b)[2]
	preimage, _ := ParsePreimage(v[0])
	hash := mustHash(b, v[1])
	for b.Loop() {
		if !PreimageMatches(hash, preimage) {
			b.Fatal("no match")
		}
	}
}
