package funding

import (
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Protocol constants.
const (
	// MaxAcceptedHTLCsLimit is the largest max_accepted_htlcs.
	//
	// BOLT #2: The receiving node MUST fail the channel if:
	// max_accepted_htlcs is greater than 483.
	MaxAcceptedHTLCsLimit = 483

	// MinDustLimit is the smallest dust_limit_satoshis a peer may announce.
	//
	// BOLT #2: The receiving node MUST fail the channel if:
	// dust_limit_satoshis is smaller than 354 satoshis.
	MinDustLimit = channeltx.DustLimitUnknownSegwit

	// MaxSmallChannel is the largest funding_satoshis unless both nodes
	// advertised option_support_large_channel (2^24 - 1).
	//
	// BOLT #2: if both nodes advertised option_support_large_channel: MAY
	// set funding_satoshis greater than or equal to 2^24 satoshi.
	// otherwise: MUST set funding_satoshis to less than 2^24 satoshi.
	MaxSmallChannel lnwire.Satoshi = 1<<24 - 1

	// MaxMoney is the largest amount of bitcoin there can be (21 million
	// BTC); larger funding amounts are refused before any arithmetic.
	MaxMoney lnwire.Satoshi = 21_000_000 * 100_000_000
)

// Config holds this node's choices for new channels: the parameters we
// announce and the limits we accept from peers. The runtime passes it with
// every Step.
type Config struct {
	// ChainHash is the genesis hash of the chain we run on.
	ChainHash lnwire.ChainHash
	// LocalFeatures are the features our init message announces. They
	// decide, with the peer's, option_support_large_channel,
	// option_anchors, option_upfront_shutdown_script and
	// option_shutdown_anysegwit.
	LocalFeatures lnwire.FeatureVector

	// What we announce (see DefaultLimits).

	// DustLimit is our dust_limit_satoshis. lnd v0.21 refuses values
	// outside [354, 1062] (3 × 354).
	DustLimit lnwire.Satoshi
	// HTLCMinimum is our htlc_minimum_msat.
	HTLCMinimum lnwire.MilliSatoshi
	// MaxAcceptedHTLCs is our max_accepted_htlcs; lnd refuses values
	// outside [5, 483].
	MaxAcceptedHTLCs uint16
	// MinToSelfDelay and MaxToSelfDelay bound the to_self_delay we ask,
	// scaled with the channel size (see ToSelfDelayFor). lnd refuses a
	// to_self_delay above 2016 by default.
	MinToSelfDelay uint16
	MaxToSelfDelay uint16
	// MinimumDepth is the minimum_depth we ask as accepter.
	MinimumDepth uint32

	// What we accept from a peer.

	// MinFunding is the smallest channel we open or accept (lnd refuses
	// channels under 20,000 sat).
	MinFunding lnwire.Satoshi
	// MaxFunding is the largest channel we accept; zero means no limit
	// besides the option_support_large_channel rule.
	MaxFunding lnwire.Satoshi
	// MaxPendingChannels is how many channels a peer may have opening or
	// waiting for confirmation with us at once.
	MaxPendingChannels int
	// MaxRemoteToSelfDelay is the largest to_self_delay we let a peer
	// impose on our funds.
	MaxRemoteToSelfDelay uint16
	// MaxRemoteDustLimit is the largest dust_limit_satoshis we accept.
	MaxRemoteDustLimit lnwire.Satoshi
	// MaxRemoteReservePercent is the largest channel_reserve_satoshis we
	// accept, in percent of the capacity.
	MaxRemoteReservePercent uint8
	// MinRemoteMaxAcceptedHTLCs is the smallest max_accepted_htlcs we
	// accept; max_htlc_value_in_flight_msat must also allow that many
	// HTLCs of htlc_minimum_msat.
	MinRemoteMaxAcceptedHTLCs uint16
	// MaxMinimumDepth is the largest minimum_depth we accept as opener.
	MaxMinimumDepth uint32
}

// DefaultConfig returns the defaults for a chain, with our init features.
// The values are chosen to interoperate with lnd v0.21 (checked against its
// funding manager and lnwallet.VerifyConstraints) and Core Lightning:
//
//   - dust_limit_satoshis 546 (Core Lightning's and eclair's value; lnd
//     accepts [354, 1062]);
//   - htlc_minimum_msat 1 (lnd's default), max_accepted_htlcs 483;
//   - to_self_delay 144 to 2016 blocks, scaled with the channel size as lnd
//     does (lnd refuses more than 2016);
//   - minimum_depth 3 (lnd scales 1 to 6 by size; 3 suits regtest and small
//     channels);
//   - channels of at least 20,000 sat (lnd's MinChanFundingSize), at most 4
//     pending per peer;
//   - from the peer: to_self_delay up to 2016 (lnd's and Core Lightning's
//     default maximum), dust_limit_satoshis up to 1062, a reserve up to 20%
//     of the capacity, at least 5 HTLCs, minimum_depth up to 144.
func DefaultConfig(chain lnwire.ChainHash, localFeatures lnwire.FeatureVector) Config {
	return Config{
		ChainHash:                 chain,
		LocalFeatures:             localFeatures,
		DustLimit:                 546,
		HTLCMinimum:               1,
		MaxAcceptedHTLCs:          MaxAcceptedHTLCsLimit,
		MinToSelfDelay:            144,
		MaxToSelfDelay:            2016,
		MinimumDepth:              3,
		MinFunding:                20_000,
		MaxPendingChannels:        4,
		MaxRemoteToSelfDelay:      2016,
		MaxRemoteDustLimit:        3 * MinDustLimit,
		MaxRemoteReservePercent:   20,
		MinRemoteMaxAcceptedHTLCs: 5,
		MaxMinimumDepth:           144,
	}
}

// ErrBadConfig reports a Config that Validate refuses.
var ErrBadConfig = errors.New("funding: invalid config")

// Validate reports values that would make us announce parameters peers
// refuse, or accept nothing.
func (c *Config) Validate() error {
	switch {
	case c.DustLimit < MinDustLimit || c.DustLimit > 3*MinDustLimit:
		return fmt.Errorf("%w: dust limit %s outside [%s, %s]", ErrBadConfig, c.DustLimit, MinDustLimit, 3*MinDustLimit)
	case c.MaxAcceptedHTLCs < 5 || c.MaxAcceptedHTLCs > MaxAcceptedHTLCsLimit:
		return fmt.Errorf("%w: max accepted HTLCs %d outside [5, %d]", ErrBadConfig, c.MaxAcceptedHTLCs, MaxAcceptedHTLCsLimit)
	case c.MinToSelfDelay == 0 || c.MinToSelfDelay > c.MaxToSelfDelay:
		return fmt.Errorf("%w: to_self_delay range [%d, %d]", ErrBadConfig, c.MinToSelfDelay, c.MaxToSelfDelay)
	case c.MinimumDepth == 0:
		return fmt.Errorf("%w: minimum depth 0 (zero-conf channels are not supported)", ErrBadConfig)
	case c.MinFunding <= 0 || (c.MaxFunding != 0 && c.MaxFunding < c.MinFunding):
		return fmt.Errorf("%w: funding range [%s, %s]", ErrBadConfig, c.MinFunding, c.MaxFunding)
	case c.MaxPendingChannels < 1:
		return fmt.Errorf("%w: max pending channels %d", ErrBadConfig, c.MaxPendingChannels)
	case c.MaxRemoteDustLimit < MinDustLimit:
		return fmt.Errorf("%w: max remote dust limit %s below %s", ErrBadConfig, c.MaxRemoteDustLimit, MinDustLimit)
	case c.MaxRemoteReservePercent == 0 || c.MaxRemoteReservePercent > 100:
		return fmt.Errorf("%w: max remote reserve %d%%", ErrBadConfig, c.MaxRemoteReservePercent)
	case c.MinRemoteMaxAcceptedHTLCs > MaxAcceptedHTLCsLimit:
		return fmt.Errorf("%w: min remote max accepted HTLCs %d", ErrBadConfig, c.MinRemoteMaxAcceptedHTLCs)
	}
	return nil
}

// Limits are the values one side announces in open_channel or
// accept_channel that bound the OTHER side (as in channel.Params).
type Limits struct {
	DustLimit            lnwire.Satoshi
	MaxHTLCValueInFlight lnwire.MilliSatoshi
	ChannelReserve       lnwire.Satoshi
	HTLCMinimum          lnwire.MilliSatoshi
	ToSelfDelay          uint16
	MaxAcceptedHTLCs     uint16
}

// ToSelfDelayFor returns the to_self_delay we ask for a channel: like lnd,
// MaxToSelfDelay scaled linearly by capacity / (2^24 - 1), at least
// MinToSelfDelay, and MaxToSelfDelay for channels above 2^24 - 1 sat. With
// the defaults: 144 blocks up to about 1.2M sat, then growing to 2016.
func (c *Config) ToSelfDelayFor(capacity lnwire.Satoshi) uint16 {
	if capacity >= MaxSmallChannel {
		return c.MaxToSelfDelay
	}
	delay := uint16(int64(c.MaxToSelfDelay) * int64(capacity) / int64(MaxSmallChannel))
	return max(delay, c.MinToSelfDelay)
}

// DefaultLimits returns what we announce for a channel of this capacity:
// our dust limit; a reserve of 1% of the capacity, at least our dust limit
// (BOLT #2 "1% of the channel total is suggested"; lnd demands the same);
// all the capacity but that reserve in flight (as lnd); our HTLC minimum
// and count; the scaled to_self_delay.
func (c *Config) DefaultLimits(capacity lnwire.Satoshi) Limits {
	reserve := max(capacity/100, c.DustLimit)
	inFlight := lnwire.MilliSatoshi(0)
	if capacity > reserve {
		inFlight = (capacity - reserve).ToMilliSatoshis()
	}
	return Limits{
		DustLimit:            c.DustLimit,
		MaxHTLCValueInFlight: inFlight,
		ChannelReserve:       reserve,
		HTLCMinimum:          c.HTLCMinimum,
		ToSelfDelay:          c.ToSelfDelayFor(capacity),
		MaxAcceptedHTLCs:     c.MaxAcceptedHTLCs,
	}
}
