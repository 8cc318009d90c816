package wallet

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/txsort"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
)

// SpendRequest describes a payment from the wallet.
type SpendRequest struct {
	DestScript []byte         // the output to pay
	Amount     lnwire.Satoshi // ignored with All
	All        bool           // send everything eligible (or every UTXO given), no change
	Feerate    lnwire.FeeratePerKW
	MinConf    uint32          // confirmations an input needs; 0 allows unconfirmed
	UTXOs      []wire.OutPoint // when set, exactly these inputs are spent
	// ReserveBlocks is how long the inputs stay reserved if the spend is
	// never published or released (DefaultReserveBlocks when 0).
	ReserveBlocks uint32
}

// Spend is a signed transaction whose inputs are reserved until it is
// published or released.
type Spend struct {
	Tx          *wire.MsgTx
	Selection   Selection
	ChangeIndex int // output index of the change, -1 when none
	inputs      []wire.OutPoint
}

// sequence signals replaceability (BIP 125), as Core Lightning's
// withdrawals do.
const sequence = wire.MaxTxInSequenceNum - 2

// PrepareSpend selects inputs, reserves them, adds change and signs. The
// result must be published or released.
func (w *Wallet) PrepareSpend(ctx context.Context, req SpendRequest) (*Spend, error) {
	if req.Feerate < FeerateFloor {
		return nil, fmt.Errorf("%w: %d perkw is below the floor of %d", ErrBadFeerate, req.Feerate, FeerateFloor)
	}
	if req.ReserveBlocks == 0 {
		req.ReserveBlocks = DefaultReserveBlocks
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	coins, byOutPoint, err := w.eligibleCoins(ctx, req)
	if err != nil {
		return nil, err
	}
	changeLen := p2trScriptLen
	if w.cfg.ChangeKind == signer.P2WPKH {
		changeLen = p2wpkhScriptLen
	}
	sel, err := SelectCoins(SelectionRequest{Coins: coins, Amount: req.Amount, All: req.All,
		UseAllCoins: len(req.UTXOs) > 0, DestScriptLen: len(req.DestScript), ChangeScriptLen: changeLen,
		Feerate: req.Feerate})
	if err != nil {
		return nil, err
	}

	tx := wire.NewMsgTx(2)
	// Anti fee sniping: not valid before the next block, as bitcoind and
	// Core Lightning do.
	tx.LockTime = uint32(w.tip)
	ops := make([]wire.OutPoint, len(sel.Inputs))
	for i, c := range sel.Inputs {
		ops[i] = c.OutPoint
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.OutPoint, Sequence: sequence})
	}
	tx.AddTxOut(wire.NewTxOut(int64(sel.Amount), req.DestScript))
	var changeScript []byte
	if sel.Change > 0 {
		if changeScript, err = w.changeScript(ctx); err != nil {
			return nil, err
		}
		tx.AddTxOut(wire.NewTxOut(int64(sel.Change), changeScript))
	}
	// BIP 69 ordering: deterministic, and the change position tells nothing.
	txsort.InPlaceSort(tx)

	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	var inputs []signer.WalletInput
	for i, in := range tx.TxIn {
		u := byOutPoint[in.PreviousOutPoint]
		fetcher.AddPrevOut(in.PreviousOutPoint, wire.NewTxOut(u.AmountSat, u.PkScript))
		inputs = append(inputs, signer.WalletInput{Index: i, PkScript: u.PkScript, Amount: u.AmountSat,
			Path: signer.KeyPath{Kind: signer.AddressKind(u.Key.Kind), Change: u.Key.Change, Index: u.Key.Index}})
	}
	if err := w.cfg.Keys.SignInputs(tx, inputs, fetcher); err != nil {
		return nil, fmt.Errorf("wallet: signing: %w", err)
	}
	if err := w.cfg.Store.WalletReserve(ctx, toStoreOutPoints(ops), uint32(w.tip), uint32(w.tip)+req.ReserveBlocks, true); err != nil {
		return nil, mapReserveError(err)
	}
	s := &Spend{Tx: tx, Selection: sel, ChangeIndex: -1, inputs: ops}
	for i, out := range tx.TxOut {
		if changeScript != nil && string(out.PkScript) == string(changeScript) {
			s.ChangeIndex = i
		}
	}
	return s, nil
}

