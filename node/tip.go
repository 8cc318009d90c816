package node

import (
	"context"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// FeeEstimator gives the feerates commitment transactions should pay now,
// per channel type, from one estimate (Core Lightning's unilateral_close
// and unilateral_anchor_close roles). A type missing from the map has no
// estimate.
type FeeEstimator interface {
	CommitmentFeerates(ctx context.Context) (map[channeltx.ChannelType]lnwire.FeeratePerKW, error)
}

// Bounds of the commitment feerate the runtime proposes with update_fee.
const (
	// MinCommitFeerate is 1 sat/vB, the relay floor, which lnd and Core
	// Lightning take as the lowest update_fee they accept.
	//
	// BOLT #2: A receiving node: if the update_fee is too low for timely
	// processing, OR is unreasonably large: MUST send a warning and close
	// the connection, or send an error and fail the channel.
	MinCommitFeerate lnwire.FeeratePerKW = 253
	// MaxAnchorCommitFeerate caps the feerate of an anchor channel's
	// commitment: it only needs to enter the mempool, the anchors pay for
	// speed (lnd's max-commit-fee-rate-anchors default, 10 sat/vB).
	MaxAnchorCommitFeerate lnwire.FeeratePerKW = 2500
	// feerateMoveTenths: an update_fee is sent only when the estimate
	// moved by more than a tenth of the current feerate, so that noise in
	// the estimate does not cost a commitment dance every block.
	feerateMoveTenths = 1
)

// commitFeerates are the current targets per channel type, zero when the
// estimator has none.
type commitFeerates map[channeltx.ChannelType]lnwire.FeeratePerKW

// estimateCommitFeerates asks the estimator once and bounds its answers.
func (rt *Channels) estimateCommitFeerates(ctx context.Context) commitFeerates {
	rates := make(commitFeerates, 2)
	if rt.cfg.Fees == nil {
		return rates
	}
	estimates, err := rt.cfg.Fees.CommitmentFeerates(ctx)
	if err != nil {
		rt.log.Debug("no commitment feerate estimate", "err", err)
		return rates
	}
	for t, rate := range estimates {
		if rate > 0 {
			rates[t] = targetCommitFeerate(t, rate)
		}
	}
	return rates
}

// targetCommitFeerate bounds an estimate to what we propose.
func targetCommitFeerate(t channeltx.ChannelType, estimate lnwire.FeeratePerKW) lnwire.FeeratePerKW {
	if t == channeltx.AnchorsZeroFeeHTLC {
		estimate = min(estimate, MaxAnchorCommitFeerate)
	}
	return max(estimate, MinCommitFeerate)
}

// openingCommitFeerate is the first commitments' feerate: the estimate the
// channel will follow for the type it will have, or the funding
// transaction's feerate when there is no estimate.
func (rt *Channels) openingCommitFeerate(ctx context.Context, req OpenRequest, remote lnwire.FeatureVector) lnwire.FeeratePerKW {
	if rt.cfg.Fees == nil {
		return req.FundingFeerate
	}
	t := req.Type
	if t == 0 {
		t = funding.ChooseChannelType(rt.cfg.Funding.LocalFeatures, remote)
	}
	if rate := rt.estimateCommitFeerates(ctx)[t]; rate != 0 {
		return rate
	}
	return req.FundingFeerate
}

// feerateMoved reports whether the target is far enough from the current
// feerate to send an update_fee.
func feerateMoved(current, target lnwire.FeeratePerKW) bool {
	diff := int64(target) - int64(current)
	if diff < 0 {
		diff = -diff
	}
	return diff*10 > int64(current)*feerateMoveTenths
}

// newTip tells every open channel about the chain's new height, on its
// own goroutine: HTLC deadlines are checked (BOLT #2) and the channels we
// opened follow the chain's feerate.
func (rt *Channels) newTip(height lnwire.BlockHeight) {
	ctx := rt.ctx
	rt.mu.Lock()
	workers := make([]*worker, 0, len(rt.workers))
	for _, w := range rt.workers {
		workers = append(workers, w)
	}
	rt.mu.Unlock()
	// Estimate only when a channel we pay the fee of may follow it.
	var rates commitFeerates
	for _, w := range workers {
		if v := w.snapshot(); v.State.Opener == channel.Local && v.State.Phase == channel.Normal {
			rates = rt.estimateCommitFeerates(ctx)
			break
		}
	}
	for _, w := range workers {
		w.inbox.push(item{kind: itemCommand, cmd: func() { w.onBlock(ctx, height, rates) }})
	}
}

// onBlock runs on the channel's goroutine.
func (w *worker) onBlock(ctx context.Context, height lnwire.BlockHeight, rates commitFeerates) {
	if w.halted != nil || w.state.Phase == channel.Closed || w.state.Phase == channel.Failed {
		return
	}
	if err := w.step(ctx, channel.NewBlock{Height: height}); err != nil {
		return // failed (and broadcast) past an HTLC deadline
	}
	w.followFeerate(ctx, rates[w.state.Type])
}

// followFeerate sends update_fee when we pay the commitment fee and the
// chain's feerate moved away from the commitment's.
//
// BOLT #2: The node responsible for paying the Bitcoin fee: SHOULD send
// update_fee to ensure the current fee rate is sufficient (by a
// significant margin) for timely processing of the commitment transaction.
func (w *worker) followFeerate(ctx context.Context, target lnwire.FeeratePerKW) {
	s := &w.state
	if target == 0 || s.Opener != channel.Local || s.Phase != channel.Normal || s.Link != channel.LinkUp {
		return
	}
	current := s.CommitFeerate()
	if !feerateMoved(current, target) {
		return
	}
	w.log.Info("updating the commitment feerate", "from", current, "to", target)
	if err := w.step(ctx, channel.UpdateFee{Feerate: target}); err != nil {
		w.log.Info("update_fee not sent", "feerate", target, "err", err)
	}
}
