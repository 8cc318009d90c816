package wallet

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// FeerateFloor is the lowest feerate the wallet uses: bitcoind's relay
// minimum of 1 sat/vbyte (250 perkw) plus Core Lightning's rounding slack.
const FeerateFloor lnwire.FeeratePerKW = 253

// Confirmation targets of Core Lightning's named feerates.
const (
	TargetUrgent uint32 = 6   // "urgent"
	TargetNormal uint32 = 12  // "normal", the default of withdraw
	TargetSlow   uint32 = 100 // "slow"
)

// FeerateSpec is a parsed feerate parameter: an explicit rate, a
// confirmation target in blocks, or the floor.
type FeerateSpec struct {
	PerKW   lnwire.FeeratePerKW // explicit rate; 0 when Blocks or Minimum
	Blocks  uint32              // confirmation target
	Minimum bool                // "minimum"
}

// ParseFeerate reads Core Lightning's feerate forms: "urgent", "normal",
// "slow", "minimum", "<n>blocks", "<n>perkw", "<n>perkb" and a bare number
// (perkb). perkb is converted to perkw by dividing by 4 (a virtual byte is
// 4 weight units); a rate between 250 and 253 perkw (bitcoind's 1 sat/vB)
// is raised to FeerateFloor, anything lower is refused.
func ParseFeerate(text string) (FeerateSpec, error) {
	switch text {
	case "urgent":
		return FeerateSpec{Blocks: TargetUrgent}, nil
	case "normal":
		return FeerateSpec{Blocks: TargetNormal}, nil
	case "slow":
		return FeerateSpec{Blocks: TargetSlow}, nil
	case "minimum":
		return FeerateSpec{Minimum: true}, nil
	}
	number, divisor := text, uint64(4)
	switch {
	case strings.HasSuffix(text, "blocks"):
		n, err := strconv.ParseUint(strings.TrimSuffix(text, "blocks"), 10, 32)
		if err != nil || n == 0 || n > 1008 {
			return FeerateSpec{}, fmt.Errorf("%w: %q: block target must be 1 to 1008", ErrBadFeerate, text)
		}
		return FeerateSpec{Blocks: uint32(n)}, nil
	case strings.HasSuffix(text, "perkw"):
		number, divisor = strings.TrimSuffix(text, "perkw"), 1
	case strings.HasSuffix(text, "perkb"):
		number = strings.TrimSuffix(text, "perkb")
	}
	n, err := strconv.ParseUint(number, 10, 64)
	if err != nil {
		return FeerateSpec{}, fmt.Errorf("%w: %q: expected urgent, normal, slow, minimum, NNNblocks, NNNperkw or NNNperkb",
			ErrBadFeerate, text)
	}
	perkw := n / divisor
	if perkw > math.MaxUint32 {
		return FeerateSpec{}, fmt.Errorf("%w: %q is too large", ErrBadFeerate, text)
	}
	if perkw < 250 {
		return FeerateSpec{}, fmt.Errorf("%w: %q is below the floor of %dperkw", ErrBadFeerate, text, FeerateFloor)
	}
	return FeerateSpec{PerKW: max(lnwire.FeeratePerKW(perkw), FeerateFloor)}, nil
}

// Estimate is the feerate for one confirmation target.
type Estimate struct {
	Blocks  uint32
	Feerate lnwire.FeeratePerKW
}

// Feerates are the wallet's current feerates, in Core Lightning's roles.
// A role is 0 when the chain has no estimate for its target and there is
// no fallback; Missing is then true (some or all are missing).
type Feerates struct {
	Opening, MutualClose, UnilateralClose, UnilateralAnchorClose, Penalty lnwire.FeeratePerKW
	MinAcceptable, MaxAcceptable, Floor                                   lnwire.FeeratePerKW
	Estimates                                                             []Estimate
	Missing                                                               bool
}

// estimateTargets are the targets Core Lightning asks its backend for.
var estimateTargets = []uint32{2, TargetUrgent, TargetNormal, TargetSlow}

