package funding

import (
	"bytes"
	"io"

	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// open starts a negotiation as opener: it checks the command as the peer
// will check open_channel, and sends open_channel. Any error refuses the
// command.
func (s *State) open(env Env, cmd Open, o *outbox) error {
	if err := s.checkOpen(env, &cmd); err != nil {
		err.Action = Reject
		return err
	}
	tempID, err := temporaryChannelID(env.Rand)
	if err != nil {
		return err
	}
	first, err := env.Channel.Signer.PerCommitmentPoint(0)
	if err != nil {
		return rejectf(ErrSigner, "per-commitment point 0: %v", err)
	}
	s.TemporaryChannelID = tempID
	msg := &lnwire.OpenChannel{
		// BOLT #2: MUST ensure the chain_hash value identifies the chain
		// it wishes to open the channel within.
		ChainHash:                env.Config.ChainHash,
		TemporaryChannelID:       tempID,
		FundingSatoshis:          s.Capacity,
		PushMsat:                 s.PushMsat,
		DustLimitSatoshis:        s.Local.DustLimit,
		MaxHTLCValueInFlightMsat: s.Local.MaxHTLCValueInFlight,
		ChannelReserveSatoshis:   s.Local.ChannelReserve,
		HTLCMinimumMsat:          s.Local.HTLCMinimum,
		FeeratePerKW:             s.Feerate,
		ToSelfDelay:              s.Local.ToSelfDelay,
		MaxAcceptedHTLCs:         s.Local.MaxAcceptedHTLCs,
		FundingPubKey:            s.Local.FundingKey,
		RevocationBasepoint:      s.Local.RevocationBasepoint,
		PaymentBasepoint:         s.Local.PaymentBasepoint,
		DelayedPaymentBasepoint:  s.Local.DelayedPaymentBasepoint,
		HTLCBasepoint:            s.Local.HTLCBasepoint,
		FirstPerCommitmentPoint:  channel.NewPoint(first),
		// BOLT #2: MUST set undefined bits in channel_flags to 0.
		ChannelFlags: s.ChannelFlags,
	}
	// BOLT #2: if it includes open_channel_tlvs: MUST include
	// upfront_shutdown_script. MUST set channel_type. We always do, as lnd
	// does: a zero-length script when we commit to none.
	upfront := bytes.Clone(s.Local.UpfrontShutdownScript)
	if upfront == nil {
		upfront = []byte{}
	}
	typeBits := bytes.Clone(s.ChannelTypeBits)
	msg.TLVs.UpfrontShutdownScript = &upfront
	msg.TLVs.ChannelType = &typeBits
	s.Phase = AwaitingAccept
	o.send(msg)
	return nil
}

// checkOpen checks the Open command and fills in the state.
func (s *State) checkOpen(env Env, cmd *Open) *Error {
	cfg := &env.Config
	s.Role = Opener
	if err := checkFundingAmount(cfg, cmd.PeerFeatures, cmd.Funding); err != nil {
		return err
	}
	if err := checkPush(cmd.Funding, cmd.PushMsat); err != nil {
		return err
	}
	if err := checkFeerate(&env.Channel.Policy, cmd.Feerate); err != nil {
		return err
	}
	t := cmd.ChannelType
	if t == 0 {
		t = ChooseChannelType(cfg.LocalFeatures, cmd.PeerFeatures)
	}
	// BOLT #2: MUST set it to a defined type representing the type it
	// wants. SHOULD NOT set it to a type containing a feature which was
	// not negotiated.
	if t.Validate() != nil || !negotiable(t, cfg.LocalFeatures, cmd.PeerFeatures) {
		return failf(ErrUnsupportedChannelType, "%s with peer features %s", t, cmd.PeerFeatures)
	}
	limits := cfg.DefaultLimits(cmd.Funding)
	if cmd.Limits != nil {
		limits = *cmd.Limits
	}
	anySegwit := bothSupport(cfg.LocalFeatures, cmd.PeerFeatures, lnwire.ShutdownAnySegwitRequired)
	// BOLT #2: MUST include upfront_shutdown_script with either a valid
	// shutdown_scriptpubkey as required by shutdown scriptpubkey, or a
	// zero-length shutdown_scriptpubkey.
	if len(cmd.UpfrontShutdownScript) > 0 && !validShutdownScript(cmd.UpfrontShutdownScript, anySegwit) {
		return failf(ErrBadUpfrontShutdown, "%x", cmd.UpfrontShutdownScript)
	}
	local := cmd.Keys.params(limits, cmd.UpfrontShutdownScript)
	if err := checkOwnParams(cfg, cmd.Funding, &local); err != nil {
		return err
	}
	funds, err := openerFundsAfterFee(t, cmd.Funding, cmd.PushMsat, cmd.Feerate)
	if err != nil {
		return err
	}
	// The accepter's reserve will be at least its dust limit, so at least
	// 354 sat: refuse now a channel that no accepter can take.
	if err := checkOutputsAboveReserve(funds, cmd.PushMsat, MinDustLimit, local.ChannelReserve); err != nil {
		return err
	}
	s.Type = t
	s.ChannelTypeBits = ChannelTypeBits(t)
	s.Capacity = cmd.Funding
	s.PushMsat = cmd.PushMsat
	s.Feerate = cmd.Feerate
	s.FundingFeerate = cmd.FundingFeerate
	if cmd.Announce {
		s.ChannelFlags = 1
	}
	s.AnySegwit = anySegwit
	s.Local = local
	s.PeerFeatures = cmd.PeerFeatures
	return nil
}

// checkOwnParams checks the parameters we announce, so that the peer cannot
// refuse them for a reason we could have seen.
//
// BOLT #2: [The sending node] MUST set channel_reserve_satoshis greater than
// or equal to dust_limit_satoshis. MUST set funding_pubkey,
// revocation_basepoint, htlc_basepoint, payment_basepoint, and
// delayed_payment_basepoint to valid secp256k1 pubkeys in compressed
// format.
func checkOwnParams(cfg *Config, capacity lnwire.Satoshi, p *channel.Params) *Error {
	if err := checkKeys(p); err != nil {
		return err
	}
	switch {
	case p.DustLimit < MinDustLimit:
		return failf(ErrBadLocalParams, "dust_limit_satoshis %s below %s", p.DustLimit, MinDustLimit)
	case p.ChannelReserve < p.DustLimit:
		return failf(ErrBadLocalParams, "channel_reserve_satoshis %s below dust_limit_satoshis %s", p.ChannelReserve, p.DustLimit)
	case p.ChannelReserve >= capacity:
		return failf(ErrBadLocalParams, "channel_reserve_satoshis %s not below the capacity %s", p.ChannelReserve, capacity)
	case p.MaxAcceptedHTLCs == 0 || p.MaxAcceptedHTLCs > MaxAcceptedHTLCsLimit:
		return failf(ErrBadLocalParams, "max_accepted_htlcs %d", p.MaxAcceptedHTLCs)
	case p.ToSelfDelay == 0:
		return failf(ErrBadLocalParams, "to_self_delay 0")
	case p.HTLCMinimum > p.MaxHTLCValueInFlight:
		return failf(ErrBadLocalParams, "htlc_minimum_msat %s above max_htlc_value_in_flight_msat %s", p.HTLCMinimum, p.MaxHTLCValueInFlight)
	}
	return nil
}

// temporaryChannelID draws 32 random bytes; an all-zero id would name every
// channel in an error, so it is drawn again.
//
// BOLT #2: MUST ensure temporary_channel_id is unique from any other channel
// ID with the same peer.
func temporaryChannelID(rand io.Reader) (lnwire.ChannelID, error) {
	if rand == nil {
		return lnwire.ChannelID{}, rejectf(ErrRandomness, "no source of randomness")
	}
	for range 4 {
		var id lnwire.ChannelID
		if _, err := io.ReadFull(rand, id[:]); err != nil {
			return lnwire.ChannelID{}, rejectf(ErrRandomness, "%v", err)
		}
		if !id.IsAll() {
			return id, nil
		}
	}
	return lnwire.ChannelID{}, rejectf(ErrRandomness, "only zero bytes")
}

// receiveAccept checks accept_channel and asks the wallet for the funding
// transaction.
func (s *State) receiveAccept(env Env, m *lnwire.AcceptChannel, o *outbox) error {
	cfg := &env.Config
	// BOLT #2: The temporary_channel_id MUST be the same as the
	// temporary_channel_id in the open_channel message.
	if m.TemporaryChannelID != s.TemporaryChannelID {
		return newError(Ignore, ErrWrongChannel, "accept_channel for %s", m.TemporaryChannelID)
	}
	// BOLT #2: [The receiver] if the message doesn't include a
	// channel_type: MUST fail the channel. if channel_type does not match
	// the channel_type from open_channel: MUST fail the channel.
	if m.TLVs.ChannelType == nil {
		return failf(ErrMissingChannelType, "accept_channel")
	}
	if !lnwire.DecodeFeatures(*m.TLVs.ChannelType).Equal(lnwire.DecodeFeatures(s.ChannelTypeBits)) {
		return failf(ErrChannelTypeMismatch, "%x instead of %x", *m.TLVs.ChannelType, s.ChannelTypeBits)
	}
	// BOLT #2: [The receiver] if minimum_depth is unreasonably large: MAY
	// fail the channel.
	if m.MinimumDepth > cfg.MaxMinimumDepth {
		return failf(ErrMinimumDepthTooLarge, "%d above %d", m.MinimumDepth, cfg.MaxMinimumDepth)
	}
	remote := paramsFromAccept(m)
	if err := checkPeerParams(cfg, s.Capacity, &remote, channel.Point(m.FirstPerCommitmentPoint)); err != nil {
		return err
	}
	if err := checkReserves(&s.Local, &remote); err != nil {
		return err
	}
	upfront, err := peerUpfrontScript(cfg.LocalFeatures, s.PeerFeatures, m.TLVs.UpfrontShutdownScript, s.AnySegwit)
	if err != nil {
		return err
	}
	remote.UpfrontShutdownScript = upfront
	funds, err := openerFundsAfterFee(s.Type, s.Capacity, s.PushMsat, s.Feerate)
	if err != nil {
		return err
	}
	if err := checkOutputsAboveReserve(funds, s.PushMsat, remote.ChannelReserve, s.Local.ChannelReserve); err != nil {
		return err
	}
	pkScript, err := fundingPkScript(&s.Local, &remote, s.Capacity)
	if err != nil {
		return err
	}
	s.Remote = remote
	s.RemoteFirstPoint = channel.Point(m.FirstPerCommitmentPoint)
	// We do not implement option_zeroconf: a minimum_depth of 0 means
	// waiting for one confirmation, as lnd does.
	s.MinimumDepth = max(m.MinimumDepth, 1)
	s.FundingScript = pkScript
	s.Phase = AwaitingFundingTx
	o.add(BuildFundingTx{
		TemporaryChannelID: s.TemporaryChannelID,
		PkScript:           bytes.Clone(pkScript),
		Amount:             s.Capacity,
		Feerate:            s.FundingFeerate,
	})
	return nil
}

// paramsFromAccept reads what the accepter announced.
func paramsFromAccept(m *lnwire.AcceptChannel) channel.Params {
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

// fundingPkScript returns the P2WSH scriptPubKey of the funding output.
//
// BOLT #3: The funding output script is a P2WSH to: 2 <pubkey1> <pubkey2> 2
// OP_CHECKMULTISIG
func fundingPkScript(local, remote *channel.Params, capacity lnwire.Satoshi) ([]byte, *Error) {
	localKey, err := local.FundingKey.PubKey()
	if err != nil {
		return nil, failf(ErrInvalidKey, "our funding_pubkey: %v", err)
	}
	remoteKey, err := remote.FundingKey.PubKey()
	if err != nil {
		return nil, failf(ErrInvalidKey, "funding_pubkey: %v", err)
	}
	out, _, err := channeltx.FundingOutput(localKey, remoteKey, capacity)
	if err != nil {
		return nil, failf(ErrInternal, "funding output: %v", err)
	}
	return out.PkScript, nil
}

// fundingTxBuilt checks the wallet's transaction, signs the accepter's
// first commitment and sends funding_created.
func (s *State) fundingTxBuilt(env Env, ev FundingTxBuilt, o *outbox) error {
	outpoint, ferr := fundingOutpoint(ev.Tx, ev.OutputIndex, s.Capacity, s.FundingScript)
	if ferr != nil {
		return ferr
	}
	ch, err := s.newChannel(outpoint)
	if err != nil {
		return err
	}
	// BOLT #2: The sender MUST set: signature to the valid signature using
	// its funding_pubkey for the initial commitment transaction.
	sig, err := ch.SignFirstCommitment(env.Channel)
	if err != nil {
		return failf(ErrSigner, "first commitment: %v", err)
	}
	s.FundingTx = ev.Tx
	s.Phase = AwaitingFundingSigned
	o.send(&lnwire.FundingCreated{
		TemporaryChannelID: s.TemporaryChannelID,
		FundingTxID:        [32]byte(outpoint.Hash),
		FundingOutputIndex: uint16(outpoint.Index),
		Signature:          sig,
	})
	return nil
}

// fundingOutpoint checks that the output pays the funding output and
// returns its outpoint.
//
// BOLT #2 (channel_ready): MUST NOT send channel_ready unless outpoint of
// given by funding_txid and funding_output_index in the funding_created
// message pays exactly funding_satoshis to the scriptpubkey specified in
// BOLT #3.
func fundingOutpoint(tx *wire.MsgTx, index uint32, capacity lnwire.Satoshi, pkScript []byte) (wire.OutPoint, *Error) {
	if tx == nil || int(index) >= len(tx.TxOut) {
		return wire.OutPoint{}, failf(ErrBadFundingTx, "no output %d", index)
	}
	// BOLT #2: The funding_output_index can only be 2 bytes.
	if index > 0xFFFF {
		return wire.OutPoint{}, failf(ErrFundingOutputIndexRange, "%d", index)
	}
	out := tx.TxOut[index]
	if out.Value != int64(capacity) || !bytes.Equal(out.PkScript, pkScript) {
		return wire.OutPoint{}, failf(ErrBadFundingTx, "output %d pays %d sat to %x", index, out.Value, out.PkScript)
	}
	return wire.OutPoint{Hash: tx.TxHash(), Index: index}, nil
}

// newChannel builds the channel at commitment 0 once the outpoint is known.
func (s *State) newChannel(outpoint wire.OutPoint) (*channel.State, error) {
	ch, err := channel.NewState(channel.Funded{
		Type:               s.Type,
		Opener:             s.Role.opener(),
		Capacity:           s.Capacity,
		PushMsat:           s.PushMsat,
		Feerate:            s.Feerate,
		FundingTxID:        [32]byte(outpoint.Hash),
		FundingOutputIndex: uint16(outpoint.Index),
		Local:              s.Local,
		Remote:             s.Remote,
		RemoteFirstPoint:   s.RemoteFirstPoint,
		AnySegwit:          s.AnySegwit,
	})
	if err != nil {
		return nil, failf(ErrInternal, "channel: %v", err)
	}
	s.FundingOutpoint = outpoint
	s.ChannelID = ch.ChannelID
	s.Channel = &ch
	return s.Channel, nil
}

// receiveFundingSigned checks the accepter's signature of our first
// commitment; the channel is then persisted, the funding transaction
// broadcast and the channel handed over.
func (s *State) receiveFundingSigned(env Env, m *lnwire.FundingSigned, o *outbox) error {
	// BOLT #2: The sender MUST set: channel_id by exclusive-OR of the
	// funding_txid and the funding_output_index from the funding_created
	// message.
	if m.ChannelID != s.ChannelID {
		return failf(ErrWrongChannel, "funding_signed for %s, expected %s", m.ChannelID, s.ChannelID)
	}
	// BOLT #2: if signature is incorrect OR non-compliant with
	// LOW-S-standard rule: MUST send a warning and close the connection,
	// or send an error and fail the channel. (We fail the negotiation:
	// nothing was broadcast.)
	if err := s.Channel.AcceptFirstSignature(env.Channel, m.Signature); err != nil {
		return failf(ErrBadCommitmentSignature, "%v", err)
	}
	s.Phase = Established
	o.add(PersistChannel{Channel: s.Channel.Clone()})
	o.add(BroadcastFundingTx{Tx: s.FundingTx})
	o.add(WatchFunding{Outpoint: s.FundingOutpoint, PkScript: bytes.Clone(s.FundingScript), MinimumDepth: s.MinimumDepth})
	o.add(HandOver{Channel: s.Channel.Clone(), MinimumDepth: s.MinimumDepth, ChannelFlags: s.ChannelFlags})
	return nil
}
