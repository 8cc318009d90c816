package channel

import (
	"fmt"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Funded is what channel establishment agrees on once the funding outpoint
// is known: the parameters of both sides and the first commitment.
type Funded struct {
	Type               channeltx.ChannelType
	Opener             Party
	Capacity           lnwire.Satoshi
	PushMsat           lnwire.MilliSatoshi
	Feerate            lnwire.FeeratePerKW
	FundingTxID        [32]byte
	FundingOutputIndex uint16
	Local, Remote      Params
	// RemoteFirstPoint is the peer's first_per_commitment_point.
	RemoteFirstPoint Point
	AnySegwit        bool
}

// NewState returns the state of a channel at commitment number 0 on both
// sides, before any signature was exchanged: establishment then signs the
// peer's first commitment (funding_created or funding_signed) and checks
// the peer's signature of ours.
func NewState(f Funded) (State, error) {
	if err := f.Type.Validate(); err != nil {
		return State{}, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	if f.PushMsat > f.Capacity.ToMilliSatoshis() {
		return State{}, fmt.Errorf("%w: push_msat %s above capacity %s", ErrInternal, f.PushMsat, f.Capacity)
	}
	if err := f.Local.checkKeys(); err != nil {
		return State{}, err
	}
	if err := f.Remote.checkKeys(); err != nil {
		return State{}, err
	}
	if _, err := f.RemoteFirstPoint.PubKey(); err != nil {
		return State{}, err
	}
	var balance [2]lnwire.MilliSatoshi
	balance[f.Opener] = f.Capacity.ToMilliSatoshis() - f.PushMsat
	balance[f.Opener.Other()] = f.PushMsat
	spec := Spec{Feerate: f.Feerate, Balance: balance}
	return State{
		ChannelID:          lnwire.NewChannelID(f.FundingTxID, f.FundingOutputIndex),
		Type:               f.Type,
		Opener:             f.Opener,
		Capacity:           f.Capacity,
		FundingTxID:        f.FundingTxID,
		FundingOutputIndex: f.FundingOutputIndex,
		AnySegwit:          f.AnySegwit,
		Local:              f.Local,
		Remote:             f.Remote,
		Phase:              AwaitingReady,
		Link:               LinkUp,
		LocalCommit:        LocalCommitment{Number: 0, Spec: spec},
		RemoteCommit:       RemoteCommitment{Number: 0, Spec: spec.clone(), Point: f.RemoteFirstPoint},
	}, nil
}

// SignFirstCommitment signs the peer's commitment number 0, for
// funding_created (opener) or funding_signed (accepter).
func (s *State) SignFirstCommitment(env Env) (lnwire.Signature, error) {
	sig, htlcSigs, err := s.signRemote(env, 0, s.RemoteCommit.Point, &s.RemoteCommit.Spec)
	if err != nil {
		return lnwire.Signature{}, err
	}
	if len(htlcSigs) != 0 {
		return lnwire.Signature{}, newError(Fail, ErrInternal, "first commitment with HTLCs")
	}
	return sig, nil
}

// AcceptFirstSignature checks the peer's signature of our commitment
// number 0 (from funding_created or funding_signed) and keeps it.
//
// BOLT #2: if signature is incorrect OR non-compliant with LOW-S-standard
// rule: MUST send a warning and close the connection, or send an error and
// fail the channel.
func (s *State) AcceptFirstSignature(env Env, sig lnwire.Signature) error {
	if err := s.verifyLocal(env, 0, &s.LocalCommit.Spec, sig, nil); err != nil {
		return err
	}
	s.LocalCommit.Signature = sig
	return nil
}

// fundingLocked sends channel_ready once the funding transaction is deep
// enough (the FundingLocked event).
func (s *State) fundingLocked(env Env, ev FundingLocked, o *outbox) error {
	if s.ReadySent {
		return newError(Ignore, ErrUnexpectedMessage, "channel_ready already sent")
	}
	if s.Phase != AwaitingReady {
		return rejectf(ErrNotReady, "phase %s", s.Phase)
	}
	s.ShortChannelID = ev.ShortChannelID
	ready, err := s.channelReady(env)
	if err != nil {
		return err
	}
	s.ReadySent = true
	if s.ReadyReceived {
		s.Phase = Normal
	}
	o.save()
	if s.Link == LinkUp {
		o.send(ready)
	}
	return nil
}

// channelReady builds our channel_ready.
//
// BOLT #2: MUST set second_per_commitment_point to the per-commitment point
// to be used for commitment transaction #1.
func (s *State) channelReady(env Env) (*lnwire.ChannelReady, error) {
	point, err := env.Signer.PerCommitmentPoint(1)
	if err != nil {
		return nil, newError(Reject, ErrSigner, "per-commitment point 1: %v", err)
	}
	return &lnwire.ChannelReady{ChannelID: s.ChannelID, SecondPerCommitmentPoint: NewPoint(point)}, nil
}

// receiveReady takes the peer's channel_ready.
func (s *State) receiveReady(m *lnwire.ChannelReady, o *outbox) error {
	// BOLT #2: upon reconnection: MUST ignore any redundant channel_ready
	// it receives.
	if s.ReadyReceived || s.Phase != AwaitingReady {
		return newError(Ignore, ErrUnexpectedMessage, "redundant channel_ready")
	}
	if _, err := Point(m.SecondPerCommitmentPoint).PubKey(); err != nil {
		return failf(ErrBadPoint, "second_per_commitment_point: %v", err)
	}
	s.RemoteNextPoint = Point(m.SecondPerCommitmentPoint)
	s.ReadyReceived = true
	if s.ReadySent {
		s.Phase = Normal
	}
	o.save()
	return nil
}
