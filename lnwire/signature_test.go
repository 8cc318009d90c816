package lnwire

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

func TestSignatureConversions(t *testing.T) {
	for i := byte(1); i <= 20; i++ {
		key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{i}, 32))
		hash := sha256.Sum256([]byte{i})
		der := ecdsa.Sign(key, hash[:]).Serialize()
		sig, err := NewSignatureFromDER(der)
		if err != nil {
			t.Fatal(err)
		}
		// SignCompact (RFC 6979, like Sign) gives a recovery byte then R||S.
		if compact := ecdsa.SignCompact(key, hash[:], true); !bytes.Equal(compact[1:], sig[:]) {
			t.Fatalf("key %d: compact %x, converted %x", i, compact[1:], sig)
		}
		parsed, err := sig.ToECDSA()
		if err != nil {
			t.Fatal(err)
		}
		if !parsed.Verify(hash[:], key.PubKey()) || !bytes.Equal(parsed.Serialize(), der) {
			t.Fatalf("key %d: round trip through Signature lost the signature", i)
		}
	}
}

func TestSignatureErrors(t *testing.T) {
	var zero Signature
	if _, err := zero.ToECDSA(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("zero signature: %v", err)
	}
	var overflow Signature
	for i := range overflow {
		overflow[i] = 0xff
	}
	if _, err := overflow.ToECDSA(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("R above the order: %v", err)
	}
	for _, der := range [][]byte{nil, {0x30, 0x00}, {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01}} {
		if _, err := NewSignatureFromDER(der); !errors.Is(err, ErrBadSignature) {
			t.Errorf("DER %x: %v", der, err)
		}
	}
}
