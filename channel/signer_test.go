package channel

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

// testSigner is a real signer built from fixed keys derived from a name, so
// that every test run signs the same bytes.
type testSigner struct {
	funding, revocation, payment, delayed, htlc *btcec.PrivateKey
	seed                                        [32]byte
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

// params returns the keys of this signer with the given limits.
func (k *testSigner) params(limits Params) Params {
	limits.FundingKey = NewPoint(k.funding.PubKey())
	limits.RevocationBasepoint = NewPoint(k.revocation.PubKey())
	limits.PaymentBasepoint = NewPoint(k.payment.PubKey())
	limits.DelayedPaymentBasepoint = NewPoint(k.delayed.PubKey())
	limits.HTLCBasepoint = NewPoint(k.htlc.PubKey())
	return limits
}

func (k *testSigner) PerCommitmentSecret(n uint64) ([32]byte, error) {
	index, err := revocation.IndexOf(n)
	if err != nil {
		return [32]byte{}, err
	}
	return revocation.GenerateFromSeed(k.seed, index)
}

func (k *testSigner) PerCommitmentPoint(n uint64) (*btcec.PublicKey, error) {
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
	if c.Spec().Owner != Remote {
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
		s, err := tx.Sign(Local, htlcKey)
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

// testLimits are the parameters both test nodes announce unless a test
// changes them.
func testLimits() Params {
	return Params{
		DustLimit:            546,
		MaxHTLCValueInFlight: 5_000_000_000,
		ChannelReserve:       10_000,
		HTLCMinimum:          1_000,
		ToSelfDelay:          144,
		MaxAcceptedHTLCs:     30,
	}
}

// channelConfig describes a test channel; alice opens it.
type channelConfig struct {
	Type     channeltx.ChannelType
	Capacity lnwire.Satoshi
	Push     lnwire.MilliSatoshi
	Feerate  lnwire.FeeratePerKW
	Alice    Params // limits only; keys are filled in
	Bob      Params
}

func defaultConfig() channelConfig {
	return channelConfig{
		Type:     channeltx.StaticRemoteKey,
		Capacity: 1_000_000,
		Push:     300_000_000,
		Feerate:  2500,
		Alice:    testLimits(),
		Bob:      testLimits(),
	}
}

var testFundingTxID = sha256.Sum256([]byte("funding tx"))

// establishPair returns both sides at commitment 0 with the first
// signatures exchanged, as channel establishment (package funding) hands
// them over after funding_created and funding_signed.
func establishPair(cfg channelConfig, alice, bob *testSigner, envA, envB Env) (State, State, error) {
	ap, bp := alice.params(cfg.Alice), bob.params(cfg.Bob)
	aliceFirst, err := alice.PerCommitmentPoint(0)
	if err != nil {
		return State{}, State{}, err
	}
	bobFirst, err := bob.PerCommitmentPoint(0)
	if err != nil {
		return State{}, State{}, err
	}
	terms := Funded{Type: cfg.Type, Capacity: cfg.Capacity, PushMsat: cfg.Push, Feerate: cfg.Feerate,
		FundingTxID: testFundingTxID, FundingOutputIndex: 1}
	aliceTerms, bobTerms := terms, terms
	aliceTerms.Opener, aliceTerms.Local, aliceTerms.Remote, aliceTerms.RemoteFirstPoint = Local, ap, bp, NewPoint(bobFirst)
	bobTerms.Opener, bobTerms.Local, bobTerms.Remote, bobTerms.RemoteFirstPoint = Remote, bp, ap, NewPoint(aliceFirst)
	a, err := NewState(aliceTerms)
	if err != nil {
		return State{}, State{}, err
	}
	b, err := NewState(bobTerms)
	if err != nil {
		return State{}, State{}, err
	}
	// funding_created: alice signs bob's first commitment.
	sig, err := a.SignFirstCommitment(envA)
	if err != nil {
		return State{}, State{}, err
	}
	if err := b.AcceptFirstSignature(envB, sig); err != nil {
		return State{}, State{}, err
	}
	// funding_signed: bob signs alice's.
	if sig, err = b.SignFirstCommitment(envB); err != nil {
		return State{}, State{}, err
	}
	if err := a.AcceptFirstSignature(envA, sig); err != nil {
		return State{}, State{}, err
	}
	return a, b, nil
}
