package channel

import (
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// receiveAccept checks accept_channel and asks the wallet for the funding
// transaction.
func (o *Opening) receiveAccept(env Env, m *lnwire.AcceptChannel) ([]Effect, error) {
	// BOLT #2: The temporary_channel_id MUST be the same as the
	// temporary_channel_id in the open_channel message.
	if m.TemporaryChannelID != o.TemporaryID {
		return nil, failf(ErrWrongTemporaryID, "%s", m.TemporaryChannelID)
	}
	// BOLT #2: if the message doesn't include a channel_type: MUST fail the
	// channel. If channel_type does not match the channel_type from
	// open_channel: MUST fail the channel.
	t, err := parseChannelType(m.TLVs.ChannelType)
	if err != nil {
		return nil, err
	}
	if t != o.Type {
		return nil, failf(ErrChannelType, "accept_channel has %s, we asked for %s", t, o.Type)
	}
	limits := &o.Request.Limits
	// BOLT #2: if minimum_depth is unreasonably large: MAY fail the channel.
	if m.MinimumDepth > limits.MaxMinimumDepth {
		return nil, failf(ErrOpenRejected, "minimum_depth %d above %d", m.MinimumDepth, limits.MaxMinimumDepth)
	}
	remote := paramsFrom(m.DustLimitSatoshis, m.MaxHTLCValueInFlightMsat, m.ChannelReserveSatoshis, m.HTLCMinimumMsat,
		m.ToSelfDelay, m.MaxAcceptedHTLCs, m.FundingPubKey, m.RevocationBasepoint, m.PaymentBasepoint,
		m.DelayedPaymentBasepoint, m.HTLCBasepoint, m.TLVs.UpfrontShutdownScript)
	if err := checkPeerParams(&remote, o.Capacity, limits); err != nil {
		return nil, err
	}
	// BOLT #2: if channel_reserve_satoshis is less than dust_limit_satoshis
	// within the open_channel message: MUST fail the channel. If
	// channel_reserve_satoshis from the open_channel message is less than
	// dust_limit_satoshis: MUST fail the channel.
	if remote.ChannelReserve < o.Request.Local.DustLimit || o.Request.Local.ChannelReserve < remote.DustLimit {
		return nil, failf(ErrOpenRejected, "reserves %s/%s against dust limits %s/%s",
			remote.ChannelReserve, o.Request.Local.ChannelReserve, o.Request.Local.DustLimit, remote.DustLimit)
	}
	if _, err := Point(m.FirstPerCommitmentPoint).PubKey(); err != nil {
		return nil, failf(ErrOpenRejected, "first_per_commitment_point: %v", err)
	}
	o.Remote, o.RemoteFirstPoint, o.MinimumDepth = remote, Point(m.FirstPerCommitmentPoint), m.MinimumDepth
	localKey, err := o.Request.Local.FundingKey.PubKey()
	if err != nil {
		return nil, rejectf(ErrInternal, "our funding key: %v", err)
	}
	remoteKey, _ := remote.FundingKey.PubKey()
	out, _, err := channeltx.FundingOutput(localKey, remoteKey, o.Capacity)
	if err != nil {
		return nil, failf(ErrOpenRejected, "funding output: %v", err)
	}
	o.Phase = AwaitingFunding
	return []Effect{FundingNeeded{Amount: o.Capacity, PkScript: out.PkScript}}, nil
}

// sendFundingCreated signs the accepter's first commitment once the wallet
// built the funding transaction.
func (o *Opening) sendFundingCreated(env Env, ev FundingBuilt) ([]Effect, error) {
	s, err := NewState(o.funded(ev.TxID, ev.OutputIndex))
	if err != nil {
		return nil, failf(ErrOpenRejected, "%v", err)
	}
	sig, err := s.SignFirstCommitment(env)
	if err != nil {
		return nil, err
	}
	o.Channel, o.Phase = &s, FundingCreatedSent
	return []Effect{SendMessage{Msg: &lnwire.FundingCreated{
		TemporaryChannelID: o.TemporaryID, FundingTxID: ev.TxID, FundingOutputIndex: ev.OutputIndex, Signature: sig,
	}}}, nil
}

// receiveFundingSigned checks the accepter's signature of our first
// commitment: the channel exists, and the funding transaction may go out.
func (o *Opening) receiveFundingSigned(env Env, m *lnwire.FundingSigned) ([]Effect, error) {
	s := o.Channel.Clone()
	// BOLT #2: The sender MUST set channel_id by exclusive-OR of the
	// funding_txid and the funding_output_index from the funding_created
	// message.
	if m.ChannelID != s.ChannelID {
		return nil, failf(ErrWrongChannel, "funding_signed for %s", m.ChannelID)
	}
	if err := s.AcceptFirstSignature(env, m.Signature); err != nil {
		return nil, err
	}
	o.Channel, o.Phase = &s, OpeningDone
	// BOLT #2: A funding node: upon disconnection: if it has broadcast the
	// funding transaction: MUST remember the channel for reconnection.
	return []Effect{ChannelFunded{State: s.Clone()}, PublishFundingTx{TxID: s.FundingTxID}}, nil
}

// Accept answers the peer's open_channel: it checks the terms and sends
// accept_channel.
func Accept(req OpenRequest, env Env, m *lnwire.OpenChannel) (Opening, []Effect, error) {
	o := Opening{Phase: AcceptSent, Opener: Remote, Request: req, TemporaryID: m.TemporaryChannelID}
	if err := o.checkOpen(m); err != nil {
		return abortOpening(o, err)
	}
	point, err := firstPoint(env)
	if err != nil {
		return Opening{}, nil, err
	}
	l := &o.Request.Local
	msg := &lnwire.AcceptChannel{
		TemporaryChannelID: o.TemporaryID, DustLimitSatoshis: l.DustLimit,
		MaxHTLCValueInFlightMsat: l.MaxHTLCValueInFlight, ChannelReserveSatoshis: l.ChannelReserve,
		HTLCMinimumMsat: l.HTLCMinimum, MinimumDepth: req.MinimumDepth, ToSelfDelay: l.ToSelfDelay,
		MaxAcceptedHTLCs: l.MaxAcceptedHTLCs, FundingPubKey: l.FundingKey, RevocationBasepoint: l.RevocationBasepoint,
		PaymentBasepoint: l.PaymentBasepoint, DelayedPaymentBasepoint: l.DelayedPaymentBasepoint,
		HTLCBasepoint: l.HTLCBasepoint, FirstPerCommitmentPoint: point,
	}
	// BOLT #2: MUST set channel_type to the channel_type from open_channel.
	script, channelType := append([]byte{}, l.UpfrontShutdownScript...), channelTypeBits(o.Type)
	msg.TLVs.UpfrontShutdownScript, msg.TLVs.ChannelType = &script, &channelType
	return o, []Effect{SendMessage{Msg: msg}}, nil
}

// abortOpening aborts an establishment with the error's message.
func abortOpening(o Opening, err error) (Opening, []Effect, error) {
	e := asError(err)
	o.Phase = OpeningAborted
	return o, []Effect{
		SendMessage{Msg: &lnwire.Error{ChannelID: o.TemporaryID, Data: []byte(e.Error())}},
		FailChannel{Err: e},
	}, e
}

// checkOpen applies BOLT #2's rules for receiving open_channel and fixes our
// reserve and dust limit against the opener's.
func (o *Opening) checkOpen(m *lnwire.OpenChannel) error {
	req, limits := &o.Request, &o.Request.Limits
	// BOLT #2: The receiving node MUST fail the channel if: the chain_hash
	// value is set to a hash of a chain that is unknown to the receiver.
	if m.ChainHash != req.ChainHash {
		return failf(ErrOpenRejected, "chain %s", m.ChainHash)
	}
	t, err := parseChannelType(m.TLVs.ChannelType)
	if err != nil {
		return err
	}
	// BOLT #2: MUST fail the channel if: push_msat is greater than
	// funding_satoshis * 1000; funding_satoshis is greater than or equal to
	// 2^24 and the receiver does not support option_support_large_channel.
	switch {
	case m.PushMsat > m.FundingSatoshis.ToMilliSatoshis():
		return failf(ErrOpenRejected, "push_msat %s above the funding", m.PushMsat)
	case m.FundingSatoshis >= largeChannel && !limits.LargeChannels:
		return failf(ErrOpenRejected, "funding %s needs option_support_large_channel", m.FundingSatoshis)
	case m.FundingSatoshis < limits.MinFunding:
		// BOLT #2: MAY fail the channel if funding_satoshis is too small.
		return failf(ErrOpenRejected, "funding %s below %s", m.FundingSatoshis, limits.MinFunding)
	}
	remote := paramsFrom(m.DustLimitSatoshis, m.MaxHTLCValueInFlightMsat, m.ChannelReserveSatoshis, m.HTLCMinimumMsat,
		m.ToSelfDelay, m.MaxAcceptedHTLCs, m.FundingPubKey, m.RevocationBasepoint, m.PaymentBasepoint,
		m.DelayedPaymentBasepoint, m.HTLCBasepoint, m.TLVs.UpfrontShutdownScript)
	if err := checkPeerParams(&remote, m.FundingSatoshis, limits); err != nil {
		return err
	}
	if _, err := Point(m.FirstPerCommitmentPoint).PubKey(); err != nil {
		return failf(ErrOpenRejected, "first_per_commitment_point: %v", err)
	}
	// BOLT #2: The sender MUST set channel_reserve_satoshis greater than or
	// equal to dust_limit_satoshis from the open_channel message. MUST set
	// dust_limit_satoshis less than or equal to channel_reserve_satoshis
	// from the open_channel message.
	local := &req.Local
	local.ChannelReserve = max(local.ChannelReserve, remote.DustLimit)
	local.DustLimit = min(local.DustLimit, remote.ChannelReserve)
	if local.DustLimit < channeltx.DustLimitUnknownSegwit {
		return failf(ErrOpenRejected, "channel_reserve_satoshis %s leaves no valid dust limit", remote.ChannelReserve)
	}
	if err := checkFirstCommitment(t, m.FundingSatoshis, m.PushMsat, m.FeeratePerKW, local.ChannelReserve, remote.ChannelReserve); err != nil {
		return err
	}
	o.Type, o.Capacity, o.PushMsat, o.Feerate = t, m.FundingSatoshis, m.PushMsat, m.FeeratePerKW
	o.Remote, o.RemoteFirstPoint = remote, Point(m.FirstPerCommitmentPoint)
	return nil
}

// receiveFundingCreated checks the opener's signature of our first
// commitment and answers with ours.
func (o *Opening) receiveFundingCreated(env Env, m *lnwire.FundingCreated) ([]Effect, error) {
	if m.TemporaryChannelID != o.TemporaryID {
		return nil, failf(ErrWrongTemporaryID, "%s", m.TemporaryChannelID)
	}
	s, err := NewState(o.funded(m.FundingTxID, m.FundingOutputIndex))
	if err != nil {
		return nil, failf(ErrOpenRejected, "%v", err)
	}
	if err := s.AcceptFirstSignature(env, m.Signature); err != nil {
		return nil, err
	}
	sig, err := s.SignFirstCommitment(env)
	if err != nil {
		return nil, err
	}
	o.Channel, o.Phase = &s, OpeningDone
	// BOLT #2: A non-funding node: upon disconnection: if it has sent the
	// funding_signed message: MUST remember the channel for reconnection.
	// So the channel is stored before funding_signed goes out.
	return []Effect{
		ChannelFunded{State: s.Clone()},
		SendMessage{Msg: &lnwire.FundingSigned{ChannelID: s.ChannelID, Signature: sig}},
	}, nil
}
