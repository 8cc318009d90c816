package node

import (
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// openerCost is what the opener must keep for the commitment fee with
// htlcs HTLC outputs, and for the two anchors of an anchor channel.
//
// BOLT #2: the sending node [...] MUST be able to afford [...] the
// commitment transaction fee at the current feerate_per_kw [...] (and the
// anchors if option_anchors applies).
func openerCost(s *channel.State, htlcs int, feerate lnwire.FeeratePerKW) lnwire.MilliSatoshi {
	fee := channeltx.CommitmentFee(s.Type, feerate, htlcs)
	if s.Type.HasAnchors() {
		fee += 2 * channeltx.AnchorValue
	}
	return fee.ToMilliSatoshis()
}

// Spendable is about the largest HTLC we can offer now: our balance in our
// latest commitment, less the reserve the peer makes us keep and, when we
// opened the channel, the commitment fee with one more HTLC; at most the
// peer's max_htlc_value_in_flight_msat less what we already offered. It is
// an estimate for listpeerchannels, as Core Lightning's: the channel state
// machine decides exactly when an HTLC is offered.
func (v *View) Spendable() lnwire.MilliSatoshi {
	return spendable(&v.State, channel.Local)
}

// Receivable is the same seen from the peer: about the largest HTLC it can
// offer us now.
func (v *View) Receivable() lnwire.MilliSatoshi {
	return spendable(&v.State, channel.Remote)
}

func spendable(s *channel.State, sender channel.Party) lnwire.MilliSatoshi {
	if s.Phase != channel.Normal {
		return 0
	}
	spec := &s.LocalCommit.Spec
	balance := spec.Balance[sender]
	// The reserve the sender keeps is what the receiver announced.
	receiver := &s.Remote
	limits := &s.Remote
	if sender == channel.Remote {
		receiver, limits = &s.Local, &s.Local
	}
	keep := receiver.ChannelReserve.ToMilliSatoshis()
	if s.Opener == sender {
		// BOLT #2: the opener SHOULD NOT offer an HTLC if its remaining
		// balance doesn't allow it to pay the commitment fee when
		// receiving or sending a future additional non-dust HTLC while
		// maintaining its reserve; the "fee spike buffer" should handle
		// twice the current feerate_per_kw. The channel machine enforces
		// exactly that (the new HTLC plus one more, at twice the
		// feerate), so the estimate keeps the same.
		keep += openerCost(s, len(spec.HTLCs)+2, 2*spec.Feerate)
	}
	if balance <= keep {
		return 0
	}
	out := balance - keep
	var offered lnwire.MilliSatoshi
	for _, h := range spec.HTLCs {
		if h.Offerer == sender {
			offered += h.Amount
		}
	}
	if limits.MaxHTLCValueInFlight <= offered {
		return 0
	}
	return min(out, limits.MaxHTLCValueInFlight-offered)
}
