package onion

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/tlv"
)

// BOLT #4 test vector blinded-payment-onion-test.json: Alice and Bob (the
// introduction point) peel ordinary layers; Carol, Dave and Eve peel with
// the path_key handed along. Each next packet must be the next hop's onion
// and each path_key the one the vector derives.
func TestPeelBlindedVector(t *testing.T) {
	var v blindedVector
	loadJSON(t, "blinded-payment-onion-test.json", &v)
	assoc := mustHex(t, v.Generate.AssociatedData)
	route := v.Generate.FullRoute.Hops
	decrypt := v.Decrypt.Hops
	if len(route) != 5 || len(decrypt) != 5 {
		t.Fatalf("vector has %d/%d hops", len(route), len(decrypt))
	}
	if decrypt[0].Onion != v.Generate.Onion {
		t.Fatal("first decrypt onion differs from the generated onion")
	}

	var pathKey *btcec.PublicKey
	for i, hop := range decrypt {
		packet, err := ParsePacket(mustHex(t, hop.Onion))
		if err != nil {
			t.Fatal(err)
		}
		ecdh := keyECDH{mustPrivKey(t, hop.NodePrivKey)}
		var peeled *Peeled
		if pathKey == nil {
			peeled, err = Peel(packet, assoc, ecdh)
		} else {
			peeled, err = PeelBlinded(packet, assoc, ecdh, pathKey)
		}
		if err != nil {
			t.Fatalf("%s: %v", hop.Alias, err)
		}
		if want := unframe(t, mustHex(t, route[i].Payload)); !bytes.Equal(peeled.Payload, want) {
			t.Fatalf("%s payload\n got %x\nwant %x", hop.Alias, peeled.Payload, want)
		}
		if i == len(decrypt)-1 {
			if !peeled.IsFinal() {
				t.Fatalf("%s is not final", hop.Alias)
			}
		} else if got := hex.EncodeToString(peeled.Next.Bytes()); got != decrypt[i+1].Onion {
			t.Fatalf("%s next onion mismatch", hop.Alias)
		}
		if hop.NextPathKey == "" {
			continue
		}

		// The hop's path key: handed along, or current_path_key at the
		// introduction point.
		payload, err := ParseHopPayload(peeled.Payload)
		if err != nil {
			t.Fatal(err)
		}
		secret := peeled.PathKeySecret
		if pathKey == nil {
			pathKey = payload.CurrentPathKey
			if secret, err = ecdh.ECDH(pathKey); err != nil {
				t.Fatal(err)
			}
		}
		plain, err := DecryptRecipientData(secret, payload.EncryptedRecipientData)
		if err != nil {
			t.Fatalf("%s: %v", hop.Alias, err)
		}
		data, err := tlv.DecodeStream(plain)
		if err != nil {
			t.Fatalf("%s encrypted_data_tlv: %v", hop.Alias, err)
		}
		next, err := NextPathKey(pathKey, secret)
		if err != nil {
			t.Fatal(err)
		}
		// encrypted_data_tlv type 8 is next_path_key_override.
		if override, ok := data.Get(8); ok {
			if next, err = btcec.ParsePubKey(override); err != nil {
				t.Fatal(err)
			}
		}
		if got := hex.EncodeToString(next.SerializeCompressed()); got != hop.NextPathKey {
			t.Fatalf("%s next path key %s, want %s", hop.Alias, got, hop.NextPathKey)
		}
		pathKey = next
	}
}

// Inside a blinded route every BADONION failure is invalid_onion_blinding.
func TestPeelBlindedErrors(t *testing.T) {
	packet, node, assoc := singleHopFixture(t)
	pathKey, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x33}, 32))

	// Without the blinding tweak the onion was built for the plain key: the
	// HMAC fails, reported as invalid_onion_blinding.
	_, err := PeelBlinded(packet, assoc, keyECDH{node}, pathKey.PubKey())
	var bad *BadOnionError
	if !errors.As(err, &bad) || bad.Code != CodeInvalidOnionBlinding || !errors.Is(err, ErrInvalidOnionHMAC) {
		t.Fatalf("err = %v", err)
	}
	bumped := *packet
	bumped.Version = 2
	if _, err := PeelBlinded(&bumped, assoc, keyECDH{node}, pathKey.PubKey()); !errors.As(err, &bad) ||
		bad.Code != CodeInvalidOnionBlinding || !errors.Is(err, ErrInvalidOnionVersion) {
		t.Fatalf("version: err = %v", err)
	}
	if _, err := PeelBlinded(packet, assoc, keyECDH{node}, nil); !errors.Is(err, ErrInvalidOnionBlinding) {
		t.Fatalf("nil path key: err = %v", err)
	}
	if _, err := PeelBlinded(packet, assoc, failingECDH{}, pathKey.PubKey()); !errors.As(err, &bad) ||
		bad.Code != CodeInvalidOnionBlinding || !errors.Is(err, ErrInvalidOnionBlinding) {
		t.Fatalf("ecdh failure: err = %v", err)
	}
	if _, err := DecryptRecipientData([32]byte{1}, []byte("not sealed with this key, 16+ bytes")); !errors.Is(err, ErrRecipientDataUndecryptable) {
		t.Fatalf("undecryptable data: err = %v", err)
	}
	if _, err := NextPathKey(nil, [32]byte{}); !errors.Is(err, ErrInvalidOnionBlinding) {
		t.Fatalf("nil path key: err = %v", err)
	}
}
