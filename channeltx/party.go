package channeltx

import "fmt"

// Party is one side of a channel, seen from this node: Local (the holder)
// or Remote (the counterparty). The zero value is Local.
type Party uint8

const (
	// Local is this node, the holder.
	Local Party = iota
	// Remote is the peer, the counterparty.
	Remote
)

// Other returns the other party.
func (p Party) Other() Party {
	if p == Local {
		return Remote
	}
	return Local
}

// String returns "local" or "remote".
func (p Party) String() string {
	switch p {
	case Local:
		return "local"
	case Remote:
		return "remote"
	default:
		return fmt.Sprintf("Party(%d)", uint8(p))
	}
}

func (p Party) validate() error {
	if p != Local && p != Remote {
		return fmt.Errorf("%w: %d", ErrUnknownParty, uint8(p))
	}
	return nil
}

// ChannelType selects the commitment format. The zero value is invalid, so
// an unset type is caught.
type ChannelType uint8

const (
	// StaticRemoteKey is option_static_remotekey without anchors: to_remote
	// is a P2WPKH to the countersignatory's payment_basepoint, and HTLC
	// transactions pay their own fee.
	StaticRemoteKey ChannelType = iota + 1
	// AnchorsZeroFeeHTLC is option_anchors (option_anchors_zero_fee_htlc_tx):
	// two 330-satoshi anchor outputs, a to_remote locked by 1 CSV, HTLC
	// outputs with 1 CSV, and zero-fee HTLC transactions that the
	// countersignatory signs with SIGHASH_SINGLE|SIGHASH_ANYONECANPAY.
	AnchorsZeroFeeHTLC
)

// HasAnchors reports whether option_anchors applies.
func (t ChannelType) HasAnchors() bool { return t == AnchorsZeroFeeHTLC }

// String names the type.
func (t ChannelType) String() string {
	switch t {
	case StaticRemoteKey:
		return "static_remotekey"
	case AnchorsZeroFeeHTLC:
		return "anchors_zero_fee_htlc_tx"
	default:
		return fmt.Sprintf("ChannelType(%d)", uint8(t))
	}
}

// Validate reports ErrUnknownChannelType for a type this package does not
// implement.
func (t ChannelType) Validate() error {
	if t != StaticRemoteKey && t != AnchorsZeroFeeHTLC {
		return fmt.Errorf("%w: %d", ErrUnknownChannelType, uint8(t))
	}
	return nil
}

// HTLCDirection tells, relative to a commitment transaction's owner (the
// broadcaster), whether an HTLC was offered by it or received by it.
type HTLCDirection uint8

const (
	// Offered is an HTLC the broadcaster sent: it times out through an
	// HTLC-timeout transaction.
	Offered HTLCDirection = iota
	// Received is an HTLC the broadcaster received: it is claimed with the
	// preimage through an HTLC-success transaction.
	Received
)

// String returns "offered" or "received".
func (d HTLCDirection) String() string {
	if d == Offered {
		return "offered"
	}
	return "received"
}
