package funding

import (
	"errors"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// outbox collects a step's effects in the order they are added; the
// handlers add PersistChannel first where there is one.
type outbox struct {
	effects []Effect
}

func (o *outbox) add(e Effect)          { o.effects = append(o.effects, e) }
func (o *outbox) send(m lnwire.Message) { o.add(SendMessage{Msg: m}) }

// Step applies one event to a negotiation. It never modifies s: it returns
// the new state and the effects to carry out, in order.
//
// Start a negotiation with Step(State{}, env, Open{...}) as opener, or
// Step(State{}, env, OpenChannelReceived{...}) as accepter.
//
// When the event breaks a rule, the error is an *Error whose Action says
// what happened: for Reject and Ignore the returned state is s and there are
// no effects; for Fail and Abandon the returned state is s in the Failed
// phase, and the effects send an error for the temporary_channel_id (Fail
// only), release the funding transaction the wallet built (opener only)
// and report NegotiationFailed.
func Step(s State, env Env, ev Event) (State, []Effect, error) {
	next := s.Clone()
	var o outbox
	if err := next.handle(env, ev, &o); err != nil {
		return onError(s, &next, err)
	}
	return next, o.effects, nil
}

// onError turns an error into the state and effects its action calls for.
// attempt is the state the failed step left: a first step learns the role
// and the temporary_channel_id from the open_channel it refuses.
func onError(s State, attempt *State, err error) (State, []Effect, error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Action: Fail, Err: ErrInternal, Detail: err.Error()}
		err = e
	}
	if e.Action == Reject || e.Action == Ignore {
		return s, nil, err
	}
	tempID := attempt.TemporaryChannelID
	failed := s.Clone()
	failed.Phase = Failed
	failed.Role = attempt.Role
	failed.TemporaryChannelID = tempID
	failed.Failure = e.Error()
	var effects []Effect
	if e.Action == Fail {
		// BOLT #1: A sending node [...] when failure was caused by an
		// invalid signature check: SHOULD include the raw, hex-encoded
		// transaction in reply to a funding_created, funding_signed,
		// closing_signed, or commitment_signed message. (We send the
		// reason only.) An all-zero channel_id would fail every channel
		// with us, so that one gets a warning instead.
		if tempID.IsAll() {
			effects = append(effects, SendMessage{Msg: &lnwire.Warning{Data: []byte(failed.Failure)}})
		} else {
			effects = append(effects, SendMessage{Msg: &lnwire.Error{ChannelID: tempID, Data: []byte(failed.Failure)}})
		}
	}
	if s.Role == Opener && (s.Phase == AwaitingFundingTx || s.Phase == AwaitingFundingSigned) {
		effects = append(effects, ReleaseFundingTx{TemporaryChannelID: tempID})
	}
	effects = append(effects, NegotiationFailed{Err: err})
	return failed, effects, err
}

func (s *State) handle(env Env, ev Event, o *outbox) error {
	switch s.Phase {
	case Established, Failed:
		if _, ok := ev.(PeerMessage); ok {
			return newError(Ignore, ErrNegotiationEnded, "phase %s", s.Phase)
		}
		return rejectf(ErrNegotiationEnded, "phase %s", s.Phase)
	}
	switch ev := ev.(type) {
	case Open:
		if s.Phase != Idle {
			return rejectf(ErrBadCommand, "Open in phase %s", s.Phase)
		}
		return s.open(env, ev, o)
	case OpenChannelReceived:
		if s.Phase != Idle {
			return rejectf(ErrBadCommand, "OpenChannelReceived in phase %s", s.Phase)
		}
		return s.receiveOpen(env, ev, o)
	case PeerMessage:
		return s.receive(env, ev.Msg, o)
	case FundingTxBuilt:
		if s.Phase != AwaitingFundingTx {
			return rejectf(ErrBadCommand, "FundingTxBuilt in phase %s", s.Phase)
		}
		return s.fundingTxBuilt(env, ev, o)
	case FundingTxFailed:
		if s.Phase != AwaitingFundingTx {
			return rejectf(ErrBadCommand, "FundingTxFailed in phase %s", s.Phase)
		}
		return failf(ErrWallet, "%v", ev.Err)
	case Cancel:
		if s.Phase == Idle {
			return rejectf(ErrBadCommand, "nothing to cancel")
		}
		return failf(ErrCancelled, "%s", ev.Reason)
	case Disconnected:
		if s.Phase == Idle {
			return rejectf(ErrBadCommand, "no negotiation")
		}
		return newError(Abandon, ErrDisconnected, "phase %s", s.Phase)
	case nil:
		return rejectf(ErrBadCommand, "nil event")
	default:
		return rejectf(ErrBadCommand, "unknown event %T", ev)
	}
}

// receive dispatches a peer message.
func (s *State) receive(env Env, msg lnwire.Message, o *outbox) error {
	switch m := msg.(type) {
	case *lnwire.Error:
		// BOLT #1: upon receiving error: if channel_id is all zero or the
		// channel_id of this channel: MUST fail the channel.
		return newError(Abandon, ErrPeerFailed, "%q", m.Data)
	case *lnwire.Warning:
		return newError(Ignore, ErrUnexpectedMessage, "peer warning %q", m.Data)
	case *lnwire.AcceptChannel:
		if s.Role == Opener && s.Phase == AwaitingAccept {
			return s.receiveAccept(env, m, o)
		}
	case *lnwire.FundingCreated:
		if s.Role == Accepter && s.Phase == AwaitingFundingCreated {
			return s.receiveFundingCreated(env, m, o)
		}
	case *lnwire.FundingSigned:
		if s.Role == Opener && s.Phase == AwaitingFundingSigned {
			return s.receiveFundingSigned(env, m, o)
		}
	case nil:
		return newError(Ignore, ErrUnexpectedMessage, "nil message")
	}
	if s.Phase == Idle {
		return newError(Ignore, ErrUnexpectedMessage, "%s without a negotiation", msg.MsgType())
	}
	return failf(ErrUnexpectedMessage, "%s in phase %s", msg.MsgType(), s.Phase)
}
