package channeltx

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/wire"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	b := mustHex(t, s)
	if len(b) != 32 {
		t.Fatalf("want 32 bytes, got %d in %q", len(b), s)
	}
	var out [32]byte
	copy(out[:], b)
	return out
}

func mustPubKey(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	k, err := btcec.ParsePubKey(mustHex(t, s))
	if err != nil {
		t.Fatalf("bad public key %q: %v", s, err)
	}
	return k
}

// mustPrivKey parses a private key written as 32 bytes, optionally followed
// by Bitcoin's 01 "compressed" marker as the BOLT #3 appendices do.
func mustPrivKey(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	b := mustHex(t, s)
	if len(b) == 33 && b[32] == 1 {
		b = b[:32]
	}
	if len(b) != 32 {
		t.Fatalf("bad private key %q", s)
	}
	k, _ := btcec.PrivKeyFromBytes(b)
	return k
}

func serializeTx(t testing.TB, tx *wire.MsgTx) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// vectorLine is one "key: value" or "key = value" line of an appendix, with
// the "#", "INTERNAL:" and indentation decorations removed.
type vectorLine struct {
	key, value string
}

// readVectorLines reads the key/value lines of a transcribed appendix.
func readVectorLines(t testing.TB, path string) []vectorLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []vectorLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		line = strings.TrimSpace(strings.TrimPrefix(line, "INTERNAL:"))
		colon := strings.Index(line, ": ")
		equals := strings.Index(line, " = ")
		switch {
		case colon > 0 && (equals < 0 || colon < equals):
			lines = append(lines, vectorLine{line[:colon], strings.TrimSpace(line[colon+2:])})
		case equals > 0:
			lines = append(lines, vectorLine{line[:equals], strings.TrimSpace(line[equals+3:])})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
