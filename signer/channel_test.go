package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"golang.org/x/crypto/hkdf"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

func testSigner(t testing.TB, fill byte) *Signer {
	t.Helper()
	var secret [32]byte
	for i := range secret {
		secret[i] = fill
	}
	s, err := New(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestChannelKeysFollowTheDocumentedDerivation recomputes every key with
// HKDF as doc.go describes it.
func TestChannelKeysFollowTheDocumentedDerivation(t *testing.T) {
	var secret [32]byte
	for i := range secret {
		secret[i] = 0x42
	}
	s, err := New(secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, index := range []uint64{0, 1, 7, 1 << 40} {
		c, err := s.Channel(index)
		if err != nil {
			t.Fatal(err)
		}
		bp := c.Basepoints()
		got := map[string]*btcec.PublicKey{
			"funding": bp.Funding, "revocation": bp.Revocation, "payment": bp.Payment,
			"delayed_payment": bp.DelayedPayment, "htlc": bp.HTLC,
		}
		for purpose, key := range got {
			want := hkdfScalar(t, secret, channelInfo(index, purpose))
			if !key.IsEqual(want.PubKey()) {
				t.Errorf("channel %d %s key does not follow the documented derivation", index, purpose)
			}
		}
		var seed [32]byte
		if _, err := io.ReadFull(hkdf.New(sha256.New, secret[:], []byte("fulmen"), []byte(channelInfo(index, "shachain"))), seed[:]); err != nil {
			t.Fatal(err)
		}
		for _, n := range []uint64{0, 1, 1000} {
			want, err := revocation.GenerateFromSeed(seed, revocation.FirstIndex-n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.PerCommitmentSecret(n)
			if err != nil || got != want {
				t.Errorf("channel %d commitment %d secret mismatch (err %v)", index, n, err)
			}
			point, err := c.PerCommitmentPoint(n)
			if err != nil {
				t.Fatal(err)
			}
			wantPoint, _ := channeltx.PerCommitmentPoint(want)
			if !point.IsEqual(wantPoint) {
				t.Errorf("channel %d commitment %d point mismatch", index, n)
			}
		}
	}
}

// hkdfScalar is the first HKDF output for info (the retry loop of
// deriveKey is never needed for these inputs).
func hkdfScalar(t *testing.T, secret [32]byte, info string) *btcec.PrivateKey {
	t.Helper()
	var scalar [32]byte
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret[:], []byte("fulmen"), []byte(info)), scalar[:]); err != nil {
		t.Fatal(err)
	}
	key, _ := btcec.PrivKeyFromBytes(scalar[:])
	return key
}

func TestChannelKeysDifferPerChannelAndNode(t *testing.T) {
	a, b := testSigner(t, 1), testSigner(t, 2)
	seen := map[string]string{}
	for _, s := range []*Signer{a, b} {
		for index := uint64(0); index < 3; index++ {
			c, err := s.Channel(index)
			if err != nil {
				t.Fatal(err)
			}
			bp := c.Basepoints()
			for _, k := range []*btcec.PublicKey{bp.Funding, bp.Revocation, bp.Payment, bp.DelayedPayment, bp.HTLC} {
				id := string(k.SerializeCompressed())
				if prev, dup := seen[id]; dup {
					t.Fatalf("key reused: %s and %s", prev, c)
				}
				seen[id] = c.String()
			}
			again, _ := s.Channel(index)
			if !again.Basepoints().Funding.IsEqual(bp.Funding) {
				t.Fatal("derivation is not deterministic")
			}
		}
	}
}

func TestChannelSignerNeverPrintsSecrets(t *testing.T) {
	c, err := testSigner(t, 3).Channel(5)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{c.String(), c.GoString()} {
		for _, key := range [][]byte{c.funding.Serialize(), c.htlc.Serialize()} {
			if containsHex(text, key) {
				t.Fatalf("%q shows a private key", text)
			}
		}
	}
}

// pair builds the first commitments of a channel between two signers, as
// establishment would, through the channel state machine: each side's
// signature is verified by the other.
func pair(t *testing.T, alice, bob *ChannelSigner) (channel.State, channel.State) {
	t.Helper()
	params := func(c *ChannelSigner) channel.Params {
		bp := c.Basepoints()
		return channel.Params{
			DustLimit: 546, MaxHTLCValueInFlight: 1 << 40, ChannelReserve: 10_000, HTLCMinimum: 1,
			ToSelfDelay: 144, MaxAcceptedHTLCs: 30,
			FundingKey: channel.NewPoint(bp.Funding), RevocationBasepoint: channel.NewPoint(bp.Revocation),
			PaymentBasepoint: channel.NewPoint(bp.Payment), DelayedPaymentBasepoint: channel.NewPoint(bp.DelayedPayment),
			HTLCBasepoint: channel.NewPoint(bp.HTLC),
		}
	}
	txid := sha256.Sum256([]byte("funding"))
	aliceFirst, _ := alice.PerCommitmentPoint(0)
	bobFirst, _ := bob.PerCommitmentPoint(0)
	funded := channel.Funded{Type: channeltx.AnchorsZeroFeeHTLC, Capacity: 1_000_000, PushMsat: 100_000_000,
		Feerate: 253, FundingTxID: txid, FundingOutputIndex: 0}
	fa, fb := funded, funded
	fa.Opener, fa.Local, fa.Remote, fa.RemoteFirstPoint = channel.Local, params(alice), params(bob), channel.NewPoint(bobFirst)
	fb.Opener, fb.Local, fb.Remote, fb.RemoteFirstPoint = channel.Remote, params(bob), params(alice), channel.NewPoint(aliceFirst)
	a, err := channel.NewState(fa)
	if err != nil {
		t.Fatal(err)
	}
	b, err := channel.NewState(fb)
	if err != nil {
		t.Fatal(err)
	}
	envA, envB := channel.Env{Signer: alice, Policy: channel.DefaultPolicy()}, channel.Env{Signer: bob, Policy: channel.DefaultPolicy()}
	sig, err := a.SignFirstCommitment(envA)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AcceptFirstSignature(envB, sig); err != nil {
		t.Fatalf("bob rejects alice's signature: %v", err)
	}
	if sig, err = b.SignFirstCommitment(envB); err != nil {
		t.Fatal(err)
	}
	if err := a.AcceptFirstSignature(envA, sig); err != nil {
		t.Fatalf("alice rejects bob's signature: %v", err)
	}
	return a, b
}

func TestChannelSignerSignaturesAreValidOnChain(t *testing.T) {
	alice, err := testSigner(t, 1).Channel(0)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := testSigner(t, 2).Channel(9)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := pair(t, alice, bob)
	// Our own commitment, signed for a force-close: the 2-of-2 witness
	// must satisfy the funding output's script.
	tx, err := channel.LocalCommitmentTx(&a, alice)
	if err != nil {
		t.Fatal(err)
	}
	aliceBP, bobBP := alice.Basepoints(), bob.Basepoints()
	out, _, err := channeltx.FundingOutput(aliceBP.Funding, bobBP.Funding, a.Capacity)
	if err != nil {
		t.Fatal(err)
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(out.PkScript, out.Value)
	engine, err := txscript.NewEngine(out.PkScript, tx, 0, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, fetcher), out.Value, fetcher)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Execute(); err != nil {
		t.Fatalf("commitment witness does not satisfy the funding script: %v", err)
	}
}

func TestChannelSignerRefusals(t *testing.T) {
	alice, _ := testSigner(t, 1).Channel(0)
	bob, _ := testSigner(t, 2).Channel(0)
	aliceBP, bobBP := alice.Basepoints(), bob.Basepoints()
	funding := channeltx.Funding{Outpoint: wire.OutPoint{Index: 1}, Amount: 100_000, LocalKey: aliceBP.Funding, RemoteKey: bobBP.Funding}
	script, _ := funding.WitnessScript()
	spend := func(f channeltx.Funding, prev wire.OutPoint) *channeltx.FundingSpend {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: prev})
		tx.AddTxOut(wire.NewTxOut(90_000, []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}))
		return &channeltx.FundingSpend{Tx: tx, Funding: f, FundingScript: script}
	}
	theirs := funding
	theirs.LocalKey, theirs.RemoteKey = bobBP.Funding, aliceBP.Funding
	cases := []struct {
		name string
		tx   *channeltx.FundingSpend
		want error
	}{
		{"valid", spend(funding, funding.Outpoint), nil},
		{"bob's funding key as ours", spend(theirs, funding.Outpoint), ErrForeignFunding},
		{"spends another outpoint", spend(funding, wire.OutPoint{Index: 2}), ErrForeignFunding},
		{"nil", nil, ErrForeignFunding},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for name, sign := range map[string]func(*channeltx.FundingSpend) (lnwire.Signature, error){
				"closing": alice.SignClosing, "local commitment": alice.SignLocalCommitment,
			} {
				sig, err := sign(tc.tx)
				if !errors.Is(err, tc.want) {
					t.Fatalf("%s: got %v, want %v", name, err, tc.want)
				}
				if err == nil {
					parsed, err := sig.ToECDSA()
					if err != nil || tc.tx.Verify(channeltx.Local, parsed) != nil {
						t.Fatalf("%s: signature does not verify (%v)", name, err)
					}
				}
			}
		})
	}
}

