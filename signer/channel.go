package signer

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"golang.org/x/crypto/hkdf"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

// Errors of the channel client: a request the signer refuses because it
// would sign something a channel must never sign.
var (
	// ErrNotOurCommitment: SignRemoteCommitment was handed our own
	// commitment (BOLT #2 forbids signing it before a force-close), or
	// SignLocalCommitment the peer's.
	ErrNotOurCommitment = errors.New("signer: commitment owned by the wrong party")
	// ErrForeignFunding: the transaction does not spend this channel's
	// funding output with our funding key.
	ErrForeignFunding = errors.New("signer: transaction does not spend this channel's funding output")
)

// ChannelBasepoints are the public keys a channel announces in
// open_channel or accept_channel.
type ChannelBasepoints struct {
	Funding        *btcec.PublicKey
	Revocation     *btcec.PublicKey
	Payment        *btcec.PublicKey
	DelayedPayment *btcec.PublicKey
	HTLC           *btcec.PublicKey
}

// ChannelSigner holds the keys of one channel: its funding key, its four
// basepoint secrets and its per-commitment seed. It implements what the
// channel state machine asks of a signer (channel.Signer: per-commitment
// points and secrets, the peer's commitment and the closing transaction)
// and, for a force-close only, our own commitment (channel.BroadcastSigner).
// The private keys never leave it and are never printed.
type ChannelSigner struct {
	index                                       uint64
	funding, revocation, payment, delayed, htlc *btcec.PrivateKey
	commitments                                 *revocation.Producer
}

// channelInfo is the HKDF info of one key of channel index.
func channelInfo(index uint64, purpose string) string {
	return "channel/" + strconv.FormatUint(index, 10) + "/" + purpose
}

// Channel returns the client for the channel with the given index (a
// number the store hands out once per channel, never reused). The same
// hsm_secret and index always give the same keys; see the package
// documentation for the derivation.
func (s *Signer) Channel(index uint64) (*ChannelSigner, error) {
	c := &ChannelSigner{index: index}
	keys := []struct {
		dst     **btcec.PrivateKey
		purpose string
	}{
		{&c.funding, "funding"},
		{&c.revocation, "revocation"},
		{&c.payment, "payment"},
		{&c.delayed, "delayed_payment"},
		{&c.htlc, "htlc"},
	}
	for _, k := range keys {
		key, err := deriveKey(s.secret, channelInfo(index, k.purpose))
		if err != nil {
			return nil, err
		}
		*k.dst = key
	}
	var seed [32]byte
	r := hkdf.New(sha256.New, s.secret[:], []byte("fulmen"), []byte(channelInfo(index, "shachain")))
	if _, err := io.ReadFull(r, seed[:]); err != nil {
		return nil, fmt.Errorf("signer: deriving the per-commitment seed: %w", err)
	}
	c.commitments = revocation.NewProducer(seed)
	return c, nil
}

// Index returns the channel index the keys derive from.
func (c *ChannelSigner) Index() uint64 { return c.index }

// String never shows key material.
func (c *ChannelSigner) String() string {
	return fmt.Sprintf("channel signer #%d{funding %x}", c.index, c.funding.PubKey().SerializeCompressed())
}

// GoString never shows key material either.
func (c *ChannelSigner) GoString() string { return c.String() }

// Basepoints returns the channel's public keys.
func (c *ChannelSigner) Basepoints() ChannelBasepoints {
	return ChannelBasepoints{
		Funding:        c.funding.PubKey(),
		Revocation:     c.revocation.PubKey(),
		Payment:        c.payment.PubKey(),
		DelayedPayment: c.delayed.PubKey(),
		HTLC:           c.htlc.PubKey(),
	}
}

// PerCommitmentSecret returns our per_commitment_secret for a commitment
// number (counting up from 0).
//
// BOLT #3: the first secret used MUST be index 281474976710655, and then
// the index decremented.
func (c *ChannelSigner) PerCommitmentSecret(commitmentNumber uint64) ([32]byte, error) {
	return c.commitments.ForCommitment(commitmentNumber)
}

// PerCommitmentPoint returns our per_commitment_point for a commitment
// number.
func (c *ChannelSigner) PerCommitmentPoint(commitmentNumber uint64) (*btcec.PublicKey, error) {
	secret, err := c.PerCommitmentSecret(commitmentNumber)
	if err != nil {
		return nil, err
	}
	return channeltx.PerCommitmentPoint(secret)
}

