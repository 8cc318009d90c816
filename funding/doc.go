// Package funding negotiates a new channel with BOLT #2 "Channel
// Establishment v1": open_channel, accept_channel, funding_created and
// funding_signed. It ends where the channel package starts: both sides hold
// a channel.State at commitment number 0 whose first commitments carry the
// peer's signature; channel_ready and everything after it belong to
// package channel.
//
// It is pure (layer L1): Step takes a State, an Env and an Event and
// returns the new State and the Effects to carry out, in order, or an
// *Error whose Action says what the protocol requires (refuse a local
// command, ignore a message, fail the negotiation and send an error for
// the temporary_channel_id, or abandon it silently). It does no I/O,
// starts no goroutines and reads no clock; its only randomness, the
// temporary_channel_id, comes from Env.Rand. Signatures and per-commitment
// points come from the channel's Signer (Env.Channel.Signer); the funding
// transaction is built by the wallet, which the runtime asks through the
// BuildFundingTx effect and whose answer comes back as FundingTxBuilt.
//
// The opener (funder) and the accepter (fundee) go through these phases:
//
//	stateDiagram-v2
//	    [*] --> AwaitingAccept: Open / send open_channel
//	    AwaitingAccept --> AwaitingFundingTx: accept_channel checked / BuildFundingTx
//	    AwaitingFundingTx --> AwaitingFundingSigned: FundingTxBuilt / send funding_created
//	    AwaitingFundingSigned --> Established: funding_signed verified / persist, broadcast, watch
//	    [*] --> AwaitingFundingCreated: OpenChannelReceived checked / send accept_channel
//	    AwaitingFundingCreated --> Established: funding_created verified / persist, send funding_signed, watch
//	    AwaitingAccept --> Failed: bad accept_channel, error, Cancel, Disconnected
//	    AwaitingFundingTx --> Failed
//	    AwaitingFundingSigned --> Failed
//	    AwaitingFundingCreated --> Failed
//	    Established --> [*]: channel.State handed to the runtime
//	    Failed --> [*]: negotiation forgotten
//
// Nothing is persisted before the first signatures are exchanged: a
// negotiation that is interrupted (disconnection, restart) is forgotten,
// as BOLT #2 allows ("if the connection has been re-established after
// receiving a previous open_channel, BUT before receiving a
// funding_created message: accept a new open_channel message"). The
// accepter persists the channel before it sends funding_signed, the opener
// before it broadcasts the funding transaction.
//
// The runtime's contract: carry out the effects in the order given;
// PersistChannel (store channel.Marshal of its State, durably) comes before
// the messages and the broadcast that depend on it. Route open_channel,
// accept_channel and funding_created by temporary_channel_id, and
// funding_signed by State.ChannelID (known once the outpoint is); refuse a
// second negotiation with a temporary_channel_id already in use. Tell the
// accepter how many of the peer's channels are pending
// (OpenChannelReceived.PendingChannels), give Cancel on a timeout, and
// Disconnected when the connection drops. After HandOver the channel's
// messages go to channel.Step, and the WatchFunding depth becomes a
// channel.FundingLocked event.
//
// Default parameters are chosen to interoperate with lnd v0.21 and Core
// Lightning (see Config and DefaultLimits).
//
// It imports lnwire, channeltx (layer L0), channel (layer L1) and btcd; it
// must not import the signer, the wallet, the store, the peer connection or
// any runtime package.
package funding
