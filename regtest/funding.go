package regtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Errors of Fund.
var (
	// ErrBadAddress: the address does not parse or is not a regtest one.
	ErrBadAddress = errors.New("regtest: bad address")
	// ErrBadAmount: the amount is not positive.
	ErrBadAmount = errors.New("regtest: bad amount")
	// ErrInsufficientFunds: the mature coinbases and change of the mining
	// key do not cover the amount and fee; mine more blocks.
	ErrInsufficientFunds = errors.New("regtest: not enough mature coins")
)

// changeDustLimit: change below this goes to the fee instead.
const changeDustLimit lnwire.Satoshi = 1000

// spendable is an output of the mining key that Fund may spend.
type spendable struct {
	outpoint wire.OutPoint
	value    lnwire.Satoshi
}

// Fund pays amount to a regtest address from the mining key's matured
// coinbases (and earlier change), returning change to the mining key, and
// broadcasts the transaction. It is not mined: call Mine to confirm it.
// The mining key's outputs are P2WPKH, so Fund needs segwit active (New
// mines past it unless Options.SkipSetup); before that btcd rejects the
// transaction (chain.ErrTxRejected).
func (h *Harness) Fund(ctx context.Context, address string, amount lnwire.Satoshi) (chainhash.Hash, error) {
	addr, err := btcutil.DecodeAddress(address, Params)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("%w: %q: %w", ErrBadAddress, address, err)
	}
	if !addr.IsForNet(Params) {
		return chainhash.Hash{}, fmt.Errorf("%w: %q is not a regtest address", ErrBadAddress, address)
	}
	pkScript, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("%w: %q: %w", ErrBadAddress, address, err)
	}
	outpoint, err := h.FundScript(ctx, pkScript, amount)
	return outpoint.Hash, err
}

// FundScript is Fund for an output script (a channel's funding script,
// say); it returns the outpoint of the paid output.
func (h *Harness) FundScript(ctx context.Context, pkScript []byte, amount lnwire.Satoshi) (wire.OutPoint, error) {
	if amount <= 0 {
		return wire.OutPoint{}, fmt.Errorf("%w: %d", ErrBadAmount, amount)
	}
	h.fundMu.Lock()
	defer h.fundMu.Unlock()

	tip, err := h.client.BlockCount(ctx)
	if err != nil {
		return wire.OutPoint{}, err
	}
	payment := wire.NewTxOut(int64(amount), pkScript)
	var (
		inputs       []spendable
		keptChange   []spendable
		total        lnwire.Satoshi
		nextCoinbase = h.nextCoinbase
	)
	enough := func() bool { return total >= amount+h.fee(len(inputs), payment) }
	// Earlier change first, dropping any that vanished (a reorg).
	for _, out := range h.change {
		if enough() {
			keptChange = append(keptChange, out)
			continue
		}
		_, found, err := h.client.TxOut(ctx, out.outpoint, true)
		if err != nil {
			return wire.OutPoint{}, err
		}
		if found {
			inputs = append(inputs, out)
			total += out.value
		}
	}
	// Then mature coinbases, oldest first. The coinbase of height c may be
	// spent in block c+CoinbaseMaturity; waiting one more block keeps the
	// transaction valid in the mempool whatever the next block's height.
	for !enough() && nextCoinbase+CoinbaseMaturity <= tip {
		out, ok, err := h.coinbaseAt(ctx, nextCoinbase)
		if err != nil {
			return wire.OutPoint{}, err
		}
		nextCoinbase++
		if ok {
			inputs = append(inputs, out)
			total += out.value
		}
	}
	if !enough() {
		return wire.OutPoint{}, fmt.Errorf("%w: have %s mature at height %d, need %s plus fee",
			ErrInsufficientFunds, total, tip, amount)
	}

	tx := wire.NewMsgTx(2)
	for _, in := range inputs {
		tx.AddTxIn(wire.NewTxIn(&in.outpoint, nil, nil))
	}
	tx.AddTxOut(payment)
	change := total - amount - h.fee(len(inputs), payment)
	if change >= changeDustLimit {
		tx.AddTxOut(wire.NewTxOut(int64(change), h.pkScript))
	}
	if err := h.sign(tx, inputs); err != nil {
		return wire.OutPoint{}, err
	}
	txid, err := h.client.SendRawTransaction(ctx, tx)
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("regtest: broadcasting the funding transaction: %w", err)
	}
	h.nextCoinbase = nextCoinbase
	h.change = keptChange
	if len(tx.TxOut) == 2 {
		h.change = append(h.change, spendable{outpoint: wire.OutPoint{Hash: txid, Index: 1}, value: change})
	}
	return wire.OutPoint{Hash: txid, Index: 0}, nil
}

// coinbaseAt returns the output of the best chain's coinbase at height
// that pays the mining key, if any and still unspent.
func (h *Harness) coinbaseAt(ctx context.Context, height lnwire.BlockHeight) (spendable, bool, error) {
	hash, err := h.client.BlockHash(ctx, height)
	if err != nil {
		return spendable{}, false, err
	}
	block, err := h.client.Block(ctx, hash)
	if err != nil {
		return spendable{}, false, err
	}
	coinbase := block.Transactions[0]
	for i, out := range coinbase.TxOut {
		if !bytes.Equal(out.PkScript, h.pkScript) || out.Value <= 0 {
			continue
		}
		outpoint := wire.OutPoint{Hash: coinbase.TxHash(), Index: uint32(i)}
		_, found, err := h.client.TxOut(ctx, outpoint, true)
		if err != nil || !found {
			return spendable{}, false, err
		}
		return spendable{outpoint: outpoint, value: lnwire.Satoshi(out.Value)}, true, nil
	}
	return spendable{}, false, nil
}

// fee is the fee at FundFeerate of a transaction spending nIn P2WPKH
// inputs to payment plus a P2WPKH change output, measured on a copy with
// signature-sized witnesses.
func (h *Harness) fee(nIn int, payment *wire.TxOut) lnwire.Satoshi {
	tx := wire.NewMsgTx(2)
	for range nIn {
		in := wire.NewTxIn(&wire.OutPoint{}, nil, nil)
		in.Witness = wire.TxWitness{make([]byte, 73), make([]byte, 33)}
		tx.AddTxIn(in)
	}
	tx.AddTxOut(payment)
	tx.AddTxOut(wire.NewTxOut(0, h.pkScript))
	weight := int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
	return h.opts.FundFeerate.FeeForWeight(weight)
}

// sign adds a P2WPKH witness for every input, all owned by the mining key.
func (h *Harness) sign(tx *wire.MsgTx, inputs []spendable) error {
	prevOuts := txscript.NewMultiPrevOutFetcher(nil)
	for _, in := range inputs {
		prevOuts.AddPrevOut(in.outpoint, wire.NewTxOut(int64(in.value), h.pkScript))
	}
	sigHashes := txscript.NewTxSigHashes(tx, prevOuts)
	for i, in := range inputs {
		witness, err := txscript.WitnessSignature(tx, sigHashes, i, int64(in.value), h.pkScript,
			txscript.SigHashAll, h.key, true)
		if err != nil {
			return fmt.Errorf("regtest: signing input %d: %w", i, err)
		}
		tx.TxIn[i].Witness = witness
	}
	return nil
}
