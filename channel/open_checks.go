package channel

import (
	"errors"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Errors of channel establishment.
var (
	ErrOpenRejected        = errors.New("channel: open_channel or accept_channel terms refused")
	ErrChannelType         = errors.New("channel: channel_type missing or not acceptable")
	ErrWrongTemporaryID    = errors.New("channel: temporary_channel_id does not match")
	ErrFundingUnaffordable = errors.New("channel: the opener cannot pay the first commitment's fee")
	ErrOpeningAborted      = errors.New("channel: channel establishment aborted")
)

// maxAcceptedHTLCsLimit is BOLT #2's upper bound on max_accepted_htlcs.
const maxAcceptedHTLCsLimit = 483

// largeChannel is the funding amount that needs option_support_large_channel.
const largeChannel lnwire.Satoshi = 1 << 24

// OpenLimits bound what we accept from the peer in open_channel and
// accept_channel. DefaultOpenLimits follows lnd, so that parameters we
// accept are ones lnd would also send, and ours are ones lnd accepts.
type OpenLimits struct {
	// MinDustLimit and MaxDustLimit bound the peer's dust_limit_satoshis.
	MinDustLimit, MaxDustLimit lnwire.Satoshi
	// MaxToSelfDelay bounds the to_self_delay the peer imposes on us.
	MaxToSelfDelay uint16
	// MinMaxAcceptedHTLCs is the smallest max_accepted_htlcs we accept.
	MinMaxAcceptedHTLCs uint16
	// MinMaxHTLCValueInFlight is the smallest max_htlc_value_in_flight_msat
	// we accept (capped at the capacity).
	MinMaxHTLCValueInFlight lnwire.MilliSatoshi
	// MaxReservePercent bounds the channel_reserve_satoshis the peer asks
	// of us, in percent of the capacity.
	MaxReservePercent uint64
	// MaxMinimumDepth bounds accept_channel's minimum_depth.
	MaxMinimumDepth uint32
	// MinFunding is the smallest channel we accept.
	MinFunding lnwire.Satoshi
	// LargeChannels allows funding_satoshis of 2^24 and more
	// (option_support_large_channel).
	LargeChannels bool
}

// DefaultOpenLimits returns lnd's bounds: dust limit in [354, 1062],
// to_self_delay up to 2016 blocks, max_accepted_htlcs from 5, reserve up to
// 20%.
func DefaultOpenLimits() OpenLimits {
	return OpenLimits{
		MinDustLimit:            channeltx.DustLimitUnknownSegwit,
		MaxDustLimit:            3 * channeltx.DustLimitUnknownSegwit,
		MaxToSelfDelay:          2016,
		MinMaxAcceptedHTLCs:     5,
		MinMaxHTLCValueInFlight: 10_000_000,
		MaxReservePercent:       20,
		MaxMinimumDepth:         2016,
		MinFunding:              20_000,
		LargeChannels:           true,
	}
}

// DefaultLimits returns the limits we announce for a channel of the given
// capacity, within what lnd accepts: dust limit 546, reserve 1% (at least
// the dust limit), to_self_delay 144, 483 HTLCs.
func DefaultLimits(capacity lnwire.Satoshi) Params {
	return Params{
		DustLimit:            546,
		MaxHTLCValueInFlight: capacity.ToMilliSatoshis(),
		ChannelReserve:       max(capacity/100, 546),
		HTLCMinimum:          1,
		ToSelfDelay:          144,
		MaxAcceptedHTLCs:     maxAcceptedHTLCsLimit,
	}
}

// channelTypeBits encodes a channel type for the channel_type TLV.
func channelTypeBits(t channeltx.ChannelType) []byte {
	v := lnwire.NewFeatureVector(lnwire.StaticRemoteKeyRequired)
	if t.HasAnchors() {
		v.Set(lnwire.AnchorsRequired)
	}
	return v.Encode()
}

// parseChannelType reads the channel_type TLV.
//
// BOLT #2: The currently defined basic types are: option_static_remotekey
// (bit 12); option_anchors and option_static_remotekey (bits 22 and 12).
func parseChannelType(field *[]byte) (channeltx.ChannelType, error) {
	if field == nil {
		return 0, failf(ErrChannelType, "no channel_type")
	}
	v := lnwire.DecodeFeatures(*field)
	switch {
	case v.Equal(lnwire.NewFeatureVector(lnwire.StaticRemoteKeyRequired)):
		return channeltx.StaticRemoteKey, nil
	case v.Equal(lnwire.NewFeatureVector(lnwire.StaticRemoteKeyRequired, lnwire.AnchorsRequired)):
		return channeltx.AnchorsZeroFeeHTLC, nil
	}
	return 0, failf(ErrChannelType, "unsupported channel_type %s", v)
}

// checkPeerParams applies the rules open_channel and accept_channel share.
func checkPeerParams(p *Params, capacity lnwire.Satoshi, limits *OpenLimits) error {
	// BOLT #2: The receiving node MUST fail the channel if: funding_pubkey,
	// revocation_basepoint, htlc_basepoint, payment_basepoint, or
	// delayed_payment_basepoint are not valid secp256k1 pubkeys in
	// compressed format.
	if err := p.checkKeys(); err != nil {
		return failf(ErrOpenRejected, "%v", err)
	}
	// BOLT #2: MUST fail the channel if: to_self_delay is unreasonably large;
	// max_accepted_htlcs is greater than 483; dust_limit_satoshis is greater
	// than channel_reserve_satoshis; dust_limit_satoshis is smaller than 354
	// satoshis.
	switch {
	case p.ToSelfDelay > limits.MaxToSelfDelay:
		return failf(ErrOpenRejected, "to_self_delay %d above %d", p.ToSelfDelay, limits.MaxToSelfDelay)
	case p.MaxAcceptedHTLCs > maxAcceptedHTLCsLimit:
		return failf(ErrOpenRejected, "max_accepted_htlcs %d above 483", p.MaxAcceptedHTLCs)
	case p.DustLimit > p.ChannelReserve:
		return failf(ErrOpenRejected, "dust_limit_satoshis %s above channel_reserve_satoshis %s", p.DustLimit, p.ChannelReserve)
	case p.DustLimit < channeltx.DustLimitUnknownSegwit:
		return failf(ErrOpenRejected, "dust_limit_satoshis %s below 354", p.DustLimit)
	}
	// BOLT #2: The receiving node MAY fail the channel if: it considers
	// htlc_minimum_msat too large, max_htlc_value_in_flight_msat too small,
	// channel_reserve_satoshis too large, max_accepted_htlcs too small,
	// dust_limit_satoshis too large.
	switch {
	case p.DustLimit > limits.MaxDustLimit:
		return failf(ErrOpenRejected, "dust_limit_satoshis %s above %s", p.DustLimit, limits.MaxDustLimit)
	case p.MaxAcceptedHTLCs < limits.MinMaxAcceptedHTLCs:
		return failf(ErrOpenRejected, "max_accepted_htlcs %d below %d", p.MaxAcceptedHTLCs, limits.MinMaxAcceptedHTLCs)
	case uint64(p.ChannelReserve)*100 > uint64(capacity)*limits.MaxReservePercent:
		return failf(ErrOpenRejected, "channel_reserve_satoshis %s above %d%% of %s", p.ChannelReserve, limits.MaxReservePercent, capacity)
	case p.HTLCMinimum > capacity.ToMilliSatoshis()/100:
		return failf(ErrOpenRejected, "htlc_minimum_msat %s above 1%% of the capacity", p.HTLCMinimum)
	case p.MaxHTLCValueInFlight < min(capacity.ToMilliSatoshis(), limits.MinMaxHTLCValueInFlight):
		return failf(ErrOpenRejected, "max_htlc_value_in_flight_msat %s too small", p.MaxHTLCValueInFlight)
	}
	return nil
}

// checkFirstCommitment checks that the opener can pay the first commitment
// and that someone has something above reserve.
//
// BOLT #2: MUST fail the channel if: the funder's amount for the initial
// commitment transaction is not sufficient for full fee payment; both
// to_local and to_remote amounts for the initial commitment transaction
// are less than or equal to channel_reserve_satoshis.
func checkFirstCommitment(t channeltx.ChannelType, capacity lnwire.Satoshi, push lnwire.MilliSatoshi, feerate lnwire.FeeratePerKW, openerReserve, accepterReserve lnwire.Satoshi) error {
	cost := openerCost(t, 0, 0, feerate)
	opener := capacity.ToMilliSatoshis() - push
	if opener < cost {
		return failf(ErrFundingUnaffordable, "opener has %s, the first commitment costs %s", opener, cost)
	}
	if opener-cost <= openerReserve.ToMilliSatoshis() && push <= accepterReserve.ToMilliSatoshis() {
		return failf(ErrOpenRejected, "neither side is above its reserve")
	}
	return nil
}