// checkFunding refuses a transaction that does not spend the funding output
// with our funding key as the local key.
func (c *ChannelSigner) checkFunding(tx *channeltx.FundingSpend) error {
	if tx == nil || tx.Tx == nil || len(tx.Tx.TxIn) != 1 || tx.Funding.LocalKey == nil {
		return fmt.Errorf("%w: malformed", ErrForeignFunding)
	}
	if !tx.Funding.LocalKey.IsEqual(c.funding.PubKey()) {
		return fmt.Errorf("%w: local funding key %x", ErrForeignFunding, tx.Funding.LocalKey.SerializeCompressed())
	}
	if tx.Tx.TxIn[0].PreviousOutPoint != tx.Funding.Outpoint {
		return fmt.Errorf("%w: spends %s", ErrForeignFunding, tx.Tx.TxIn[0].PreviousOutPoint)
	}
	return nil
}

// SignRemoteCommitment signs the peer's commitment transaction with our
// funding key and each of its HTLC transactions, in c.HTLCTransactions()
// order, with our HTLC key for that commitment (derived from our
// htlc_basepoint secret and the peer's per-commitment point remotePoint).
func (c *ChannelSigner) SignRemoteCommitment(commit *channeltx.Commitment, remotePoint *btcec.PublicKey) (lnwire.Signature, []lnwire.Signature, error) {
	if commit == nil || remotePoint == nil {
		return lnwire.Signature{}, nil, errors.New("signer: nil commitment or point")
	}
	// BOLT #2: A node SHOULD NOT sign commitment transactions, unless it's
	// about to broadcast them. Only the peer's commitment is signed here.
	if commit.Spec().Owner != channeltx.Remote {
		return lnwire.Signature{}, nil, ErrNotOurCommitment
	}
	if err := c.checkFunding(&commit.FundingSpend); err != nil {
		return lnwire.Signature{}, nil, err
	}
	sig, err := commit.Sign(c.funding)
	if err != nil {
		return lnwire.Signature{}, nil, fmt.Errorf("signer: commitment: %w", err)
	}
	out, err := wireSignature(sig)
	if err != nil {
		return lnwire.Signature{}, nil, err
	}
	htlcKey := channeltx.DerivePrivKey(c.htlc, remotePoint)
	var htlcSigs []lnwire.Signature
	for i, tx := range commit.HTLCTransactions() {
		s, err := tx.Sign(channeltx.Local, htlcKey)
		if err != nil {
			return lnwire.Signature{}, nil, fmt.Errorf("signer: HTLC transaction %d: %w", i, err)
		}
		w, err := wireSignature(s)
		if err != nil {
			return lnwire.Signature{}, nil, err
		}
		htlcSigs = append(htlcSigs, w)
	}
	return out, htlcSigs, nil
}

// SignClosing signs a mutual close transaction with our funding key.
func (c *ChannelSigner) SignClosing(tx *channeltx.FundingSpend) (lnwire.Signature, error) {
	if err := c.checkFunding(tx); err != nil {
		return lnwire.Signature{}, err
	}
	sig, err := tx.Sign(c.funding)
	if err != nil {
		return lnwire.Signature{}, fmt.Errorf("signer: closing: %w", err)
	}
	return wireSignature(sig)
}

// SignLocalCommitment signs our own latest commitment transaction, which
// the runtime only asks for when it is about to broadcast it (a failed
// channel).
func (c *ChannelSigner) SignLocalCommitment(tx *channeltx.FundingSpend) (lnwire.Signature, error) {
	if err := c.checkFunding(tx); err != nil {
		return lnwire.Signature{}, err
	}
	sig, err := tx.Sign(c.funding)
	if err != nil {
		return lnwire.Signature{}, fmt.Errorf("signer: local commitment: %w", err)
	}
	return wireSignature(sig)
}

// wireSignature converts to the 64-byte wire form. btcec signs with low S,
// as BOLT #2 requires.
func wireSignature(sig *ecdsa.Signature) (lnwire.Signature, error) {
	w, err := lnwire.NewSignatureFromDER(sig.Serialize())
	if err != nil {
		return lnwire.Signature{}, fmt.Errorf("signer: encoding signature: %w", err)
	}
	return w, nil
}
