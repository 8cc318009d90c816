package channel

import (
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Effect is an output of Step, for the runtime to carry out in the order
// given. PersistState always comes before the messages and notifications
// that depend on it: the runtime must finish writing the returned State
// before it carries out the next effect.
type Effect interface{ isEffect() }

// PersistState asks the runtime to store the State returned by this Step
// (Marshal), durably, before carrying out the following effects.
type PersistState struct{}

// SendMessage sends a message to the peer.
type SendMessage struct {
	Msg lnwire.Message
}

// Disconnect closes the connection (after a warning). The runtime reports
// it back with a Disconnected event.
type Disconnect struct{}

// HTLCAccepted reports an HTLC the peer offered that is now irrevocably
// committed: the payment layer peels its onion and forwards, settles or
// fails it. It comes once, after the PersistState that makes it final: a
// runtime that crashes in between finds the HTLC in State.PendingIncoming.
type HTLCAccepted struct {
	HTLC HTLC
	// DustExposureExceeded is set when accepting the HTLC puts our dust
	// exposure above the policy's maximum.
	//
	// BOLT #2: if the amount_msat plus the dust balance [...] is greater
	// than max_dust_htlc_exposure_msat: SHOULD fail this HTLC once it's
	// committed; SHOULD NOT reveal a preimage for this HTLC.
	DustExposureExceeded bool
}

// HTLCSettled reports that the peer fulfilled an HTLC we offered: the
// preimage is known, and the incoming HTLC it pays for must be fulfilled.
// It comes as soon as the update_fulfill_htlc arrives, so it comes again if
// the peer retransmits it after a reconnection: the payment layer must treat
// it as idempotent.
//
// BOLT #2: upon receiving an update_fulfill_htlc for an outgoing HTLC [...]:
// MUST fulfill the incoming HTLC that corresponds to that outgoing HTLC.
type HTLCSettled struct {
	ID       uint64
	Preimage [32]byte
}

// HTLCFailed reports that the removal of an HTLC we offered, by
// update_fail_htlc or update_fail_malformed_htlc, is irrevocably committed,
// so the incoming HTLC may be failed. Exactly one of Reason and Malformed
// is set. The HTLC is gone from the returned State, so the runtime must
// record this notification in the same transaction as the state (as lnd's
// forwarding packages do).
type HTLCFailed struct {
	ID        uint64
	Reason    []byte
	Malformed *lnwire.UpdateFailMalformedHTLC
}

// BroadcastTx publishes a fully signed transaction (the mutual close).
type BroadcastTx struct {
	Tx *wire.MsgTx
}

// FailChannel reports that the channel failed. With Broadcast the runtime
// publishes our latest commitment (LocalCommitmentTx) and hands the channel
// to on-chain resolution; without it (we lost state) it must not.
type FailChannel struct {
	Err       error
	Broadcast bool
}

func (PersistState) isEffect() {}
func (SendMessage) isEffect()  {}
func (Disconnect) isEffect()   {}
func (HTLCAccepted) isEffect() {}
func (HTLCSettled) isEffect()  {}
func (HTLCFailed) isEffect()   {}
func (BroadcastTx) isEffect()  {}
func (FailChannel) isEffect()  {}
