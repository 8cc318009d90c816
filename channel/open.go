package channel

import (
	"fmt"
	"io"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// OpeningPhase is where channel establishment v1 is (BOLT #2 "Channel
// Establishment v1").
type OpeningPhase uint8

const (
	// OpenSent: the opener sent open_channel and waits for accept_channel.
	OpenSent OpeningPhase = iota + 1
	// AwaitingFunding: the opener waits for the wallet to build the
	// funding transaction (FundingBuilt).
	AwaitingFunding
	// FundingCreatedSent: the opener sent funding_created and waits for
	// funding_signed.
	FundingCreatedSent
	// AcceptSent: the accepter sent accept_channel and waits for
	// funding_created.
	AcceptSent
	// OpeningDone: both first commitments are signed; the channel lives
	// on as a State (ChannelFunded).
	OpeningDone
	// OpeningAborted: establishment failed; nothing is on chain.
	OpeningAborted
)

// OpenRequest is what this node chooses for a channel it opens or accepts.
type OpenRequest struct {
	ChainHash lnwire.ChainHash
	// Type, Capacity, PushMsat, Feerate and Announce are the opener's
	// choices (ignored by the accepter).
	Type     channeltx.ChannelType
	Capacity lnwire.Satoshi
	PushMsat lnwire.MilliSatoshi
	Feerate  lnwire.FeeratePerKW
	Announce bool
	// Local holds our limits (DefaultLimits) and our keys.
	Local Params
	// MinimumDepth is the accepter's minimum_depth.
	MinimumDepth uint32
	// AnySegwit is set when option_shutdown_anysegwit was negotiated.
	AnySegwit bool
	Limits    OpenLimits
}

// Opening is channel establishment v1 in progress, for either role.
type Opening struct {
	Phase       OpeningPhase
	Opener      Party
	TemporaryID lnwire.ChannelID
	Request     OpenRequest
	// Terms agreed so far: the opener's choices and the peer's parameters.
	Type             channeltx.ChannelType
	Capacity         lnwire.Satoshi
	PushMsat         lnwire.MilliSatoshi
	Feerate          lnwire.FeeratePerKW
	Remote           Params
	RemoteFirstPoint Point
	MinimumDepth     uint32
	// Channel is the channel once funding_created was sent or received.
	Channel *State
}

// FundingBuilt tells the opener the wallet built (not broadcast) the
// funding transaction paying FundingNeeded's script.
type FundingBuilt struct {
	TxID        [32]byte
	OutputIndex uint16
}

func (FundingBuilt) isEvent() {}

// FundingNeeded asks the wallet to build, not broadcast, a transaction
// paying Amount to PkScript, the 2-of-2 funding output (BOLT #3).
type FundingNeeded struct {
	Amount   lnwire.Satoshi
	PkScript []byte
}

// ChannelFunded hands over the new channel: the runtime stores State as the
// channel's first record, durably, before the following effects, and drives
// it with Step from then on.
type ChannelFunded struct {
	State State
}

// PublishFundingTx asks the wallet to broadcast the funding transaction.
//
// BOLT #2: on receipt of a valid funding_signed: SHOULD broadcast the
// funding transaction.
type PublishFundingTx struct {
	TxID [32]byte
}

func (FundingNeeded) isEffect()    {}
func (ChannelFunded) isEffect()    {}
func (PublishFundingTx) isEffect() {}

// openerFirstPoint returns our first_per_commitment_point.
func firstPoint(env Env) (Point, error) {
	p, err := env.Signer.PerCommitmentPoint(0)
	if err != nil {
		return Point{}, newError(Reject, ErrSigner, "per-commitment point 0: %v", err)
	}
	return NewPoint(p), nil
}

// Open starts establishment as the opener: it sends open_channel with a
// temporary_channel_id read from random.
func Open(req OpenRequest, env Env, random io.Reader) (Opening, []Effect, error) {
	o := Opening{Phase: OpenSent, Opener: Local, Request: req, Type: req.Type,
		Capacity: req.Capacity, PushMsat: req.PushMsat, Feerate: req.Feerate}
	if err := req.Type.Validate(); err != nil {
		return Opening{}, nil, rejectf(ErrChannelType, "%v", err)
	}
	// BOLT #2: MUST set push_msat to equal or less than 1000 *
	// funding_satoshis. MUST set channel_reserve_satoshis greater than or
	// equal to dust_limit_satoshis.
	if req.PushMsat > req.Capacity.ToMilliSatoshis() || req.Local.ChannelReserve < req.Local.DustLimit {
		return Opening{}, nil, rejectf(ErrOpenRejected, "push %s or reserve %s out of range", req.PushMsat, req.Local.ChannelReserve)
	}
	if err := checkFirstCommitment(req.Type, req.Capacity, req.PushMsat, req.Feerate, 0, 0); err != nil {
		return Opening{}, nil, rejectf(ErrFundingUnaffordable, "%v", err)
	}
	// BOLT #2: MUST ensure temporary_channel_id is unique from any other
	// channel ID with the same peer.
	if _, err := io.ReadFull(random, o.TemporaryID[:]); err != nil {
		return Opening{}, nil, rejectf(ErrInternal, "temporary_channel_id: %v", err)
	}
	point, err := firstPoint(env)
	if err != nil {
		return Opening{}, nil, err
	}
	l := &req.Local
	msg := &lnwire.OpenChannel{
		ChainHash: req.ChainHash, TemporaryChannelID: o.TemporaryID,
		FundingSatoshis: req.Capacity, PushMsat: req.PushMsat, DustLimitSatoshis: l.DustLimit,
		MaxHTLCValueInFlightMsat: l.MaxHTLCValueInFlight, ChannelReserveSatoshis: l.ChannelReserve,
		HTLCMinimumMsat: l.HTLCMinimum, FeeratePerKW: req.Feerate, ToSelfDelay: l.ToSelfDelay,
		MaxAcceptedHTLCs: l.MaxAcceptedHTLCs, FundingPubKey: l.FundingKey, RevocationBasepoint: l.RevocationBasepoint,
		PaymentBasepoint: l.PaymentBasepoint, DelayedPaymentBasepoint: l.DelayedPaymentBasepoint,
		HTLCBasepoint: l.HTLCBasepoint, FirstPerCommitmentPoint: point,
	}
	if req.Announce {
		msg.ChannelFlags = 1
	}
	// BOLT #2: if it includes open_channel_tlvs: MUST include
	// upfront_shutdown_script. MUST set channel_type.
	script, channelType := append([]byte{}, l.UpfrontShutdownScript...), channelTypeBits(req.Type)
	msg.TLVs.UpfrontShutdownScript, msg.TLVs.ChannelType = &script, &channelType
	return o, []Effect{SendMessage{Msg: msg}}, nil
}

// StepOpening applies one event to an establishment in progress, as Step
// does for a channel. Errors abort the establishment: the peer gets an
// error and nothing needs to be broadcast.
func StepOpening(o Opening, env Env, ev Event) (Opening, []Effect, error) {
	next := o
	effects, err := next.handle(env, ev)
	if err == nil {
		return next, effects, nil
	}
	if a := ActionOf(err); a == Reject || a == Ignore {
		return o, nil, err
	}
	return abortOpening(o, err)
}

func (o *Opening) handle(env Env, ev Event) ([]Effect, error) {
	switch ev := ev.(type) {
	case Disconnected:
		// BOLT #2: The requirements above ensure that the opening phase is
		// nearly atomic: if it doesn't complete, it starts again.
		if o.Phase != OpeningDone {
			o.Phase = OpeningAborted
			return []Effect{FailChannel{Err: ErrOpeningAborted}}, nil
		}
		return nil, nil
	case FundingBuilt:
		if o.Phase != AwaitingFunding {
			return nil, rejectf(ErrUnexpectedMessage, "funding built in phase %d", o.Phase)
		}
		return o.sendFundingCreated(env, ev)
	case PeerMessage:
		switch m := ev.Msg.(type) {
		case *lnwire.AcceptChannel:
			if o.Phase == OpenSent {
				return o.receiveAccept(env, m)
			}
		case *lnwire.FundingCreated:
			if o.Phase == AcceptSent {
				return o.receiveFundingCreated(env, m)
			}
		case *lnwire.FundingSigned:
			if o.Phase == FundingCreatedSent {
				return o.receiveFundingSigned(env, m)
			}
		case *lnwire.Error:
			return nil, failf(ErrPeerFailed, "%q", m.Data)
		}
		return nil, failf(ErrUnexpectedMessage, "%s during establishment", ev.Msg.MsgType())
	}
	return nil, rejectf(ErrInternal, "event %T during establishment", ev)
}

// funded returns the terms as the Funded description of the channel.
func (o *Opening) funded(txid [32]byte, index uint16) Funded {
	return Funded{Type: o.Type, Opener: o.Opener, Capacity: o.Capacity, PushMsat: o.PushMsat,
		Feerate: o.Feerate, FundingTxID: txid, FundingOutputIndex: index, Local: o.Request.Local,
		Remote: o.Remote, RemoteFirstPoint: o.RemoteFirstPoint, AnySegwit: o.Request.AnySegwit}
}

// paramsFrom reads the peer's parameters from open_channel or
// accept_channel fields.
func paramsFrom(dust lnwire.Satoshi, inFlight lnwire.MilliSatoshi, reserve lnwire.Satoshi, htlcMin lnwire.MilliSatoshi,
	delay, maxHTLCs uint16, funding, revocation, payment, delayed, htlc [33]byte, upfront *[]byte) Params {
	p := Params{DustLimit: dust, MaxHTLCValueInFlight: inFlight, ChannelReserve: reserve, HTLCMinimum: htlcMin,
		ToSelfDelay: delay, MaxAcceptedHTLCs: maxHTLCs, FundingKey: funding, RevocationBasepoint: revocation,
		PaymentBasepoint: payment, DelayedPaymentBasepoint: delayed, HTLCBasepoint: htlc}
	if upfront != nil && len(*upfront) > 0 {
		p.UpfrontShutdownScript = append([]byte(nil), *upfront...)
	}
	return p
}

func (o *Opening) String() string {
	return fmt.Sprintf("opening %s phase %d", o.TemporaryID, o.Phase)
}
