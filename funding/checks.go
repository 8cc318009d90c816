package funding

import (
	"bytes"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// These checks return errors whose action is Fail, for a peer's message;
// the opener's own Open turns them into Reject.

// checkFundingAmount checks funding_satoshis against the chain's money
// supply, our limits and option_support_large_channel.
func checkFundingAmount(cfg *Config, remoteFeatures lnwire.FeatureVector, funding lnwire.Satoshi) *Error {
	// A u64 above 2^63 reads as a negative Satoshi.
	if funding < 0 || funding > MaxMoney || (cfg.MaxFunding != 0 && funding > cfg.MaxFunding) {
		return failf(ErrFundingTooLarge, "%d sat above our maximum %s", uint64(funding), cfg.MaxFunding)
	}
	// BOLT #2: The receiving node MAY fail the channel if: funding_satoshis
	// is too small.
	if funding < cfg.MinFunding || funding == 0 {
		return failf(ErrFundingTooSmall, "%s below %s", funding, cfg.MinFunding)
	}
	// BOLT #2: The receiving node MUST fail the channel if:
	// funding_satoshis is greater than or equal to 2^24 and the receiver
	// does not support option_support_large_channel. (And the sender: if
	// both nodes advertised option_support_large_channel: MAY set
	// funding_satoshis greater than or equal to 2^24 satoshi. otherwise:
	// MUST set funding_satoshis to less than 2^24 satoshi.)
	if funding > MaxSmallChannel && !bothSupport(cfg.LocalFeatures, remoteFeatures, lnwire.LargeChannelRequired) {
		return failf(ErrFundingTooLarge, "%s needs option_support_large_channel on both nodes", funding)
	}
	return nil
}

// checkPush checks push_msat.
//
// BOLT #2: The receiving node MUST fail the channel if: push_msat is
// greater than funding_satoshis * 1000.
func checkPush(funding lnwire.Satoshi, push lnwire.MilliSatoshi) *Error {
	if push > funding.ToMilliSatoshis() {
		return failf(ErrPushTooLarge, "%s above %s", push, funding)
	}
	return nil
}

// checkFeerate checks feerate_per_kw against the channel policy, the same
// bounds update_fee gets.
//
// BOLT #2: The receiving node MUST fail the channel if: it considers
// feerate_per_kw too small for timely processing or unreasonably large.
func checkFeerate(policy *channel.Policy, feerate lnwire.FeeratePerKW) *Error {
	if feerate < policy.MinFeerate || (policy.MaxFeerate > 0 && feerate > policy.MaxFeerate) {
		return failf(ErrFeerateOutOfRange, "%d not in [%d, %d]", feerate, policy.MinFeerate, policy.MaxFeerate)
	}
	return nil
}

// checkPeerParams checks the fields open_channel and accept_channel share
// ("Other fields have the same requirements as their counterparts in
// open_channel"), announced by the peer for a channel of this capacity.
// The order matters for the fuzzer: each comparison only runs on values the
// previous ones bounded, so no arithmetic overflows.
func checkPeerParams(cfg *Config, capacity lnwire.Satoshi, p *channel.Params, first channel.Point) *Error {
	// BOLT #2: The receiving node MUST fail the channel if: to_self_delay
	// is unreasonably large.
	if p.ToSelfDelay > cfg.MaxRemoteToSelfDelay {
		return failf(ErrToSelfDelayTooLarge, "%d above %d", p.ToSelfDelay, cfg.MaxRemoteToSelfDelay)
	}
	// BOLT #2: The receiving node MUST fail the channel if:
	// max_accepted_htlcs is greater than 483.
	if p.MaxAcceptedHTLCs > MaxAcceptedHTLCsLimit {
		return failf(ErrTooManyAcceptedHTLCs, "%d", p.MaxAcceptedHTLCs)
	}
	// BOLT #2: The receiving node MAY fail the channel if: it considers
	// max_accepted_htlcs too small.
	if p.MaxAcceptedHTLCs < cfg.MinRemoteMaxAcceptedHTLCs {
		return failf(ErrTooFewAcceptedHTLCs, "%d below %d", p.MaxAcceptedHTLCs, cfg.MinRemoteMaxAcceptedHTLCs)
	}
	// BOLT #2: The receiving node MUST fail the channel if: funding_pubkey,
	// revocation_basepoint, htlc_basepoint, payment_basepoint, or
	// delayed_payment_basepoint are not valid secp256k1 pubkeys in
	// compressed format.
	if err := checkKeys(p); err != nil {
		return err
	}
	// BOLT #2: [The sending node] MUST set first_per_commitment_point to
	// the per-commitment point to be used for the initial commitment
	// transaction: a point off the curve can be no such thing.
	if _, err := first.PubKey(); err != nil {
		return failf(ErrInvalidFirstPoint, "%v", err)
	}
	// BOLT #2: The receiving node MUST fail the channel if:
	// dust_limit_satoshis is smaller than 354 satoshis.
	if p.DustLimit < MinDustLimit {
		return failf(ErrDustLimitTooSmall, "%s", p.DustLimit)
	}
	// BOLT #2: The receiving node MAY fail the channel if: it considers
	// dust_limit_satoshis too large.
	if p.DustLimit > cfg.MaxRemoteDustLimit {
		return failf(ErrDustLimitTooLarge, "%s above %s", p.DustLimit, cfg.MaxRemoteDustLimit)
	}
	// BOLT #2: The receiving node MUST fail the channel if:
	// dust_limit_satoshis is greater than channel_reserve_satoshis.
	if p.DustLimit > p.ChannelReserve {
		return failf(ErrReserveBelowDust, "dust_limit_satoshis %s above channel_reserve_satoshis %s", p.DustLimit, p.ChannelReserve)
	}
	// BOLT #2: The receiving node MAY fail the channel if: it considers
	// channel_reserve_satoshis too large.
	if p.ChannelReserve > capacity*lnwire.Satoshi(cfg.MaxRemoteReservePercent)/100 {
		return failf(ErrReserveTooLarge, "%s above %d%% of %s", p.ChannelReserve, cfg.MaxRemoteReservePercent, capacity)
	}
	// BOLT #2: The receiving node MAY fail the channel if: it considers
	// htlc_minimum_msat too large.
	if p.HTLCMinimum >= capacity.ToMilliSatoshis() {
		return failf(ErrHTLCMinimumTooLarge, "%s not below the capacity %s", p.HTLCMinimum, capacity)
	}
	// BOLT #2: The receiving node MAY fail the channel if: it considers
	// max_htlc_value_in_flight_msat too small. Like lnd, it must let us
	// have MinRemoteMaxAcceptedHTLCs HTLCs of htlc_minimum_msat in flight
	// (and so htlc_minimum_msat must not exceed it).
	count := max(lnwire.MilliSatoshi(cfg.MinRemoteMaxAcceptedHTLCs), 1)
	if p.MaxHTLCValueInFlight < p.HTLCMinimum || (p.HTLCMinimum > 0 && p.MaxHTLCValueInFlight/p.HTLCMinimum < count) {
		return failf(ErrInFlightTooSmall, "%s for %d HTLCs of %s", p.MaxHTLCValueInFlight, count, p.HTLCMinimum)
	}
	return nil
}

// checkKeys reports whether each key and basepoint is a valid point.
func checkKeys(p *channel.Params) *Error {
	for _, k := range []struct {
		name  string
		point channel.Point
	}{
		{"funding_pubkey", p.FundingKey},
		{"revocation_basepoint", p.RevocationBasepoint},
		{"payment_basepoint", p.PaymentBasepoint},
		{"delayed_payment_basepoint", p.DelayedPaymentBasepoint},
		{"htlc_basepoint", p.HTLCBasepoint},
	} {
		if _, err := k.point.PubKey(); err != nil {
			return failf(ErrInvalidKey, "%s: %v", k.name, err)
		}
	}
	return nil
}

// checkReserves checks the reserves against the dust limits across the two
// messages: each reserve must be at least both dust limits, or an output
// the reserve protects could be trimmed away.
//
// BOLT #2 (accept_channel), the receiver: if channel_reserve_satoshis is
// less than dust_limit_satoshis within the open_channel message: MUST fail
// the channel. if channel_reserve_satoshis from the open_channel message is
// less than dust_limit_satoshis: MUST fail the channel.
func checkReserves(opener, accepter *channel.Params) *Error {
	if accepter.ChannelReserve < opener.DustLimit {
		return failf(ErrReserveBelowDust, "accept_channel channel_reserve_satoshis %s below open_channel dust_limit_satoshis %s",
			accepter.ChannelReserve, opener.DustLimit)
	}
	if opener.ChannelReserve < accepter.DustLimit {
		return failf(ErrReserveBelowDust, "open_channel channel_reserve_satoshis %s below accept_channel dust_limit_satoshis %s",
			opener.ChannelReserve, accepter.DustLimit)
	}
	return nil
}

// openerFundsAfterFee returns what the opener keeps on the first commitment
// after paying its fee (and, with option_anchors, the two anchors).
//
// BOLT #2: The receiving node MUST fail the channel if: the funder's amount
// for the initial commitment transaction is not sufficient for full fee
// payment.
//
// BOLT #3: If option_anchors applies to the commitment transaction, also
// subtract two times the fixed anchor size of 330 sats from the funder.
func openerFundsAfterFee(t channeltx.ChannelType, funding lnwire.Satoshi, push lnwire.MilliSatoshi, feerate lnwire.FeeratePerKW) (lnwire.MilliSatoshi, *Error) {
	fee := channeltx.CommitmentFee(t, feerate, 0)
	if t.HasAnchors() {
		fee += 2 * channeltx.AnchorValue
	}
	funds := funding.ToMilliSatoshis() - push
	if funds < fee.ToMilliSatoshis() {
		return 0, failf(ErrCannotAffordFee, "%s after push_msat, fee %s at %d sat/kw", funds, fee, feerate)
	}
	return funds - fee.ToMilliSatoshis(), nil
}

// checkOutputsAboveReserve checks that one of the first commitment's main
// outputs is above the reserve its owner must keep. openerKeeps is the
// accepter's channel_reserve_satoshis, accepterKeeps the opener's.
//
// BOLT #2: The receiving node MUST fail the channel if: both to_local and
// to_remote amounts for the initial commitment transaction are less than or
// equal to channel_reserve_satoshis.
func checkOutputsAboveReserve(openerFunds, push lnwire.MilliSatoshi, openerKeeps, accepterKeeps lnwire.Satoshi) *Error {
	if openerFunds <= openerKeeps.ToMilliSatoshis() && push <= accepterKeeps.ToMilliSatoshis() {
		return failf(ErrOutputsBelowReserve, "opener %s (reserve %s), accepter %s (reserve %s)",
			openerFunds, openerKeeps, push, accepterKeeps)
	}
	return nil
}

// peerUpfrontScript returns the peer's upfront_shutdown_script to enforce:
// only when both nodes advertised option_upfront_shutdown_script (BOLT #2
// enforces it in shutdown only then), and only a valid one.
//
// BOLT #2: if both nodes advertised the option_upfront_shutdown_script
// feature: MUST include upfront_shutdown_script with either a valid
// shutdown_scriptpubkey as required by shutdown scriptpubkey, or a
// zero-length shutdown_scriptpubkey.
func peerUpfrontScript(local, remote lnwire.FeatureVector, script *[]byte, anySegwit bool) ([]byte, *Error) {
	if script == nil || len(*script) == 0 || !bothSupport(local, remote, lnwire.UpfrontShutdownScriptRequired) {
		return nil, nil
	}
	if !validShutdownScript(*script, anySegwit) {
		return nil, failf(ErrBadUpfrontShutdown, "%x", *script)
	}
	return bytes.Clone(*script), nil
}
