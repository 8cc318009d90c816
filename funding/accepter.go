package funding

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// receiveOpen starts a negotiation as accepter: it checks open_channel
// against our policy and answers accept_channel.
func (s *State) receiveOpen(env Env, ev OpenChannelReceived, o *outbox) error {
	s.Role = Accepter
	m := ev.Msg
	if m == nil {
		return rejectf(ErrBadCommand, "OpenChannelReceived without a message")
	}
	s.TemporaryChannelID = m.TemporaryChannelID
	if err := s.checkOpenChannel(env, &ev); err != nil {
		return err
	}
	cfg := &env.Config
	local := ev.Keys.params(s.accepterLimits(cfg), ev.UpfrontShutdownScript)
	// Our own mistakes fail the negotiation too: the peer waits for an
	// answer.
	if err := checkKeys(&local); err != nil {
		return failf(ErrBadLocalParams, "%v", err)
	}
	if len(ev.UpfrontShutdownScript) > 0 && !validShutdownScript(ev.UpfrontShutdownScript, s.AnySegwit) {
		return failf(ErrBadLocalParams, "our upfront_shutdown_script %x", ev.UpfrontShutdownScript)
	}
	// Our own message must pass the checks we would make of it.
	if err := checkReserves(&s.Remote, &local); err != nil {
		return err
	}
	funds, err := openerFundsAfterFee(s.Type, s.Capacity, s.PushMsat, s.Feerate)
	if err != nil {
		return err
	}
	if err := checkOutputsAboveReserve(funds, s.PushMsat, local.ChannelReserve, s.Remote.ChannelReserve); err != nil {
		return err
	}
	first, serr := env.Channel.Signer.PerCommitmentPoint(0)
	if serr != nil {
		return failf(ErrSigner, "per-commitment point 0: %v", serr)
	}
	s.Local = local
	s.MinimumDepth = cfg.MinimumDepth
	upfront := bytes.Clone(local.UpfrontShutdownScript)
	if upfront == nil {
		upfront = []byte{}
	}
	// BOLT #2: [The sender] MUST set channel_type to the channel_type from
	// open_channel.
	typeBits := bytes.Clone(s.ChannelTypeBits)
	msg := &lnwire.AcceptChannel{
		TemporaryChannelID:       s.TemporaryChannelID,
		DustLimitSatoshis:        local.DustLimit,
		MaxHTLCValueInFlightMsat: local.MaxHTLCValueInFlight,
		ChannelReserveSatoshis:   local.ChannelReserve,
		HTLCMinimumMsat:          local.HTLCMinimum,
		// BOLT #2: [The sender] SHOULD set minimum_depth to a number of
		// blocks it considers reasonable to avoid double-spending of the
		// funding transaction.
		MinimumDepth:            s.MinimumDepth,
		ToSelfDelay:             local.ToSelfDelay,
		MaxAcceptedHTLCs:        local.MaxAcceptedHTLCs,
		FundingPubKey:           local.FundingKey,
		RevocationBasepoint:     local.RevocationBasepoint,
		PaymentBasepoint:        local.PaymentBasepoint,
		DelayedPaymentBasepoint: local.DelayedPaymentBasepoint,
		HTLCBasepoint:           local.HTLCBasepoint,
		FirstPerCommitmentPoint: channel.NewPoint(first),
	}
	msg.TLVs.UpfrontShutdownScript = &upfront
	msg.TLVs.ChannelType = &typeBits
	s.Phase = AwaitingFundingCreated
	o.send(msg)
	return nil
}

// checkOpenChannel checks the peer's open_channel and fills in the state.
func (s *State) checkOpenChannel(env Env, ev *OpenChannelReceived) *Error {
	cfg := &env.Config
	m := ev.Msg
	if m.TemporaryChannelID.IsAll() {
		return failf(ErrZeroTemporaryChannelID, "")
	}
	// BOLT #2: The receiving node MUST fail the channel if: the chain_hash
	// value is set to a hash of a chain that is unknown to the receiver.
	if m.ChainHash != cfg.ChainHash {
		return failf(ErrUnknownChain, "%s", m.ChainHash)
	}
	// BOLT #2: The receiving node MUST: if option_dual_fund has been
	// negotiated: fail the channel.
	if bothSupport(cfg.LocalFeatures, ev.PeerFeatures, lnwire.DualFundRequired) {
		return failf(ErrDualFundNegotiated, "")
	}
	if ev.PendingChannels >= cfg.MaxPendingChannels {
		return failf(ErrTooManyPendingChannels, "%d already, at most %d", ev.PendingChannels, cfg.MaxPendingChannels)
	}
	// BOLT #2: The receiving node MUST: if the message doesn't include a
	// channel_type: fail the channel.
	if m.TLVs.ChannelType == nil {
		return failf(ErrMissingChannelType, "open_channel")
	}
	// BOLT #2: The receiving node MUST fail the channel if: the
	// channel_type is not suitable. [if the channel_type includes
	// option_zeroconf and it does not trust the sender: we trust no one.]
	t, ok := ParseChannelType(*m.TLVs.ChannelType)
	if !ok || !negotiable(t, cfg.LocalFeatures, ev.PeerFeatures) {
		return failf(ErrUnsupportedChannelType, "%x", *m.TLVs.ChannelType)
	}
	if err := checkFundingAmount(cfg, ev.PeerFeatures, m.FundingSatoshis); err != nil {
		return err
	}
	if err := checkPush(m.FundingSatoshis, m.PushMsat); err != nil {
		return err
	}
	if err := checkFeerate(&env.Channel.Policy, m.FeeratePerKW); err != nil {
		return err
	}
	remote := paramsFromOpen(m)
	if err := checkPeerParams(cfg, m.FundingSatoshis, &remote, channel.Point(m.FirstPerCommitmentPoint)); err != nil {
		return err
	}
	anySegwit := bothSupport(cfg.LocalFeatures, ev.PeerFeatures, lnwire.ShutdownAnySegwitRequired)
	upfront, err := peerUpfrontScript(cfg.LocalFeatures, ev.PeerFeatures, m.TLVs.UpfrontShutdownScript, anySegwit)
	if err != nil {
		return err
	}
	remote.UpfrontShutdownScript = upfront
	s.Type = t
	s.ChannelTypeBits = bytes.Clone(*m.TLVs.ChannelType)
	s.Capacity = m.FundingSatoshis
	s.PushMsat = m.PushMsat
	s.Feerate = m.FeeratePerKW
	// BOLT #2: The receiving node MUST: ignore undefined bits in
	// channel_flags.
	s.ChannelFlags = m.ChannelFlags & 1
	s.PeerFeatures = ev.PeerFeatures
	s.AnySegwit = anySegwit
	s.Remote = remote
	s.RemoteFirstPoint = channel.Point(m.FirstPerCommitmentPoint)
	return nil
}

