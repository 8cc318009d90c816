package daemon

import (
	"context"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/wallet"
)

// commitFees gives the channel runtime the commitment feerate to follow:
// Core Lightning's unilateral_close role for static_remotekey channels and
// unilateral_anchor_close for anchor channels (their anchors pay for
// speed). On btcd regtest both are the fallback-feerate.
type commitFees struct{ w *wallet.Wallet }

func (f commitFees) CommitmentFeerates(ctx context.Context) (map[channeltx.ChannelType]lnwire.FeeratePerKW, error) {
	rates := f.w.Feerates(ctx)
	if rates.UnilateralClose == 0 && rates.UnilateralAnchorClose == 0 {
		return nil, wallet.ErrNoFeerate
	}
	return map[channeltx.ChannelType]lnwire.FeeratePerKW{
		channeltx.StaticRemoteKey:    rates.UnilateralClose,
		channeltx.AnchorsZeroFeeHTLC: rates.UnilateralAnchorClose,
	}, nil
}
