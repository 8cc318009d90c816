package channel

import (
	"github.com/fulmen-ln/fulmen/lnwire"
)

// sendFee proposes a new feerate (the UpdateFee command).
func (s *State) sendFee(env Env, feerate lnwire.FeeratePerKW, o *outbox) error {
	if err := s.requireOperating(); err != nil {
		return err
	}
	if s.Link != LinkUp {
		return rejectf(ErrNotConnected, "link %s", s.Link)
	}
	// BOLT #2: The node not responsible for paying the Bitcoin fee: MUST
	// NOT send update_fee.
	if s.Opener != Local {
		return rejectf(ErrNotOpener, "")
	}
	if s.updatesForbidden() {
		return rejectf(ErrShuttingDown, "no HTLC left, no update may be sent")
	}
	msg := &lnwire.UpdateFee{ChannelID: s.ChannelID, FeeratePerKW: feerate}
	// A newer update_fee replaces one not yet signed.
	proposed := make([]Update, 0, len(s.LocalChanges.Proposed)+1)
	for _, u := range s.LocalChanges.Proposed {
		if _, ok := u.Msg.(*lnwire.UpdateFee); !ok {
			proposed = append(proposed, u)
		}
	}
	proposed = append(proposed, Update{Msg: msg})
	v := s.latestRemoteSpec().view()
	if err := v.apply(proposed, s.RemoteChanges.Acked); err != nil {
		return err
	}
	if e := s.checkReserve(&v, Remote, Local, 1, 0); e != nil {
		e.Action = Reject
		return e
	}
	if err := s.checkFeeDustExposure(env, feerate, &v); err != nil {
		err.Action = Reject
		return err
	}
	s.LocalChanges.Proposed = proposed
	o.save()
	o.send(msg)
	return nil
}

// receiveFee takes the peer's update_fee.
func (s *State) receiveFee(env Env, msg *lnwire.UpdateFee) error {
	if err := s.requireUpdatesFromPeer(msg.MsgType()); err != nil {
		return err
	}
	// BOLT #2: if the sender is not responsible for paying the Bitcoin fee:
	// MUST send a warning and close the connection, or send an error and
	// fail the channel.
	if s.Opener != Remote {
		return failf(ErrFeeFromAccepter, "feerate_per_kw %d", msg.FeeratePerKW)
	}
	// BOLT #2: if the update_fee is too low for timely processing, OR is
	// unreasonably large: MUST send a warning and close the connection, or
	// send an error and fail the channel.
	if msg.FeeratePerKW < env.Policy.MinFeerate || (env.Policy.MaxFeerate > 0 && msg.FeeratePerKW > env.Policy.MaxFeerate) {
		return failf(ErrFeerateOutOfRange, "%d not in [%d, %d]", msg.FeeratePerKW, env.Policy.MinFeerate, env.Policy.MaxFeerate)
	}
	v, err := s.projectReceiver(Remote, Update{Msg: msg})
	if err != nil {
		return err
	}
	// BOLT #2: if the sender cannot afford the new fee rate on the
	// receiving node's current commitment transaction: SHOULD send a
	// warning and close the connection, or send an error and fail the
	// channel.
	if e := s.checkReserve(&v, Local, Remote, 1, 0); e != nil {
		return e
	}
	if e := s.checkFeeDustExposure(env, msg.FeeratePerKW, &v); e != nil {
		return e
	}
	s.RemoteChanges.Proposed = append(s.RemoteChanges.Proposed, Update{Msg: msg})
	return nil
}

// checkFeeDustExposure checks, for channels without anchors, that a higher
// feerate does not trim HTLCs beyond the policy's maximum on either
// commitment. The error's action is Fail.
//
// BOLT #2: if option_anchors was not negotiated: if the update_fee
// increases feerate_per_kw: if the dust balance of the remote [local]
// transaction at the updated feerate_per_kw is greater than
// max_dust_htlc_exposure_msat: MAY fail the channel.
func (s *State) checkFeeDustExposure(env Env, feerate lnwire.FeeratePerKW, projected *view) *Error {
	limit := env.Policy.MaxDustHTLCExposure
	if s.Type.HasAnchors() || limit == 0 {
		return nil
	}
	for _, owner := range []Party{Local, Remote} {
		var v view
		if owner == Local {
			v = s.LocalCommit.Spec.view()
		} else {
			v = s.latestRemoteSpec().view()
		}
		if feerate <= v.feerate {
			continue
		}
		_, trimmed := projected.untrimmed(s.Type, owner, s.params(owner).DustLimit, feerate)
		if trimmed > limit {
			return failf(ErrDustExposure, "%s commitment at %d sat/kw: %s trimmed, limit %s", owner, feerate, trimmed, limit)
		}
	}
	return nil
}
