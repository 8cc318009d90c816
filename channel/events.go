package channel

import (
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Event is an input of Step: a message from the peer, a command from this
// node, or news about the connection or the chain.
type Event interface{ isEvent() }

// PeerMessage is a message received from the peer for this channel.
type PeerMessage struct {
	Msg lnwire.Message
}

// AddHTLC offers an HTLC to the peer. Its id is State.NextHTLCID[Local]
// before the step; the update_add_htlc effect carries it too.
type AddHTLC struct {
	Amount      lnwire.MilliSatoshi
	PaymentHash [32]byte
	CLTVExpiry  lnwire.BlockHeight
	Onion       [1366]byte
	// PathKey is set when relaying inside a blinded route.
	PathKey *[33]byte
}

// FulfillHTLC settles an HTLC the peer offered, revealing the preimage.
type FulfillHTLC struct {
	ID       uint64
	Preimage [32]byte
}

// FailHTLC fails an HTLC the peer offered; Reason is the encrypted failure
// onion (BOLT #4), opaque here.
type FailHTLC struct {
	ID     uint64
	Reason []byte
}

// FailMalformedHTLC fails an HTLC the peer offered whose onion we could
// not parse.
type FailMalformedHTLC struct {
	ID            uint64
	SHA256OfOnion [32]byte
	FailureCode   uint16
}

// SignCommitment signs every pending update into one commitment_signed.
type SignCommitment struct{}

// UpdateFee proposes a new commitment feerate (opener only).
type UpdateFee struct {
	Feerate lnwire.FeeratePerKW
}

// Shutdown starts a mutual close, paying our funds to Script.
type Shutdown struct {
	Script []byte
}

// FundingLocked reports that the funding transaction reached the depth we
// wait for; the channel then sends channel_ready.
type FundingLocked struct {
	ShortChannelID lnwire.ShortChannelID
}

// Disconnected reports that the connection to the peer was lost.
type Disconnected struct{}

// Reconnected reports a new connection to the peer (init exchanged).
type Reconnected struct{}

func (PeerMessage) isEvent()       {}
func (AddHTLC) isEvent()           {}
func (FulfillHTLC) isEvent()       {}
func (FailHTLC) isEvent()          {}
func (FailMalformedHTLC) isEvent() {}
func (SignCommitment) isEvent()    {}
func (UpdateFee) isEvent()         {}
func (Shutdown) isEvent()          {}
func (FundingLocked) isEvent()     {}
func (Disconnected) isEvent()      {}
func (Reconnected) isEvent()       {}
