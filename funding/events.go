package funding

import (
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Event is an input of Step.
type Event interface{ isEvent() }

// Open starts a negotiation as opener (the local command behind
// fundchannel / OpenChannel). Step takes it on the zero State.
type Open struct {
	// PeerFeatures are the features of the peer's init message.
	PeerFeatures lnwire.FeatureVector
	Funding      lnwire.Satoshi
	PushMsat     lnwire.MilliSatoshi
	// Feerate is feerate_per_kw of the first commitment transactions.
	Feerate lnwire.FeeratePerKW
	// FundingFeerate is passed to the wallet for the funding transaction;
	// zero lets the wallet decide.
	FundingFeerate lnwire.FeeratePerKW
	// ChannelType is the type we want; zero chooses as lnd does:
	// AnchorsZeroFeeHTLC when both nodes support option_anchors, else
	// StaticRemoteKey.
	ChannelType channeltx.ChannelType
	// Announce sets the announce_channel bit of channel_flags.
	Announce bool
	Keys     Keys
	// Limits overrides Config.DefaultLimits(Funding) when set.
	Limits *Limits
	// UpfrontShutdownScript commits our mutual-close output (empty: none).
	UpfrontShutdownScript []byte
}

// OpenChannelReceived starts a negotiation as accepter: the peer's
// open_channel, with what the runtime knows about the peer. Step takes it
// on the zero State.
type OpenChannelReceived struct {
	Msg          *lnwire.OpenChannel
	PeerFeatures lnwire.FeatureVector
	// PendingChannels counts this peer's other channels still negotiating
	// or waiting for their funding transaction to confirm.
	PendingChannels int
	Keys            Keys
	// UpfrontShutdownScript commits our mutual-close output (empty: none).
	UpfrontShutdownScript []byte
}

// PeerMessage is a message from the peer for this negotiation
// (accept_channel, funding_created, funding_signed, error, warning).
type PeerMessage struct {
	Msg lnwire.Message
}

// FundingTxBuilt is the wallet's answer to BuildFundingTx: a signed
// transaction, not broadcast, paying the funding output at OutputIndex.
type FundingTxBuilt struct {
	Tx          *wire.MsgTx
	OutputIndex uint32
}

// FundingTxFailed is the wallet's answer when it could not build the
// funding transaction (not enough funds, for example).
type FundingTxFailed struct {
	Err error
}

// Cancel abandons the negotiation: the user's request or a timeout the
// runtime measured. The peer gets an error.
type Cancel struct {
	Reason string
}

// Disconnected reports that the connection dropped: BOLT #2 v1 channel
// establishment does not survive it before funding_signed.
type Disconnected struct{}

func (Open) isEvent()                {}
func (OpenChannelReceived) isEvent() {}
func (PeerMessage) isEvent()         {}
func (FundingTxBuilt) isEvent()      {}
func (FundingTxFailed) isEvent()     {}
func (Cancel) isEvent()              {}
func (Disconnected) isEvent()        {}