// accepterLimits returns what we announce in accept_channel: our defaults,
// with the reserve raised to the opener's dust limit and our dust limit
// lowered to the opener's reserve, as lnd does, so that both reserves are
// at least both dust limits.
//
// BOLT #2: [The sender] MUST set channel_reserve_satoshis greater than or
// equal to dust_limit_satoshis from the open_channel message. MUST set
// dust_limit_satoshis less than or equal to channel_reserve_satoshis from
// the open_channel message.
func (s *State) accepterLimits(cfg *Config) Limits {
	l := cfg.DefaultLimits(s.Capacity)
	// The opener's reserve is at least its dust limit, so at least 354.
	l.DustLimit = min(l.DustLimit, s.Remote.ChannelReserve)
	l.ChannelReserve = max(l.ChannelReserve, s.Remote.DustLimit)
	if s.Capacity > l.ChannelReserve {
		l.MaxHTLCValueInFlight = (s.Capacity - l.ChannelReserve).ToMilliSatoshis()
	}
	return l
}

// paramsFromOpen reads what the opener announced.
func paramsFromOpen(m *lnwire.OpenChannel) channel.Params {
	return channel.Params{
		DustLimit:               m.DustLimitSatoshis,
		MaxHTLCValueInFlight:    m.MaxHTLCValueInFlightMsat,
		ChannelReserve:          m.ChannelReserveSatoshis,
		HTLCMinimum:             m.HTLCMinimumMsat,
		ToSelfDelay:             m.ToSelfDelay,
		MaxAcceptedHTLCs:        m.MaxAcceptedHTLCs,
		FundingKey:              m.FundingPubKey,
		RevocationBasepoint:     m.RevocationBasepoint,
		PaymentBasepoint:        m.PaymentBasepoint,
		DelayedPaymentBasepoint: m.DelayedPaymentBasepoint,
		HTLCBasepoint:           m.HTLCBasepoint,
	}
}

// receiveFundingCreated checks the opener's signature of our first
// commitment, signs its own, and hands the channel over.
func (s *State) receiveFundingCreated(env Env, m *lnwire.FundingCreated, o *outbox) error {
	// BOLT #2: The sender MUST set: temporary_channel_id the same as the
	// temporary_channel_id in the open_channel message.
	if m.TemporaryChannelID != s.TemporaryChannelID {
		return newError(Ignore, ErrWrongChannel, "funding_created for %s", m.TemporaryChannelID)
	}
	outpoint := wire.OutPoint{Hash: chainhash.Hash(m.FundingTxID), Index: uint32(m.FundingOutputIndex)}
	ch, err := s.newChannel(outpoint)
	if err != nil {
		return err
	}
	// BOLT #2: The recipient: if signature is incorrect OR non-compliant
	// with LOW-S-standard rule: MUST send a warning and close the
	// connection, or send an error and fail the channel.
	if err := ch.AcceptFirstSignature(env.Channel, m.Signature); err != nil {
		return failf(ErrBadCommitmentSignature, "%v", err)
	}
	// BOLT #2: The sender MUST set: signature to the valid signature,
	// using its funding_pubkey for the initial commitment transaction.
	sig, err := ch.SignFirstCommitment(env.Channel)
	if err != nil {
		return failf(ErrSigner, "first commitment: %v", err)
	}
	pkScript, ferr := fundingPkScript(&s.Local, &s.Remote, s.Capacity)
	if ferr != nil {
		return ferr
	}
	s.FundingScript = pkScript
	s.Phase = Established
	o.add(PersistChannel{Channel: ch.Clone()})
	// BOLT #2: The sender MUST set: channel_id by exclusive-OR of the
	// funding_txid and the funding_output_index from the funding_created
	// message.
	o.send(&lnwire.FundingSigned{ChannelID: ch.ChannelID, Signature: sig})
	// BOLT #2 (channel_ready): A non-funding node (fundee): SHOULD forget
	// the channel if it does not see the correct funding transaction after
	// a timeout of 2016 blocks. (The watcher reports; the runtime forgets.)
	o.add(WatchFunding{Outpoint: outpoint, PkScript: bytes.Clone(pkScript), MinimumDepth: s.MinimumDepth})
	o.add(HandOver{Channel: ch.Clone(), MinimumDepth: s.MinimumDepth, ChannelFlags: s.ChannelFlags})
	return nil
}
