package channeltx

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// TestAppendixE runs BOLT #3 "Appendix E: Key Derivation Test Vectors".
func TestAppendixE(t *testing.T) {
	values := map[string]string{}
	for _, l := range readVectorLines(t, "testdata/appendix_e.txt") {
		if _, dup := values[l.key]; !dup {
			values[l.key] = l.value
		}
	}
	for _, k := range []string{"base_secret", "per_commitment_secret", "base_point", "per_commitment_point",
		"localpubkey", "localprivkey", "revocationpubkey", "revocationprivkey"} {
		if values[k] == "" {
			t.Fatalf("vector %q missing from testdata", k)
		}
	}
	baseSecret := mustPrivKey(t, values["base_secret"])
	perCommitmentSecret := mustHex32(t, values["per_commitment_secret"])
	basepoint := mustPubKey(t, values["base_point"])
	wantPoint := mustPubKey(t, values["per_commitment_point"])

	t.Run("per_commitment_point", func(t *testing.T) {
		point, err := PerCommitmentPoint(perCommitmentSecret)
		if err != nil || !point.IsEqual(wantPoint) {
			t.Fatalf("got %x, %v", point.SerializeCompressed(), err)
		}
		if !baseSecret.PubKey().IsEqual(basepoint) {
			t.Fatal("base_point is not base_secret * G")
		}
	})
	t.Run("derivation of pubkey from basepoint and per_commitment_point", func(t *testing.T) {
		got := DerivePubKey(basepoint, wantPoint)
		if want := mustPubKey(t, values["localpubkey"]); !got.IsEqual(want) {
			t.Fatalf("got %x", got.SerializeCompressed())
		}
	})
	t.Run("derivation of private key from basepoint secret and per_commitment_secret", func(t *testing.T) {
		got := DerivePrivKey(baseSecret, wantPoint)
		want := mustHex32(t, values["localprivkey"])
		if got.Key.Bytes() != want {
			t.Fatalf("got %x", got.Serialize())
		}
		if !got.PubKey().IsEqual(DerivePubKey(basepoint, wantPoint)) {
			t.Fatal("private and public derivations disagree")
		}
	})
	t.Run("derivation of revocation pubkey from basepoint and per_commitment_point", func(t *testing.T) {
		got := DeriveRevocationPubKey(basepoint, wantPoint)
		if want := mustPubKey(t, values["revocationpubkey"]); !got.IsEqual(want) {
			t.Fatalf("got %x", got.SerializeCompressed())
		}
	})
	t.Run("derivation of revocation secret from basepoint_secret and per_commitment_secret", func(t *testing.T) {
		secretKey, err := PrivateKeyFromSecret(perCommitmentSecret)
		if err != nil {
			t.Fatal(err)
		}
		got := DeriveRevocationPrivKey(baseSecret, secretKey)
		if want := mustHex32(t, values["revocationprivkey"]); got.Key.Bytes() != want {
			t.Fatalf("got %x", got.Serialize())
		}
		if !got.PubKey().IsEqual(DeriveRevocationPubKey(basepoint, wantPoint)) {
			t.Fatal("private and public revocation derivations disagree")
		}
	})
}

func TestPerCommitmentPointRejectsInvalidSecrets(t *testing.T) {
	order := btcec.S256().N.Bytes() // the group order itself is not a valid key
	var atOrder, zero [32]byte
	copy(atOrder[:], order)
	for name, secret := range map[string][32]byte{"zero": zero, "group order": atOrder} {
		if _, err := PerCommitmentPoint(secret); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("%s: got %v, want ErrInvalidSecret", name, err)
		}
		if _, err := PrivateKeyFromSecret(secret); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("%s: got %v, want ErrInvalidSecret", name, err)
		}
	}
}

func TestDeriveCommitmentKeysMissingBasepoints(t *testing.T) {
	key := func(b byte) *btcec.PublicKey {
		var s [32]byte
		s[31] = b
		p, _ := PerCommitmentPoint(s)
		return p
	}
	full := Basepoints{Revocation: key(1), Payment: key(2), DelayedPayment: key(3), HTLC: key(4)}
	point := key(5)
	tests := []struct {
		name                     string
		point                    *btcec.PublicKey
		broadcaster, counterpart *Basepoints
		wantErr                  error
	}{
		{"complete", point, &full, &full, nil},
		{"broadcaster needs no revocation or payment basepoint", point,
			&Basepoints{DelayedPayment: key(3), HTLC: key(4)}, &full, nil},
		{"countersignatory needs no delayed basepoint", point,
			&full, &Basepoints{Revocation: key(1), Payment: key(2), HTLC: key(4)}, nil},
		{"no point", nil, &full, &full, ErrMissingKey},
		{"nil broadcaster", point, nil, &full, ErrMissingKey},
		{"broadcaster without delayed basepoint", point, &Basepoints{HTLC: key(4)}, &full, ErrMissingKey},
		{"countersignatory without revocation basepoint", point, &full,
			&Basepoints{Payment: key(2), HTLC: key(4)}, ErrMissingKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := DeriveCommitmentKeys(tc.point, tc.broadcaster, tc.counterpart)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if err == nil && !keys.CountersignatoryPayment.IsEqual(tc.counterpart.Payment) {
				t.Fatal("remotepubkey must be the countersignatory's payment basepoint")
			}
		})
	}
}