// changeScript hands out the next change key. Callers hold mu.
func (w *Wallet) changeScript(ctx context.Context) ([]byte, error) {
	b := store.WalletBranch{Kind: uint8(w.cfg.ChangeKind), Change: true}
	index, err := w.cfg.Store.WalletNextKeyIndex(ctx, b)
	if err != nil {
		return nil, err
	}
	w.handed[b] = max(w.handed[b], index+1)
	if err := w.ensureDerived(b); err != nil {
		return nil, err
	}
	_, script, err := w.cfg.Keys.Address(signer.KeyPath{Kind: w.cfg.ChangeKind, Change: true, Index: index})
	return script, err
}

// eligibleCoins lists the coins the request may spend. Callers hold mu.
func (w *Wallet) eligibleCoins(ctx context.Context, req SpendRequest) ([]Coin, map[wire.OutPoint]store.WalletUTXO, error) {
	utxos, err := w.cfg.Store.WalletUTXOs(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	byOutPoint := make(map[wire.OutPoint]store.WalletUTXO, len(utxos))
	for _, u := range utxos {
		byOutPoint[wire.OutPoint{Hash: u.TxID, Index: u.Vout}] = u
	}
	usable := func(u store.WalletUTXO) error {
		var conf uint32
		if u.BlockHeight != nil {
			conf = w.confirmations(lnwire.BlockHeight(*u.BlockHeight))
		}
		switch {
		case lnwire.BlockHeight(u.ReservedTil) > w.tip:
			return fmt.Errorf("%w until block %d", ErrReserved, u.ReservedTil)
		case u.Coinbase && conf < coinbaseMaturity:
			return errors.New("immature coinbase")
		case conf < req.MinConf:
			return fmt.Errorf("%d confirmations, fewer than minconf %d", conf, req.MinConf)
		}
		return nil
	}
	var coins []Coin
	toCoin := func(op wire.OutPoint, u store.WalletUTXO) Coin {
		return Coin{OutPoint: op, Amount: lnwire.Satoshi(u.AmountSat), Kind: signer.AddressKind(u.Key.Kind)}
	}
	if len(req.UTXOs) > 0 {
		dup := make(map[wire.OutPoint]bool)
		for _, op := range req.UTXOs {
			u, ok := byOutPoint[op]
			if !ok || dup[op] {
				return nil, nil, fmt.Errorf("%w: %s", ErrUnknownOutput, op)
			}
			dup[op] = true
			if err := usable(u); err != nil {
				if errors.Is(err, ErrReserved) {
					return nil, nil, fmt.Errorf("%s: %w", op, err)
				}
				return nil, nil, fmt.Errorf("%w: %s: %v", ErrUnknownOutput, op, err)
			}
			coins = append(coins, toCoin(op, u))
		}
		return coins, byOutPoint, nil
	}
	for op, u := range byOutPoint {
		if usable(u) == nil {
			coins = append(coins, toCoin(op, u))
		}
	}
	return coins, byOutPoint, nil
}

func toStoreOutPoints(ops []wire.OutPoint) []store.WalletOutPoint {
	out := make([]store.WalletOutPoint, len(ops))
	for i, op := range ops {
		out[i] = store.WalletOutPoint{TxID: op.Hash, Vout: op.Index}
	}
	return out
}

func mapReserveError(err error) error {
	switch {
	case errors.Is(err, store.ErrWalletReserved):
		return fmt.Errorf("%w: %v", ErrReserved, err)
	case errors.Is(err, store.ErrWalletUnavailable):
		return fmt.Errorf("%w: %v", ErrUnknownOutput, err)
	}
	return err
}

// Publish broadcasts a prepared spend and records it: its inputs become
// spent and its change (or any output to us) an unconfirmed output. If the
// backend refuses it, the inputs are released and nothing is recorded.
func (w *Wallet) Publish(ctx context.Context, s *Spend) (chainhash.Hash, error) {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	txid, err := w.cfg.Chain.SendRawTransaction(ctx, s.Tx)
	if err != nil {
		if rerr := w.Release(ctx, s); rerr != nil {
			w.cfg.Log.Error("wallet: releasing inputs of a refused transaction", "err", rerr)
		}
		return chainhash.Hash{}, fmt.Errorf("%w: %v", ErrBroadcast, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	u, _ := w.scanTx(s.Tx, nil)
	if err := w.cfg.Store.WalletAddUnconfirmed(ctx, []store.WalletTxUpdate{u}); err != nil {
		return txid, err
	}
	w.remember([]store.WalletTxUpdate{u})
	w.seen[s.Tx.TxHash()] = struct{}{}
	w.cfg.Log.Info("wallet: broadcast", "txid", txid, "fee", s.Selection.Fee, "inputs", len(s.Tx.TxIn))
	return txid, nil
}

// Release ends the reservation of a spend that will not be published.
func (w *Wallet) Release(ctx context.Context, s *Spend) error {
	return w.cfg.Store.WalletUnreserve(ctx, toStoreOutPoints(s.inputs))
}

// Withdraw prepares, signs and broadcasts a payment.
func (w *Wallet) Withdraw(ctx context.Context, req SpendRequest) (*Spend, error) {
	s, err := w.PrepareSpend(ctx, req)
	if err != nil {
		return nil, err
	}
	if _, err := w.Publish(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// Reservation is the state of one output after Reserve or Unreserve.
type Reservation struct {
	OutPoint        wire.OutPoint
	WasReserved     bool
	Reserved        bool
	ReservedToBlock lnwire.BlockHeight
}

// Reserve reserves outputs for blocks blocks from the tip (so a pending
// funding does not spend them twice). With exclusive, an output already
// reserved fails the call; otherwise its reservation is extended.
// Reservations are persisted and end by themselves at the block given.
func (w *Wallet) Reserve(ctx context.Context, ops []wire.OutPoint, blocks uint32, exclusive bool) ([]Reservation, error) {
	if blocks == 0 {
		blocks = DefaultReserveBlocks
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	before, err := w.reservedState(ctx, ops)
	if err != nil {
		return nil, err
	}
	until := uint32(w.tip) + blocks
	if err := w.cfg.Store.WalletReserve(ctx, toStoreOutPoints(ops), uint32(w.tip), until, exclusive); err != nil {
		return nil, mapReserveError(err)
	}
	out := make([]Reservation, len(ops))
	for i, op := range ops {
		out[i] = Reservation{OutPoint: op, WasReserved: before[op], Reserved: true, ReservedToBlock: lnwire.BlockHeight(until)}
	}
	return out, nil
}

// Unreserve ends reservations at once.
func (w *Wallet) Unreserve(ctx context.Context, ops []wire.OutPoint) ([]Reservation, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	before, err := w.reservedState(ctx, ops)
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Store.WalletUnreserve(ctx, toStoreOutPoints(ops)); err != nil {
		return nil, err
	}
	out := make([]Reservation, len(ops))
	for i, op := range ops {
		out[i] = Reservation{OutPoint: op, WasReserved: before[op]}
	}
	return out, nil
}

// reservedState tells, for each output, whether it is reserved now; an
// output that is not an unspent wallet output is an error. Callers hold mu.
func (w *Wallet) reservedState(ctx context.Context, ops []wire.OutPoint) (map[wire.OutPoint]bool, error) {
	utxos, err := w.cfg.Store.WalletUTXOs(ctx, false)
	if err != nil {
		return nil, err
	}
	reserved := make(map[wire.OutPoint]bool, len(utxos))
	for _, u := range utxos {
		reserved[wire.OutPoint{Hash: u.TxID, Index: u.Vout}] = lnwire.BlockHeight(u.ReservedTil) > w.tip
	}
	out := make(map[wire.OutPoint]bool, len(ops))
	for _, op := range ops {
		r, ok := reserved[op]
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrUnknownOutput, op)
		}
		out[op] = r
	}
	return out, nil
}
