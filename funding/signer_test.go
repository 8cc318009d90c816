package funding

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

// testSigner signs with fixed keys derived from a name, so every run signs
// the same bytes. It implements channel.Signer and channel.BroadcastSigner.
type testSigner struct {
	funding, revocation, payment, delayed, htlc *btcec.PrivateKey
	seed                                        [32]byte
	// failPoints makes PerCommitmentPoint fail.
	failPoints bool
}

func fixedKey(name, purpose string) *btcec.PrivateKey {
	sum := sha256.Sum256([]byte(name + "/" + purpose))
	key, _ := btcec.PrivKeyFromBytes(sum[:])
	return key
}

func newTestSigner(name string) *testSigner {
	return &testSigner{
		funding:    fixedKey(name, "funding"),
		revocation: fixedKey(name, "revocation"),
		payment:    fixedKey(name, "payment"),
		delayed:    fixedKey(name, "delayed"),
		htlc:       fixedKey(name, "htlc"),
		seed:       sha256.Sum256([]byte(name + "/shachain")),
	}
}

func (k *testSigner) keys() Keys {
	return Keys{
		FundingKey:              channel.NewPoint(k.funding.PubKey()),
		RevocationBasepoint:     channel.NewPoint(k.revocation.PubKey()),
		PaymentBasepoint:        channel.NewPoint(k.payment.PubKey()),
		DelayedPaymentBasepoint: channel.NewPoint(k.delayed.PubKey()),
		HTLCBasepoint:           channel.NewPoint(k.htlc.PubKey()),
	}
}

func (k *testSigner) PerCommitmentSecret(n uint64) ([32]byte, error) {
	index, err := revocation.IndexOf(n)
	if err != nil {
		return [32]byte{}, err
	}
	return revocation.GenerateFromSeed(k.seed, index)
}

func (k *testSigner) PerCommitmentPoint(n uint64) (*btcec.PublicKey, error) {
	if k.failPoints {
		return nil, fmt.Errorf("test signer: points disabled")
	}
	secret, err := k.PerCommitmentSecret(n)
	if err != nil {
		return nil, err
	}
	return channeltx.PerCommitmentPoint(secret)
}

func wireSig(sig *ecdsa.Signature) (lnwire.Signature, error) {
	return lnwire.NewSignatureFromDER(sig.Serialize())
}

func (k *testSigner) SignRemoteCommitment(c *channeltx.Commitment, remotePoint *btcec.PublicKey) (lnwire.Signature, []lnwire.Signature, error) {
	if c.Spec().Owner != channel.Remote {
		return lnwire.Signature{}, nil, fmt.Errorf("test signer: asked to sign our own commitment")
	}
	sig, err := c.Sign(k.funding)
	if err != nil {
		return lnwire.Signature{}, nil, err
	}
	out, err := wireSig(sig)
	if err != nil {
		return lnwire.Signature{}, nil, err
	}
	htlcKey := channeltx.DerivePrivKey(k.htlc, remotePoint)
	var htlcSigs []lnwire.Signature
	for _, tx := range c.HTLCTransactions() {
		s, err := tx.Sign(channel.Local, htlcKey)
		if err != nil {
			return lnwire.Signature{}, nil, err
		}
		w, err := wireSig(s)
		if err != nil {
			return lnwire.Signature{}, nil, err
		}
		htlcSigs = append(htlcSigs, w)
	}
	return out, htlcSigs, nil
}

func (k *testSigner) SignClosing(tx *channeltx.FundingSpend) (lnwire.Signature, error) {
	sig, err := tx.Sign(k.funding)
	if err != nil {
		return lnwire.Signature{}, err
	}
	return wireSig(sig)
}

func (k *testSigner) SignLocalCommitment(tx *channeltx.FundingSpend) (lnwire.Signature, error) {
	return k.SignClosing(tx)
}
