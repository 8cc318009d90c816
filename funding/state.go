package funding

import (
	"fmt"
	"io"

	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Role says which side of the negotiation this node is.
type Role uint8

const (
	// Opener is the funder: it sends open_channel and funding_created.
	Opener Role = iota + 1
	// Accepter is the fundee: it sends accept_channel and funding_signed.
	Accepter
)

// String names the role.
func (r Role) String() string {
	switch r {
	case Opener:
		return "opener"
	case Accepter:
		return "accepter"
	default:
		return fmt.Sprintf("Role(%d)", uint8(r))
	}
}

// opener returns the channel party that opened the channel, seen from this
// node.
func (r Role) opener() channel.Party {
	if r == Opener {
		return channel.Local
	}
	return channel.Remote
}

// Phase is where the negotiation is.
type Phase uint8

const (
	// Idle is the zero State, before Open or OpenChannelReceived.
	Idle Phase = iota
	// AwaitingAccept: the opener sent open_channel.
	AwaitingAccept
	// AwaitingFundingTx: the opener checked accept_channel and asked the
	// wallet for the funding transaction.
	AwaitingFundingTx
	// AwaitingFundingSigned: the opener sent funding_created.
	AwaitingFundingSigned
	// AwaitingFundingCreated: the accepter sent accept_channel.
	AwaitingFundingCreated
	// Established: both first commitments are signed; State.Channel is
	// the channel, handed to the runtime.
	Established
	// Failed: the negotiation ended without a channel.
	Failed
)

// String names the phase.
func (p Phase) String() string {
	switch p {
	case Idle:
		return "idle"
	case AwaitingAccept:
		return "awaiting-accept"
	case AwaitingFundingTx:
		return "awaiting-funding-tx"
	case AwaitingFundingSigned:
		return "awaiting-funding-signed"
	case AwaitingFundingCreated:
		return "awaiting-funding-created"
	case Established:
		return "established"
	case Failed:
		return "failed"
	default:
		return fmt.Sprintf("Phase(%d)", uint8(p))
	}
}

// Keys are our funding_pubkey and basepoints for the new channel, as the
// signer derived them. Only public keys: secrets stay in the signer.
type Keys struct {
	FundingKey              channel.Point
	RevocationBasepoint     channel.Point
	PaymentBasepoint        channel.Point
	DelayedPaymentBasepoint channel.Point
	HTLCBasepoint           channel.Point
}

// params combines keys and limits into what channel.Params holds.
func (k *Keys) params(l Limits, upfront []byte) channel.Params {
	p := channel.Params{
		DustLimit:               l.DustLimit,
		MaxHTLCValueInFlight:    l.MaxHTLCValueInFlight,
		ChannelReserve:          l.ChannelReserve,
		HTLCMinimum:             l.HTLCMinimum,
		ToSelfDelay:             l.ToSelfDelay,
		MaxAcceptedHTLCs:        l.MaxAcceptedHTLCs,
		FundingKey:              k.FundingKey,
		RevocationBasepoint:     k.RevocationBasepoint,
		PaymentBasepoint:        k.PaymentBasepoint,
		DelayedPaymentBasepoint: k.DelayedPaymentBasepoint,
		HTLCBasepoint:           k.HTLCBasepoint,
	}
	if len(upfront) > 0 {
		p.UpfrontShutdownScript = append([]byte(nil), upfront...)
	}
	return p
}

// Env is what the runtime provides to each Step besides the event.
type Env struct {
	// Channel carries the signer scoped to this channel (our first
	// per-commitment point, the signature of the peer's first commitment)
	// and the channel policy, whose feerate bounds also apply to
	// open_channel's feerate_per_kw.
	Channel channel.Env
	Config  Config
	// Rand is the only source of randomness: the temporary_channel_id.
	Rand io.Reader
}

// State is a negotiation. Step never modifies the State it is given; it
// returns a new one. It is not persisted: an interrupted negotiation is
// forgotten.
type State struct {
	Role  Role
	Phase Phase

	// TemporaryChannelID names the negotiation until funding_created.
	TemporaryChannelID lnwire.ChannelID
	// ChannelID is set once the funding outpoint is known (the opener got
	// FundingTxBuilt, or the accepter received funding_created):
	// funding_signed carries it.
	ChannelID lnwire.ChannelID

	Type channeltx.ChannelType
	// ChannelTypeBits is the channel_type field of open_channel, which
	// accept_channel must echo.
	ChannelTypeBits []byte
	Capacity        lnwire.Satoshi
	PushMsat        lnwire.MilliSatoshi
	Feerate         lnwire.FeeratePerKW
	// FundingFeerate is the opener's wish for the funding transaction's
	// feerate, zero to let the wallet decide.
	FundingFeerate lnwire.FeeratePerKW
	ChannelFlags   byte
	// PeerFeatures are the features of the peer's init message.
	PeerFeatures lnwire.FeatureVector
	// AnySegwit is set when both nodes advertised
	// option_shutdown_anysegwit.
	AnySegwit bool

	// Local and Remote are what each side announced (channel.Params).
	Local, Remote    channel.Params
	RemoteFirstPoint channel.Point
	// MinimumDepth is the accepter's minimum_depth (at least 1).
	MinimumDepth uint32

	// FundingTx is the opener's funding transaction, from the wallet;
	// nil for the accepter, which learns only the outpoint.
	FundingTx       *wire.MsgTx
	FundingOutpoint wire.OutPoint
	// FundingScript is the funding output's P2WSH scriptPubKey.
	FundingScript []byte

	// Channel is the channel at commitment number 0, from the moment the
	// funding outpoint is known; once Established, its first commitment
	// carries the peer's signature.
	Channel *channel.State

	// Failure is why the negotiation failed.
	Failure string
}

// Clone returns a copy that Step may change without touching s. The
// funding transaction and scripts are shared: they are never modified.
func (s *State) Clone() State {
	c := *s
	if s.Channel != nil {
		ch := s.Channel.Clone()
		c.Channel = &ch
	}
	return c
}