// estimate asks the chain for a target's feerate; when it has none (as
// btcd and a fresh regtest bitcoind never do) it returns the configured
// fallback, or ErrNoFeerate.
func (w *Wallet) estimate(ctx context.Context, blocks uint32) (lnwire.FeeratePerKW, error) {
	if rate, ok := w.forcedFeerate(blocks); ok {
		return rate, nil
	}
	if w.cfg.Fees != nil {
		if rate, err := w.cfg.Fees.EstimateFee(ctx, blocks); err == nil && rate > 0 {
			return max(rate, FeerateFloor), nil
		}
	}
	if w.cfg.FallbackFeerate > 0 {
		return max(w.cfg.FallbackFeerate, FeerateFloor), nil
	}
	return 0, fmt.Errorf("%w: no estimate for %d blocks and no fallback-feerate", ErrNoFeerate, blocks)
}

// Core Lightning's force-feerates roles, in the option's order.
const (
	forcedOpening = iota
	forcedMutualClose
	forcedUnilateralClose
	forcedDelayedToUs    // not used yet: on-chain sweeps are to come
	forcedHTLCResolution // not used yet: on-chain sweeps are to come
	forcedPenalty
)

// forcedRole is the force-feerates role each estimate target stands for:
// the targets behind opening (normal), mutual close (slow) and unilateral
// close (urgent, and the 2-block rate).
func forcedRole(blocks uint32) int {
	switch {
	case blocks <= TargetUrgent:
		return forcedUnilateralClose
	case blocks >= TargetSlow:
		return forcedMutualClose
	}
	return forcedOpening
}

// forcedFeerate is the forced feerate of a role's target: the role's
// value, or the last one given when the option names fewer roles.
func (w *Wallet) forcedFeerate(blocks uint32) (lnwire.FeeratePerKW, bool) {
	forced := w.cfg.ForceFeerates
	if len(forced) == 0 {
		return 0, false
	}
	role := forcedRole(blocks)
	return forced[min(role, len(forced)-1)], true
}

// Feerate resolves a parsed feerate parameter.
func (w *Wallet) Feerate(ctx context.Context, spec FeerateSpec) (lnwire.FeeratePerKW, error) {
	switch {
	case spec.PerKW != 0:
		return spec.PerKW, nil
	case spec.Minimum:
		return FeerateFloor, nil
	}
	return w.estimate(ctx, spec.Blocks)
}

// Feerates reports the feerates of every role, as the feerates RPC shows
// them: opening and penalty at the normal target, mutual close and anchor
// unilateral close at the slow target, non-anchor unilateral close at the
// urgent target; min_acceptable is half the slow rate (at least the
// floor) and max_acceptable ten times the 2-block rate (no bound,
// math.MaxUint32, without it), as in Core Lightning.
func (w *Wallet) Feerates(ctx context.Context) Feerates {
	f := Feerates{Floor: FeerateFloor, MinAcceptable: FeerateFloor, MaxAcceptable: math.MaxUint32}
	byTarget := make(map[uint32]lnwire.FeeratePerKW)
	for _, blocks := range estimateTargets {
		rate, err := w.estimate(ctx, blocks)
		if err != nil {
			f.Missing = true
			continue
		}
		byTarget[blocks] = rate
		f.Estimates = append(f.Estimates, Estimate{Blocks: blocks, Feerate: rate})
	}
	f.Opening, f.Penalty = byTarget[TargetNormal], byTarget[TargetNormal]
	f.MutualClose, f.UnilateralAnchorClose = byTarget[TargetSlow], byTarget[TargetSlow]
	f.UnilateralClose = byTarget[TargetUrgent]
	if len(w.cfg.ForceFeerates) > 0 {
		// The estimate targets stand for opening, mutual close and
		// unilateral close; the penalty role is forced on its own.
		f.Penalty = w.cfg.ForceFeerates[min(forcedPenalty, len(w.cfg.ForceFeerates)-1)]
	}
	if slow, ok := byTarget[TargetSlow]; ok {
		f.MinAcceptable = max(slow/2, FeerateFloor)
	}
	if fast, ok := byTarget[2]; ok {
		f.MaxAcceptable = fast * 10
	}
	return f
}