func TestSignRemoteCommitmentRefusesOurOwn(t *testing.T) {
	alice, _ := testSigner(t, 1).Channel(0)
	bob, _ := testSigner(t, 2).Channel(0)
	aliceBP, bobBP := alice.Basepoints(), bob.Basepoints()
	point, _ := alice.PerCommitmentPoint(0)
	keys, err := channeltx.DeriveCommitmentKeys(point,
		&channeltx.Basepoints{Revocation: aliceBP.Revocation, Payment: aliceBP.Payment, DelayedPayment: aliceBP.DelayedPayment, HTLC: aliceBP.HTLC},
		&channeltx.Basepoints{Revocation: bobBP.Revocation, Payment: bobBP.Payment, DelayedPayment: bobBP.DelayedPayment, HTLC: bobBP.HTLC})
	if err != nil {
		t.Fatal(err)
	}
	for _, owner := range []channeltx.Party{channeltx.Local, channeltx.Remote} {
		c, err := channeltx.BuildCommitment(&channeltx.CommitmentSpec{
			Type: channeltx.StaticRemoteKey, Owner: owner, Opener: channeltx.Local, Feerate: 253,
			Funding:          channeltx.Funding{Amount: 100_000, LocalKey: aliceBP.Funding, RemoteKey: bobBP.Funding},
			Keys:             keys,
			ToSelfDelay:      144,
			DustLimit:        546,
			LocalBalance:     60_000_000,
			RemoteBalance:    40_000_000,
			CommitmentNumber: 0,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = alice.SignRemoteCommitment(c, point)
		if owner == channeltx.Local && !errors.Is(err, ErrNotOurCommitment) {
			t.Fatalf("signed our own commitment: %v", err)
		}
		if owner == channeltx.Remote && err != nil {
			t.Fatalf("refused the peer's commitment: %v", err)
		}
	}
}

func containsHex(text string, b []byte) bool {
	return strings.Contains(strings.ToLower(text), hex.EncodeToString(b))
}

func BenchmarkSignRemoteCommitment(b *testing.B) {
	alice, _ := testSigner(b, 1).Channel(0)
	bob, _ := testSigner(b, 2).Channel(0)
	aliceBP, bobBP := alice.Basepoints(), bob.Basepoints()
	point, _ := bob.PerCommitmentPoint(0)
	keys, err := channeltx.DeriveCommitmentKeys(point,
		&channeltx.Basepoints{Revocation: aliceBP.Revocation, Payment: bobBP.Payment, DelayedPayment: bobBP.DelayedPayment, HTLC: bobBP.HTLC},
		&channeltx.Basepoints{Revocation: bobBP.Revocation, Payment: aliceBP.Payment, DelayedPayment: aliceBP.DelayedPayment, HTLC: aliceBP.HTLC})
	if err != nil {
		b.Fatal(err)
	}
	var htlcs []channeltx.HTLC
	for i := range 10 {
		htlcs = append(htlcs, channeltx.HTLC{Offerer: channeltx.Party(i % 2), Amount: 5_000_000, CLTVExpiry: 500, PaymentHash: [32]byte{byte(i)}})
	}
	c, err := channeltx.BuildCommitment(&channeltx.CommitmentSpec{
		Type: channeltx.AnchorsZeroFeeHTLC, Owner: channeltx.Remote, Opener: channeltx.Local, Feerate: 253,
		Funding: channeltx.Funding{Amount: 1_000_000, LocalKey: aliceBP.Funding, RemoteKey: bobBP.Funding},
		Keys:    keys, ToSelfDelay: 144, DustLimit: 546, LocalBalance: 500_000_000, RemoteBalance: 450_000_000, HTLCs: htlcs,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := alice.SignRemoteCommitment(c, point); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChannelKeys(b *testing.B) {
	s := testSigner(b, 1)
	for i := range b.N {
		if _, err := s.Channel(uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
