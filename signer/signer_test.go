package signer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

func TestSecretCreatedOnceWithMode0400(t *testing.T) {
	dir := t.TempDir()
	first, created, err := LoadOrCreateSecret(dir, bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	info, err := os.Stat(filepath.Join(dir, SecretFileName))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o400 {
		t.Fatalf("mode %v, want 0400", info.Mode().Perm())
	}
	second, created, err := LoadOrCreateSecret(dir, bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	if err != nil || created {
		t.Fatalf("second load: created=%v err=%v", created, err)
	}
	if first != second {
		t.Fatal("secret changed between loads")
	}
}

func TestBadSecretFileRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SecretFileName), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadOrCreateSecret(dir, bytes.NewReader(make([]byte, 32)))
	if !errors.Is(err, ErrBadSecretFile) {
		t.Fatalf("got %v, want ErrBadSecretFile", err)
	}
}

func TestShortRandomnessFails(t *testing.T) {
	_, _, err := LoadOrCreateSecret(t.TempDir(), bytes.NewReader(make([]byte, 5)))
	if err == nil {
		t.Fatal("want an error when randomness runs out")
	}
}

func TestNodeIDDeterministic(t *testing.T) {
	var secret [32]byte
	secret[0] = 1
	a, err := New(secret)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(secret)
	if !a.NodeID().IsEqual(b.NodeID()) {
		t.Fatal("same secret gave different node ids")
	}
	secret[0] = 2
	c, _ := New(secret)
	if a.NodeID().IsEqual(c.NodeID()) {
		t.Fatal("different secrets gave the same node id")
	}
}

func TestECDHAgreesBothWays(t *testing.T) {
	var s1, s2 [32]byte
	s1[5], s2[6] = 1, 2
	a, _ := New(s1)
	b, _ := New(s2)
	ab, err := a.NodeECDH().ECDH(b.NodeID())
	if err != nil {
		t.Fatal(err)
	}
	ba, _ := b.NodeECDH().ECDH(a.NodeID())
	if ab != ba {
		t.Fatal("ECDH not symmetric")
	}
	if _, err := a.NodeECDH().ECDH(nil); err == nil {
		t.Fatal("ECDH with nil key must fail")
	}
}

// BOLT 8 appendix: ECDH(rs, e.priv) for the initiator test vector.
func TestECDHMatchesBOLT8Vector(t *testing.T) {
	priv := mustHex(t, "1212121212121212121212121212121212121212121212121212121212121212")
	pub := mustHex(t, "028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7")
	want := mustHex(t, "1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3")
	key, _ := btcec.PrivKeyFromBytes(priv)
	remote, err := btcec.ParsePubKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := NodeECDH{key: key}.ECDH(remote)
	if !bytes.Equal(got[:], want) {
		t.Fatalf("ECDH %x, want %x", got, want)
	}
}

func TestInvoiceSignatureRecoversNodeID(t *testing.T) {
	var secret [32]byte
	secret[31] = 3
	s, _ := New(secret)
	hash := sha256.Sum256([]byte("invoice"))
	sig, err := s.InvoiceSigner().SignCompact(hash)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, err := ecdsa.RecoverCompact(sig, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	if !pub.IsEqual(s.NodeID()) {
		t.Fatal("recovered key is not the node id")
	}
}
