package channel

import (
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// outbox collects a step's effects by kind; list puts them in the order the
// runtime must follow: persist, send, broadcast, notify.
type outbox struct {
	persist    bool
	messages   []Effect
	broadcasts []Effect
	notes      []Effect
}

func (o *outbox) save()                   { o.persist = true }
func (o *outbox) send(m lnwire.Message)   { o.messages = append(o.messages, SendMessage{Msg: m}) }
func (o *outbox) notify(e Effect)         { o.notes = append(o.notes, e) }
func (o *outbox) broadcast(e BroadcastTx) { o.broadcasts = append(o.broadcasts, e) }
func (o *outbox) sendAll(ms ...lnwire.Message) {
	for _, m := range ms {
		o.send(m)
	}
}

func (o *outbox) list() []Effect {
	var out []Effect
	if o.persist {
		out = append(out, PersistState{})
	}
	out = append(out, o.messages...)
	out = append(out, o.broadcasts...)
	return append(out, o.notes...)
}

// Step applies one event to a channel. It never modifies s: it returns the
// new state and the effects to carry out, in order.
//
// When the event breaks a rule, the error is an *Error whose Action says
// what happened: for Reject and Ignore the returned state is s and there
// are no effects; for Warn the state is s and the effects send a warning
// and disconnect; for Fail and FailWithoutBroadcast the returned state is s
// moved to the Failed phase, and the effects persist it, send an error and
// report FailChannel.
func Step(s State, env Env, ev Event) (State, []Effect, error) {
	next := s.Clone()
	var o outbox
	err := next.handle(env, ev, &o)
	if err == nil {
		err = next.afterStep(env, &o)
	}
	if err != nil {
		return onError(s, err)
	}
	return next, o.list(), nil
}

// onError turns an error into the state and effects its action calls for.
func onError(s State, err error) (State, []Effect, error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Action: Fail, Err: ErrInternal, Detail: err.Error()}
		err = e
	}
	switch e.Action {
	case Reject, Ignore:
		return s, nil, err
	case Warn:
		return s, []Effect{
			SendMessage{Msg: &lnwire.Warning{ChannelID: s.ChannelID, Data: []byte(e.Error())}},
			Disconnect{},
		}, err
	}
	failed := s.Clone()
	failed.Phase = Failed
	failed.Failure = e.Error()
	effects := []Effect{PersistState{}}
	if s.Link != LinkDown {
		effects = append(effects, SendMessage{Msg: &lnwire.Error{ChannelID: s.ChannelID, Data: []byte(failed.Failure)}})
	}
	effects = append(effects, FailChannel{Err: err, Broadcast: e.Action == Fail})
	return failed, effects, err
}

func (s *State) handle(env Env, ev Event, o *outbox) error {
	if s.Phase == Failed {
		return s.handleFailed(ev, o)
	}
	switch ev := ev.(type) {
	case PeerMessage:
		return s.receive(env, ev.Msg, o)
	case AddHTLC:
		return s.sendAdd(env, ev, o)
	case FulfillHTLC:
		return s.sendRemoval(env, &lnwire.UpdateFulfillHTLC{ChannelID: s.ChannelID, ID: ev.ID, PaymentPreimage: ev.Preimage}, o)
	case FailHTLC:
		return s.sendRemoval(env, &lnwire.UpdateFailHTLC{ChannelID: s.ChannelID, ID: ev.ID, Reason: ev.Reason}, o)
	case FailMalformedHTLC:
		return s.sendRemoval(env, &lnwire.UpdateFailMalformedHTLC{
			ChannelID: s.ChannelID, ID: ev.ID, SHA256OfOnion: ev.SHA256OfOnion, FailureCode: ev.FailureCode,
		}, o)
	case SignCommitment:
		return s.sendCommitment(env, o)
	case UpdateFee:
		return s.sendFee(env, ev.Feerate, o)
	case Shutdown:
		return s.startShutdown(env, ev.Script, o)
	case FundingLocked:
		return s.fundingLocked(env, ev, o)
	case NewBlock:
		return s.checkDeadlines(env, ev.Height)
	case ForceClose:
		return s.forceClose(ev.Reason)
	case Disconnected:
		s.disconnect()
		return nil
	case Reconnected:
		return s.reconnect(env, o)
	case nil:
		return rejectf(ErrInternal, "nil event")
	default:
		return rejectf(ErrInternal, "unknown event %T", ev)
	}
}

