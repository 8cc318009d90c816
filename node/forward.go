package node

import (
	"math"
	"math/bits"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

// Forwarding policy defaults (what a BOLT #7 channel_update of ours
// would announce).
const (
	// DefaultCLTVExpiryDelta is the cltv_expiry_delta we require between
	// an incoming HTLC and the HTLC we offer for it (Core Lightning's
	// default).
	DefaultCLTVExpiryDelta = 34
	// MaxHTLCCLTVFuture bounds how far in the future an HTLC we relay may
	// expire (Core Lightning's max-locktime-blocks).
	MaxHTLCCLTVFuture = 2016
)

// forwardPolicy is what we charge and require to relay an HTLC over an
// outgoing channel: the fields of our channel_update for it.
type forwardPolicy struct {
	FeeBase         lnwire.MilliSatoshi
	FeeProportional uint32
	CLTVDelta       uint32
	// HTLCMinimum is the smallest HTLC the outgoing channel carries (the
	// peer's htlc_minimum_msat).
	HTLCMinimum lnwire.MilliSatoshi
}

// Fee is the fee for forwarding amount.
//
// BOLT #7: fee_base_msat + ( amount_to_forward * fee_proportional_millionths / 1000000 )
// A fee that does not fit in 64 bits is the largest amount.
func (p forwardPolicy) Fee(amount lnwire.MilliSatoshi) lnwire.MilliSatoshi {
	hi, lo := bits.Mul64(uint64(amount), uint64(p.FeeProportional))
	if hi >= 1_000_000 {
		return math.MaxUint64
	}
	proportional, _ := bits.Div64(hi, lo, 1_000_000)
	fee, carry := bits.Add64(uint64(p.FeeBase), proportional, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return lnwire.MilliSatoshi(fee)
}

// forwardHop is an HTLC to relay, with what its onion asks and our
// height.
type forwardHop struct {
	In              channel.HTLC
	AmountToForward lnwire.MilliSatoshi
	OutgoingCLTV    lnwire.BlockHeight
	Height          lnwire.BlockHeight
}

// checkForward applies BOLT #4's forwarding rules to an HTLC we are asked
// to relay over a channel with policy out (nil: no such channel). It
// returns the failure to send back, or ok. It is pure.
//
// BOLT #4: if there is more than one error: SHOULD select the first error
// it encounters from the list above.
//
// Our failures carry no channel_update. BOLT #4: the channel_update field
// is no longer mandatory [...] Nodes which do not provide a
// channel_update are expected to set the channel_update len field to
// zero.
func checkForward(h forwardHop, out *forwardPolicy) (onion.Failure, bool) {
	// BOLT #4: if the receiving peer specified by the onion is NOT known:
	// return an unknown_next_peer error.
	if out == nil {
		return onion.Failure{Code: onion.CodeUnknownNextPeer}, false
	}
	// BOLT #4: if the HTLC amount is less than the currently specified
	// minimum amount: report the amount of the outgoing HTLC and the
	// current channel setting for the outgoing channel. return an
	// amount_below_minimum error.
	if h.AmountToForward < out.HTLCMinimum {
		return onion.Failure{Code: onion.CodeAmountBelowMinimum, HTLCMsat: h.AmountToForward}, false
	}
	// BOLT #4: if the HTLC does NOT pay a sufficient fee: report the amount
	// of the incoming HTLC and the current channel setting for the
	// outgoing channel. return a fee_insufficient error.
	//
	// BOLT #4: MUST return an error if: incoming amount_msat - fee <
	// amt_to_forward
	if h.In.Amount < h.AmountToForward || h.In.Amount-h.AmountToForward < out.Fee(h.AmountToForward) {
		return onion.Failure{Code: onion.CodeFeeInsufficient, HTLCMsat: h.In.Amount}, false
	}
	// BOLT #4: if the incoming cltv_expiry minus the outgoing_cltv_value is
	// below the cltv_expiry_delta for the outgoing channel: report the
	// cltv_expiry of the outgoing HTLC and the current channel setting for
	// the outgoing channel. return an incorrect_cltv_expiry error.
	if h.In.CLTVExpiry < h.OutgoingCLTV || uint32(h.In.CLTVExpiry-h.OutgoingCLTV) < out.CLTVDelta {
		return onion.Failure{Code: onion.CodeIncorrectCLTVExpiry, CLTVExpiry: h.OutgoingCLTV}, false
	}
	// BOLT #4: if the cltv_expiry is unreasonably near the present: report
	// the current channel setting for the outgoing channel. return an
	// expiry_too_soon error.
	//
	// "Unreasonably near" is what BOLT #2 would make us fail at once: once
	// the cltv_expiry of an incoming HTLC has been reached, OR if
	// cltv_expiry minus current_height is less than cltv_expiry_delta for
	// the corresponding outgoing HTLC: MUST fail that incoming HTLC. The
	// outgoing HTLC must not have expired either.
	if h.In.CLTVExpiry < h.Height+lnwire.BlockHeight(out.CLTVDelta) || h.OutgoingCLTV <= h.Height {
		return onion.Failure{Code: onion.CodeExpiryTooSoon}, false
	}
	// BOLT #4: if the cltv_expiry is more than max_htlc_cltv in the future:
	// return an expiry_too_far error.
	if h.In.CLTVExpiry > h.Height+MaxHTLCCLTVFuture {
		return onion.Failure{Code: onion.CodeExpiryTooFar}, false
	}
	return onion.Failure{}, true
}
