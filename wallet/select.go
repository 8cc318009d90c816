package wallet

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
)

// Coin is a spendable wallet output offered to coin selection.
type Coin struct {
	OutPoint wire.OutPoint
	Amount   lnwire.Satoshi
	Kind     signer.AddressKind
}

// SelectionRequest asks for inputs paying Amount (or everything, with
// All) to an output of DestScriptLen bytes at Feerate.
type SelectionRequest struct {
	Coins         []Coin
	Amount        lnwire.Satoshi // ignored with All
	All           bool           // sweep every coin into the destination, no change
	UseAllCoins   bool           // spend every coin (the caller chose them), change if any
	DestScriptLen int
	// ChangeScriptLen is the length of the change output's script.
	ChangeScriptLen int
	Feerate         lnwire.FeeratePerKW
}

// Selection is the outcome of coin selection: the inputs in the order
// chosen, the destination amount, the change (0: no change output) and the
// fee, which is Feerate applied to Weight.
type Selection struct {
	Inputs []Coin
	Amount lnwire.Satoshi
	Change lnwire.Satoshi
	Fee    lnwire.Satoshi
	Weight int64
}

// sortCoins orders coins largest first, then by outpoint, so selection is
// deterministic.
func sortCoins(coins []Coin) []Coin {
	out := append([]Coin(nil), coins...)
	slices.SortFunc(out, func(a, b Coin) int {
		if a.Amount != b.Amount {
			return cmp.Compare(b.Amount, a.Amount)
		}
		if c := bytes.Compare(a.OutPoint.Hash[:], b.OutPoint.Hash[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.OutPoint.Index, b.OutPoint.Index)
	})
	return out
}

// SelectCoins chooses inputs largest-first: it adds the largest remaining
// coin until the inputs pay the amount and the fee of a transaction without
// change. It then adds a change output if what is left after the fee of
// the transaction with change is at least DustLimit; otherwise the excess
// goes to the fee. Largest-first is simple, deterministic and keeps the
// input count (and fee) low; it does not try to avoid change.
func SelectCoins(req SelectionRequest) (Selection, error) {
	if req.All {
		return selectAll(req)
	}
	if req.Amount < DustLimit {
		return Selection{}, fmt.Errorf("%w: %s is below the dust limit %s", ErrDustOutput, req.Amount, DustLimit)
	}
	coins := sortCoins(req.Coins)
	var total lnwire.Satoshi
	var fee lnwire.Satoshi
	var inputsWeight int64
	for i, c := range coins {
		total += c.Amount
		inputsWeight += InputWeight(c.Kind)
		if req.UseAllCoins && i < len(coins)-1 {
			continue
		}
		noChange := weightWithInputs(i+1, inputsWeight, req.DestScriptLen)
		fee = req.Feerate.FeeForWeight(noChange)
		if total < req.Amount+fee {
			continue
		}
		sel := Selection{Inputs: coins[:i+1], Amount: req.Amount, Fee: total - req.Amount, Weight: noChange}
		withChange := weightWithInputs(i+1, inputsWeight, req.DestScriptLen, req.ChangeScriptLen)
		changeFee := req.Feerate.FeeForWeight(withChange)
		if total >= req.Amount+changeFee && total-req.Amount-changeFee >= DustLimit {
			sel.Change, sel.Fee, sel.Weight = total-req.Amount-changeFee, changeFee, withChange
		}
		return sel, nil
	}
	return Selection{}, &InsufficientFundsError{Need: req.Amount + fee, Have: total, Coins: len(coins)}
}

// weightWithInputs is TxWeight for n inputs of known total weight.
func weightWithInputs(n int, inputsWeight int64, outputScriptLens ...int) int64 {
	w := int64(txFixedWeight+segwitMarkerWeight+4*(varIntLen(n)+varIntLen(len(outputScriptLens)))) + inputsWeight
	for _, l := range outputScriptLens {
		w += OutputWeight(l)
	}
	return w
}

func selectAll(req SelectionRequest) (Selection, error) {
	coins := sortCoins(req.Coins)
	var total lnwire.Satoshi
	kinds := make([]signer.AddressKind, len(coins))
	for i, c := range coins {
		total += c.Amount
		kinds[i] = c.Kind
	}
	weight := TxWeight(kinds, []int{req.DestScriptLen})
	fee := req.Feerate.FeeForWeight(weight)
	if len(coins) == 0 || total <= fee {
		return Selection{}, &InsufficientFundsError{Need: fee + DustLimit, Have: total, Coins: len(coins)}
	}
	if total-fee < DustLimit {
		return Selection{}, fmt.Errorf("%w: all funds after the fee, %s, are below the dust limit %s",
			ErrDustOutput, total-fee, DustLimit)
	}
	return Selection{Inputs: coins, Amount: total - fee, Fee: fee, Weight: weight}, nil
}