// handleFailed answers events once the channel failed.
//
// BOLT #2: upon reconnection: if a channel is in an error state: SHOULD
// retransmit the error packet and ignore any other packets for that
// channel.
func (s *State) handleFailed(ev Event, o *outbox) error {
	switch ev.(type) {
	case Reconnected:
		s.Link = LinkUp
		o.send(&lnwire.Error{ChannelID: s.ChannelID, Data: []byte(s.Failure)})
		return nil
	case Disconnected:
		s.Link = LinkDown
		return nil
	case PeerMessage:
		return newError(Ignore, ErrChannelFailed, "%s", s.Failure)
	}
	return rejectf(ErrChannelFailed, "%s", s.Failure)
}

// receive dispatches a peer message.
func (s *State) receive(env Env, msg lnwire.Message, o *outbox) error {
	switch m := msg.(type) {
	case *lnwire.Error:
		// BOLT #1: upon receiving error: if channel_id is all zero or the
		// channel_id of this channel: MUST fail the channel.
		return newError(Fail, ErrPeerFailed, "%q", m.Data)
	case *lnwire.Warning:
		return newError(Ignore, ErrUnexpectedMessage, "peer warning %q", m.Data)
	case *lnwire.ChannelReestablish:
		return s.receiveReestablish(env, m, o)
	}
	if s.Link != LinkUp {
		// BOLT #2: MUST wait to receive the other node's
		// channel_reestablish message before sending any other messages
		// for that channel (so the peer must not either).
		return warnf(ErrMessageBeforeReestab, "%s", msg.MsgType())
	}
	switch m := msg.(type) {
	case *lnwire.ChannelReady:
		return s.receiveReady(m, o)
	case *lnwire.UpdateAddHTLC:
		return s.receiveAdd(env, m, o)
	case *lnwire.UpdateFulfillHTLC, *lnwire.UpdateFailHTLC, *lnwire.UpdateFailMalformedHTLC:
		return s.receiveRemoval(m, o)
	case *lnwire.UpdateFee:
		return s.receiveFee(env, m)
	case *lnwire.CommitmentSigned:
		return s.receiveCommitment(env, m, o)
	case *lnwire.RevokeAndAck:
		return s.receiveRevocation(env, m, o)
	case *lnwire.Shutdown:
		return s.receiveShutdown(env, m, o)
	case *lnwire.ClosingSigned:
		return s.receiveClosingSigned(env, m, o)
	}
	return newError(Ignore, ErrUnexpectedMessage, "%s", msg.MsgType())
}

// requireOperating refuses a local update unless the channel is up and in
// normal operation or shutting down.
func (s *State) requireOperating() error {
	if s.Phase != Normal && s.Phase != ShuttingDown {
		return rejectf(ErrNotReady, "phase %s", s.Phase)
	}
	return nil
}

// requireUpdatesFromPeer fails the channel when the peer sends an update
// outside normal operation.
func (s *State) requireUpdatesFromPeer(t lnwire.MessageType) error {
	if s.Phase != Normal && s.Phase != ShuttingDown {
		return failf(ErrUnexpectedMessage, "%s in phase %s", t, s.Phase)
	}
	return nil
}

// afterStep runs the transitions that depend on the whole state: answering
// a shutdown once our updates are signed, and starting the closing
// negotiation once the channel is clean.
func (s *State) afterStep(env Env, o *outbox) error {
	if s.Phase != ShuttingDown || s.Link != LinkUp {
		return nil
	}
	if s.Shutdown.LocalScript != nil && !s.Shutdown.LocalSent && len(s.LocalChanges.Proposed) == 0 {
		s.sendShutdown(o)
	}
	// Only the opener starts the negotiation: the accepter waits for its
	// closing_signed, because after a reconnection the opener may still
	// retransmit a signed update_fee the accepter had forgotten.
	if s.Opener == Local && s.readyToNegotiate() {
		return s.startNegotiation(env, o)
	}
	return nil
}

// readyToNegotiate reports whether both shutdowns were exchanged and the
// channel is clean.
func (s *State) readyToNegotiate() bool {
	return s.Shutdown.LocalSent && s.Shutdown.RemoteScript != nil && s.isClean()
}

// isClean reports whether no HTLC and no update is left anywhere.
func (s *State) isClean() bool {
	return len(s.LocalCommit.Spec.HTLCs) == 0 && len(s.RemoteCommit.Spec.HTLCs) == 0 &&
		s.RemotePending == nil && s.LocalChanges.empty() && s.RemoteChanges.empty()
}

func (s *State) String() string {
	return fmt.Sprintf("%s/%s local#%d remote#%d", s.Phase, s.Link, s.LocalCommit.Number, s.RemoteCommit.Number)
}
