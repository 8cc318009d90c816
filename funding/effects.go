package funding

import (
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Effect is an output of Step, for the runtime to carry out in the order
// given. PersistChannel comes before the messages and broadcasts that
// depend on it: the runtime must finish writing the channel before it
// carries out the next effect.
type Effect interface{ isEffect() }

// SendMessage sends a message to the peer.
type SendMessage struct {
	Msg lnwire.Message
}

// BuildFundingTx asks the wallet for a signed transaction paying exactly
// Amount to PkScript (the P2WSH of the 2-of-2 funding script), with only
// segwit inputs, and to keep it unbroadcast and its inputs reserved under
// TemporaryChannelID. The wallet answers with FundingTxBuilt or
// FundingTxFailed.
//
// BOLT #2: The sender: when creating the funding transaction: SHOULD use
// only BIP141 (Segregated Witness) inputs.
type BuildFundingTx struct {
	TemporaryChannelID lnwire.ChannelID
	PkScript           []byte
	Amount             lnwire.Satoshi
	// Feerate is the opener's wish, zero to let the wallet decide.
	Feerate lnwire.FeeratePerKW
}

// ReleaseFundingTx tells the wallet to forget the funding transaction it
// built for the negotiation and free its inputs: it was never broadcast.
type ReleaseFundingTx struct {
	TemporaryChannelID lnwire.ChannelID
}

// PersistChannel asks the runtime to store the channel (channel.Marshal),
// durably, before carrying out the following effects.
type PersistChannel struct {
	Channel channel.State
}

// BroadcastFundingTx publishes the funding transaction (opener only).
//
// BOLT #2: MUST NOT broadcast the funding transaction before receipt of a
// valid funding_signed. on receipt of a valid funding_signed: SHOULD
// broadcast the funding transaction.
type BroadcastFundingTx struct {
	Tx *wire.MsgTx
}

// WatchFunding asks the chain watcher to report when the funding output
// reaches MinimumDepth confirmations; the runtime then gives the channel a
// channel.FundingLocked event.
type WatchFunding struct {
	Outpoint     wire.OutPoint
	PkScript     []byte
	MinimumDepth uint32
}

// HandOver hands the channel over to the runtime: from now on its
// messages go to channel.Step.
type HandOver struct {
	Channel channel.State
	// MinimumDepth and ChannelFlags are not part of channel.State; the
	// runtime keeps them next to it.
	MinimumDepth uint32
	ChannelFlags byte
}

// NegotiationFailed reports that the negotiation ended without a channel;
// the runtime forgets it.
type NegotiationFailed struct {
	Err error
}

func (SendMessage) isEffect()        {}
func (BuildFundingTx) isEffect()     {}
func (ReleaseFundingTx) isEffect()   {}
func (PersistChannel) isEffect()     {}
func (BroadcastFundingTx) isEffect() {}
func (WatchFunding) isEffect()       {}
func (HandOver) isEffect()           {}
func (NegotiationFailed) isEffect()  {}
