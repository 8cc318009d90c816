package channel

import (
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Signer is what the channel asks of the holder of its secrets: our
// per-commitment points and secrets, and signatures with our funding and
// HTLC keys. The runtime passes in a client of the signer package scoped to
// this channel; secrets never enter this package. Verifying the peer's
// signatures is done here, with public keys only.
type Signer interface {
	// PerCommitmentPoint returns our per_commitment_point for the
	// commitment number (counting from 0).
	PerCommitmentPoint(commitmentNumber uint64) (*btcec.PublicKey, error)
	// PerCommitmentSecret returns our per_commitment_secret for the
	// commitment number; the channel asks only for commitments it revokes
	// (and, on reconnection, to check what the peer says it received).
	PerCommitmentSecret(commitmentNumber uint64) ([32]byte, error)
	// SignRemoteCommitment signs the peer's commitment transaction with our
	// funding key and each of its HTLC transactions (in
	// c.HTLCTransactions() order) with our HTLC key for that commitment,
	// derived with the peer's per-commitment point remotePoint.
	SignRemoteCommitment(c *channeltx.Commitment, remotePoint *btcec.PublicKey) (lnwire.Signature, []lnwire.Signature, error)
	// SignClosing signs a mutual close transaction with our funding key.
	SignClosing(tx *channeltx.FundingSpend) (lnwire.Signature, error)
}

// Policy holds this node's choices where the BOLTs leave room. It is not
// part of the State: the runtime passes the current policy with every Step.
type Policy struct {
	// MinFeerate and MaxFeerate bound the feerate_per_kw we accept in
	// update_fee (BOLT #2: "too low for timely processing, OR is
	// unreasonably large").
	MinFeerate lnwire.FeeratePerKW
	MaxFeerate lnwire.FeeratePerKW
	// MaxDustHTLCExposure is max_dust_htlc_exposure_msat; zero means no
	// limit.
	MaxDustHTLCExposure lnwire.MilliSatoshi
	// ShutdownScript is where our funds go on a mutual close when we answer
	// the peer's shutdown (our own Shutdown command names its script).
	ShutdownScript []byte
	// ClosingFeerate is the feerate of the closing transaction we propose.
	ClosingFeerate lnwire.FeeratePerKW
	// ClosingFeeRange makes us send closing_signed with fee_range (the
	// modern negotiation); without it we use the legacy back-and-forth,
	// which lnd uses by default.
	ClosingFeeRange bool
	// OfferedGrace is G: how many blocks after an outgoing HTLC's
	// cltv_expiry we wait for the peer before failing the channel.
	OfferedGrace lnwire.BlockHeight
	// FulfillMargin is 2R+G+S: how many blocks before a fulfilled incoming
	// HTLC's cltv_expiry we fail the channel to claim it on chain.
	FulfillMargin lnwire.BlockHeight
}

// DefaultPolicy returns a policy close to what lnd and Core Lightning do.
func DefaultPolicy() Policy {
	return Policy{
		MinFeerate:          253,
		MaxFeerate:          100_000,
		MaxDustHTLCExposure: 5_000_000_000, // 5M sat, Core Lightning's default order of magnitude
		ClosingFeerate:      1000,
		// BOLT #2: G [...] 1 or 2 blocks is reasonable; 2R+G+S [...] 18
		// blocks is reasonable.
		OfferedGrace:  2,
		FulfillMargin: 18,
	}
}

// Env is what the runtime provides to each Step besides the event.
type Env struct {
	Signer Signer
	Policy Policy
}
