package channel

import (
	"bytes"
	"reflect"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// maxCLTVExpiry bounds cltv_expiry: values from 500000000 are timestamps.
const maxCLTVExpiry lnwire.BlockHeight = 500_000_000

// sendAdd offers an HTLC (the AddHTLC command).
func (s *State) sendAdd(env Env, c AddHTLC, o *outbox) error {
	if err := s.requireOperating(); err != nil {
		return err
	}
	if s.Link != LinkUp {
		return rejectf(ErrNotConnected, "link %s", s.Link)
	}
	// BOLT #2: MUST NOT send an update_add_htlc after a shutdown.
	if s.Shutdown.LocalScript != nil || s.Shutdown.RemoteScript != nil {
		return rejectf(ErrShuttingDown, "")
	}
	msg := &lnwire.UpdateAddHTLC{
		ChannelID: s.ChannelID,
		// BOLT #2: for the first HTLC it offers: MUST set id to 0. MUST
		// increase the value of id by 1 for each successive offer.
		ID:                 s.NextHTLCID[Local],
		AmountMsat:         c.Amount,
		PaymentHash:        c.PaymentHash,
		CLTVExpiry:         c.CLTVExpiry,
		OnionRoutingPacket: c.Onion,
	}
	if c.PathKey != nil {
		key := *c.PathKey
		msg.TLVs.BlindedPath = &key
	}
	if err := s.checkAdd(Local, msg); err != nil {
		err.Action = Reject
		return err
	}
	if err := s.checkOwnAdd(env, msg); err != nil {
		return err
	}
	s.LocalChanges.Proposed = append(s.LocalChanges.Proposed, Update{Msg: msg})
	s.NextHTLCID[Local]++
	o.save()
	o.send(msg)
	return nil
}

// receiveAdd takes an update_add_htlc from the peer.
func (s *State) receiveAdd(env Env, msg *lnwire.UpdateAddHTLC, o *outbox) error {
	if err := s.requireUpdatesFromPeer(msg.MsgType()); err != nil {
		return err
	}
	if msg.ID != s.NextHTLCID[Remote] {
		// BOLT #2: if the sender did not previously acknowledge the
		// commitment of that HTLC: MUST ignore a repeated id value after a
		// reconnection.
		if msg.ID < s.NextHTLCID[Remote] && s.knownAdd(msg) {
			return newError(Ignore, ErrUnexpectedHTLCID, "repeated id %d", msg.ID)
		}
		// BOLT #2: if other id violations occur: MAY send a warning and
		// close the connection, or send an error and fail the channel.
		return failf(ErrUnexpectedHTLCID, "got %d, want %d", msg.ID, s.NextHTLCID[Remote])
	}
	// BOLT #2: A sending node MUST NOT send an update_add_htlc after a
	// shutdown.
	if s.Shutdown.RemoteScript != nil {
		return failf(ErrAddAfterShutdown, "id %d", msg.ID)
	}
	if err := s.checkAdd(Remote, msg); err != nil {
		return err
	}
	s.RemoteChanges.Proposed = append(s.RemoteChanges.Proposed, Update{Msg: msg})
	s.NextHTLCID[Remote]++
	return nil
}

// knownAdd reports whether the peer's add is one we already hold, unchanged.
func (s *State) knownAdd(msg *lnwire.UpdateAddHTLC) bool {
	want := htlcFromAdd(Remote, msg)
	same := func(h *HTLC) bool {
		return h.ID == want.ID && h.Amount == want.Amount && h.PaymentHash == want.PaymentHash &&
			h.CLTVExpiry == want.CLTVExpiry && bytes.Equal(h.Onion, want.Onion) && reflect.DeepEqual(h.PathKey, want.PathKey)
	}
	for _, spec := range []*Spec{&s.LocalCommit.Spec, &s.RemoteCommit.Spec} {
		if i := spec.find(Remote, msg.ID); i >= 0 {
			return same(&spec.HTLCs[i])
		}
	}
	for _, u := range s.RemoteChanges.all() {
		if add, ok := u.Msg.(*lnwire.UpdateAddHTLC); ok && add.ID == msg.ID {
			h := htlcFromAdd(Remote, add)
			return same(&h)
		}
	}
	return false
}

// projectReceiver returns the receiver's next commitment with the sender's
// new update: for our add, the remote commitment we will sign next; for the
// peer's, our commitment it will sign next. Both sides compute the same
// projection from the messages they exchanged.
func (s *State) projectReceiver(sender Party, extra Update) (view, error) {
	if sender == Local {
		v := s.latestRemoteSpec().view()
		local := append(append([]Update(nil), s.LocalChanges.Proposed...), extra)
		return v, v.apply(local, s.RemoteChanges.Acked)
	}
	v := s.LocalCommit.Spec.view()
	remote := append(append([]Update(nil), s.RemoteChanges.Proposed...), extra)
	err := v.apply(s.LocalChanges.Acked, remote)
	return v, err
}

// checkAdd applies the rules both sides check on an update_add_htlc. The
// error's action is Fail; sendAdd turns it into Reject.
func (s *State) checkAdd(sender Party, msg *lnwire.UpdateAddHTLC) *Error {
	receiver := s.params(sender.Other())
	// BOLT #2: receiving an amount_msat equal to 0, OR less than its own
	// htlc_minimum_msat: SHOULD send a warning and close the connection, or
	// send an error and fail the channel.
	if msg.AmountMsat == 0 {
		return failf(ErrAmountZero, "id %d", msg.ID)
	}
	if msg.AmountMsat < receiver.HTLCMinimum {
		return failf(ErrBelowHTLCMinimum, "%s < %s", msg.AmountMsat, receiver.HTLCMinimum)
	}
	// BOLT #2: if sending node sets cltv_expiry to greater or equal to
	// 500000000: SHOULD send a warning and close the connection, or send an
	// error and fail the channel.
	if msg.CLTVExpiry >= maxCLTVExpiry {
		return failf(ErrExpiryInSeconds, "cltv_expiry %d", msg.CLTVExpiry)
	}
	v, err := s.projectReceiver(sender, Update{Msg: msg})
	if err != nil {
		return asError(err)
	}
	// BOLT #2: if a sending node adds more than receiver max_accepted_htlcs
	// HTLCs to its local commitment transaction, OR adds more than receiver
	// max_htlc_value_in_flight_msat worth of offered HTLCs to its local
	// commitment transaction: SHOULD send a warning and close the
	// connection, or send an error and fail the channel.
	count, total := v.offered(sender)
	if count > int(receiver.MaxAcceptedHTLCs) {
		return failf(ErrTooManyHTLCs, "%d > %d", count, receiver.MaxAcceptedHTLCs)
	}
	if total > receiver.MaxHTLCValueInFlight {
		return failf(ErrInFlightExceeded, "%s > %s", total, receiver.MaxHTLCValueInFlight)
	}
	// BOLT #2: receiving an amount_msat that the sending node cannot afford
	// at the current feerate_per_kw (while maintaining its channel reserve
	// and any to_local_anchor and to_remote_anchor costs): SHOULD send a
	// warning and close the connection, or send an error and fail the
	// channel.
	if err := s.checkReserve(&v, sender.Other(), sender, 1, 0); err != nil {
		return err
	}
	return nil
}

// checkReserve checks that `payer` keeps its reserve on the owner's
// commitment once the opener paid its fee at feerate*feeMultiplier with
// extraHTLCs more HTLC outputs.
func (s *State) checkReserve(v *view, owner, payer Party, feeMultiplier, extraHTLCs int) *Error {
	var cost lnwire.MilliSatoshi
	if payer == s.Opener {
		untrimmed, _ := v.untrimmed(s.Type, owner, s.params(owner).DustLimit, v.feerate)
		cost = openerCost(s.Type, untrimmed, extraHTLCs, v.feerate*lnwire.FeeratePerKW(feeMultiplier))
	}
	// The reserve a party keeps is the one the other party asked for.
	reserve := s.params(payer.Other()).ChannelReserve.ToMilliSatoshis()
	if v.balance[payer] < int64(cost)+int64(reserve) {
		sentinel := ErrCannotAfford
		if feeMultiplier > 1 || extraHTLCs > 0 {
			sentinel = ErrFeeSpikeBuffer
		}
		return failf(sentinel, "%s balance %d msat on the %s commitment, fee and anchors %s, reserve %s",
			payer, v.balance[payer], owner, cost, reserve)
	}
	return nil
}

// checkOwnAdd applies the rules only the sender can check: its own
// commitment, the fee spike buffer and dust exposure.
func (s *State) checkOwnAdd(env Env, msg *lnwire.UpdateAddHTLC) error {
	remote, err := s.projectReceiver(Local, Update{Msg: msg})
	if err != nil {
		return err
	}
	// Our own commitment once every pending update is in it.
	local := s.LocalCommit.Spec.view()
	ours := append(s.LocalChanges.all(), Update{Msg: msg})
	if err := local.apply(ours, s.RemoteChanges.Proposed); err != nil {
		return err
	}
	opener := s.Opener
	// BOLT #2: if it is responsible for paying the Bitcoin fee: MUST NOT
	// offer amount_msat if, after adding that HTLC to its commitment
	// transaction, it cannot pay the fee for either the local or remote
	// commitment transaction at the current feerate_per_kw while
	// maintaining its channel reserve. If it is not responsible: SHOULD
	// NOT offer amount_msat if, once the remote node adds that HTLC to its
	// commitment transaction, it cannot pay the fee for the updated local
	// or remote transaction at the current feerate_per_kw while
	// maintaining its channel reserve.
	if e := s.checkReserve(&local, Local, opener, 1, 0); e != nil {
		e.Action = Reject
		return e
	}
	if opener == Remote {
		if e := s.checkReserve(&remote, Remote, opener, 1, 0); e != nil {
			e.Action = Reject
			return e
		}
	} else {
		// BOLT #2: SHOULD NOT offer amount_msat if, after adding that HTLC
		// to its commitment transaction, its remaining balance doesn't
		// allow it to pay the commitment transaction fee when receiving or
		// sending a future additional non-dust HTLC while maintaining its
		// channel reserve. It is recommended that this "fee spike buffer"
		// can handle twice the current feerate_per_kw.
		if e := s.checkReserve(&remote, Remote, Local, 2, 1); e != nil {
			e.Action = Reject
			return e
		}
	}
	return s.checkDustExposure(env, &remote, &local, htlcFromAdd(Local, msg))
}

// checkDustExposure refuses an HTLC that would be trimmed on a commitment
// whose trimmed HTLCs then exceed the policy's maximum.
//
// BOLT #2: when offering an HTLC: if the HTLC's amount_msat is smaller than
// the remote dust_limit_satoshis plus the HTLC-success fee [or the holder's
// dust_limit_satoshis plus the HTLC-timeout fee]: if the amount_msat plus
// the dust balance of the remote [local] transaction is greater than
// max_dust_htlc_exposure_msat: SHOULD NOT send this HTLC.
func (s *State) checkDustExposure(env Env, remote, local *view, h HTLC) error {
	limit := env.Policy.MaxDustHTLCExposure
	if limit == 0 {
		return nil
	}
	for _, c := range []struct {
		owner Party
		v     *view
	}{{Remote, remote}, {Local, local}} {
		dust := s.params(c.owner).DustLimit
		if !channeltx.IsTrimmed(s.Type, c.v.feerate, dust, direction(&h, c.owner), h.Amount) {
			continue
		}
		if _, trimmed := c.v.untrimmed(s.Type, c.owner, dust, c.v.feerate); trimmed > limit {
			return rejectf(ErrDustExposure, "%s commitment: %s trimmed with HTLC %s, limit %s", c.owner, trimmed, h.Amount, limit)
		}
	}
	return nil
}

// dustExposureExceeded reports whether an HTLC the peer offered, now in
// both commitments, is trimmed on one whose trimmed HTLCs exceed the
// policy's maximum.
//
// BOLT #2: when receiving an HTLC: if the HTLC's amount_msat is smaller than
// the remote dust_limit_satoshis plus the HTLC-timeout fee [or the local
// dust_limit_satoshis plus the HTLC-success fee]: if the amount_msat plus
// the dust balance of the remote [local] transaction is greater than
// max_dust_htlc_exposure_msat: SHOULD fail this HTLC once it's committed.
func (s *State) dustExposureExceeded(env Env, h *HTLC) bool {
	limit := env.Policy.MaxDustHTLCExposure
	if limit == 0 {
		return false
	}
	for _, c := range []struct {
		owner Party
		spec  *Spec
	}{{Local, &s.LocalCommit.Spec}, {Remote, &s.RemoteCommit.Spec}} {
		dust := s.params(c.owner).DustLimit
		if !channeltx.IsTrimmed(s.Type, c.spec.Feerate, dust, direction(h, c.owner), h.Amount) {
			continue
		}
		v := c.spec.view()
		if _, trimmed := v.untrimmed(s.Type, c.owner, dust, v.feerate); trimmed > limit {
			return true
		}
	}
	return false
}

// asError returns err as an *Error (internal errors fail the channel).
func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Action: Fail, Err: ErrInternal, Detail: err.Error()}
}
