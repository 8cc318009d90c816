package wallet

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/store"
)

// ErrReorgDuringSync: the chain changed under a sync; the next sync goes on.
var ErrReorgDuringSync = errors.New("wallet: chain reorganised during sync")

func decodeTx(raw []byte) (*wire.MsgTx, error) {
	tx := new(wire.MsgTx)
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	return tx, nil
}

func encodeTx(tx *wire.MsgTx) []byte {
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		panic("wallet: serializing a transaction into memory failed: " + err.Error())
	}
	return buf.Bytes()
}

func isCoinbase(tx *wire.MsgTx) bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0].PreviousOutPoint.Index == wire.MaxPrevOutIndex &&
		tx.TxIn[0].PreviousOutPoint.Hash == chainhash.Hash{}
}

// scanTx finds what tx does to the wallet: outputs to watched scripts and
// spends of outputs in ours or extra. It marks the keys it finds used.
// Callers hold mu.
func (w *Wallet) scanTx(tx *wire.MsgTx, extra map[wire.OutPoint]struct{}) (store.WalletTxUpdate, bool) {
	txid := tx.TxHash()
	u := store.WalletTxUpdate{Tx: store.WalletTx{TxID: txid}}
	coinbase := isCoinbase(tx)
	if !coinbase {
		for _, in := range tx.TxIn {
			op := in.PreviousOutPoint
			_, mine := w.ours[op]
			if _, inBlock := extra[op]; mine || inBlock {
				u.Spent = append(u.Spent, store.WalletOutPoint{TxID: op.Hash, Vout: op.Index})
			}
		}
	}
	for i, out := range tx.TxOut {
		path, ok := w.scripts[string(out.PkScript)]
		if !ok {
			continue
		}
		b := store.WalletBranch{Kind: uint8(path.Kind), Change: path.Change}
		w.used[b] = max(w.used[b], path.Index+1)
		u.Created = append(u.Created, store.WalletUTXO{
			WalletOutPoint: store.WalletOutPoint{TxID: txid, Vout: uint32(i)},
			AmountSat:      out.Value,
			PkScript:       out.PkScript,
			Key:            store.WalletKey{WalletBranch: b, Index: path.Index},
			Coinbase:       coinbase,
		})
	}
	if len(u.Created) == 0 && len(u.Spent) == 0 {
		return u, false
	}
	u.Tx.Raw = encodeTx(tx)
	return u, true
}

// derivedCount sums the keys derived on every branch.
func (w *Wallet) derivedCount() uint32 {
	var n uint32
	for _, b := range branches {
		n += w.derived[b]
	}
	return n
}

// extendGap derives ahead after scanning found used keys. It reports
// whether new scripts are watched, in which case the caller scans again.
func (w *Wallet) extendGap() (bool, error) {
	before := w.derivedCount()
	for _, b := range branches {
		if err := w.ensureDerived(b); err != nil {
			return false, err
		}
	}
	return w.derivedCount() != before, nil
}

// scanBlock scans every transaction of a block in order; an output created
// earlier in the block can be spent later in it. It repeats while the gap
// grows, so a payment to a key beyond the initial gap is found whenever an
// earlier key in the same block was used. Callers hold mu.
func (w *Wallet) scanBlock(block *wire.MsgBlock) ([]store.WalletTxUpdate, error) {
	for {
		var updates []store.WalletTxUpdate
		created := make(map[wire.OutPoint]struct{})
		for i, tx := range block.Transactions {
			u, relevant := w.scanTx(tx, created)
			if !relevant {
				continue
			}
			u.Tx.TxIndex = uint32(i)
			for _, o := range u.Created {
				created[wire.OutPoint{Hash: o.TxID, Index: o.Vout}] = struct{}{}
			}
			updates = append(updates, u)
		}
		grew, err := w.extendGap()
		if err != nil {
			return nil, err
		}
		if !grew {
			return updates, nil
		}
	}
}

// ConnectBlock processes the block at height, which must extend the
// wallet's tip. Sync calls it; a caller driving the wallet from its own
// block follower may call it instead.
func (w *Wallet) ConnectBlock(ctx context.Context, height lnwire.BlockHeight, block *wire.MsgBlock) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if height != w.tip+1 || block.Header.PrevBlock != w.tipHash {
		return fmt.Errorf("wallet: block %d %s does not extend tip %d %s", height, block.BlockHash(), w.tip, w.tipHash)
	}
	updates, err := w.scanBlock(block)
	if err != nil {
		return err
	}
	hash := block.BlockHash()
	if err := w.cfg.Store.WalletConnectBlock(ctx, uint32(height), hash, updates); err != nil {
		return err
	}
	w.remember(updates)
	w.tip, w.tipHash = height, hash
	if len(updates) > 0 {
		w.cfg.Log.Debug("wallet block", "height", height, "transactions", len(updates))
	}
	return nil
}

// remember adds created outputs to the in-memory outpoint set.
func (w *Wallet) remember(updates []store.WalletTxUpdate) {
	for _, u := range updates {
		for _, o := range u.Created {
			w.ours[wire.OutPoint{Hash: o.TxID, Index: o.Vout}] = struct{}{}
		}
	}
}

// DisconnectTip undoes the wallet's tip block after a reorganisation: its
// outputs and spends become unconfirmed. Those whose transactions are in
// no mempool either vanish at the next mempool sync.
func (w *Wallet) DisconnectTip(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.disconnectTip(ctx)
}

func (w *Wallet) disconnectTip(ctx context.Context) error {
	if err := w.cfg.Store.WalletDisconnectBlock(ctx, uint32(w.tip)); err != nil {
		return err
	}
	height, hash, err := w.cfg.Store.WalletTip(ctx)
	if err != nil {
		return err
	}
	w.cfg.Log.Info("wallet: block disconnected", "height", w.tip, "hash", w.tipHash)
	w.tip, w.tipHash = lnwire.BlockHeight(height), hash
	return nil
}

// Sync brings the wallet to the chain's tip: it disconnects blocks no
// longer in the best chain, connects the new ones, then reconciles
// unconfirmed transactions with the mempool.
func (w *Wallet) Sync(ctx context.Context) error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	best, err := w.syncBlocks(ctx)
	if err != nil {
		return err
	}
	if w.cfg.Mempool == nil {
		return nil
	}
	return w.syncMempool(ctx, best)
}

func (w *Wallet) syncBlocks(ctx context.Context) (lnwire.BlockHeight, error) {
	best, err := w.cfg.Chain.BlockCount(ctx)
	if err != nil {
		return 0, err
	}
	if err := w.unwind(ctx, best); err != nil {
		return 0, err
	}
	for height := w.Tip() + 1; height <= best; height++ {
		hash, err := w.cfg.Chain.BlockHash(ctx, height)
		if err != nil {
			return 0, err
		}
		block, err := w.cfg.Chain.Block(ctx, hash)
		if err != nil {
			return 0, err
		}
		w.mu.Lock()
		extends := block.Header.PrevBlock == w.tipHash
		w.mu.Unlock()
		if !extends {
			return 0, fmt.Errorf("%w at height %d", ErrReorgDuringSync, height)
		}
		if err := w.ConnectBlock(ctx, height, block); err != nil {
			return 0, err
		}
	}
	return best, nil
}

// unwind disconnects processed blocks that are not in the best chain.
func (w *Wallet) unwind(ctx context.Context, best lnwire.BlockHeight) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		if w.tip <= best {
			hash, err := w.cfg.Chain.BlockHash(ctx, w.tip)
			if err != nil {
				return err
			}
			if hash == w.tipHash {
				return nil
			}
			if w.tip <= w.birth {
				// The birth block itself was replaced: nothing of ours
				// can be in it, so adopt the new one.
				return w.rewind(ctx, w.tip, hash)
			}
		} else if w.tip <= w.birth {
			hash, err := w.cfg.Chain.BlockHash(ctx, best)
			if err != nil {
				return err
			}
			return w.rewind(ctx, best, hash)
		}
		if err := w.disconnectTip(ctx); err != nil {
			return err
		}
	}
}

func (w *Wallet) rewind(ctx context.Context, height lnwire.BlockHeight, hash chainhash.Hash) error {
	if err := w.cfg.Store.WalletRewind(ctx, uint32(height), hash); err != nil {
		return err
	}
	w.tip, w.tipHash = height, hash
	return nil
}

// Rescan processes the chain again from height from (at least 1), to find
// payments made before the wallet's birth or missed otherwise.
func (w *Wallet) Rescan(ctx context.Context, from lnwire.BlockHeight) error {
	if from == 0 {
		from = 1
	}
	w.syncMu.Lock()
	hash, err := w.cfg.Chain.BlockHash(ctx, from-1)
	if err == nil {
		w.mu.Lock()
		if from-1 < w.tip {
			err = w.rewind(ctx, from-1, hash)
		}
		w.mu.Unlock()
	}
	w.syncMu.Unlock()
	if err != nil {
		return err
	}
	return w.Sync(ctx)
}

// syncMempool records new mempool transactions that pay or spend the
// wallet and forgets unconfirmed ones that left the mempool, provided the
// chain did not move meanwhile (a transaction just mined is in neither).
// Callers hold syncMu, which Publish also takes, so the wallet's own
// broadcast cannot fall between the mempool listing and the clean-up.
func (w *Wallet) syncMempool(ctx context.Context, best lnwire.BlockHeight) error {
	ids, err := w.cfg.Mempool.MempoolTxIDs(ctx)
	if err != nil {
		return err
	}
	inMempool := make(map[chainhash.Hash]struct{}, len(ids))
	var todo []chainhash.Hash
	w.mu.Lock()
	for _, id := range ids {
		inMempool[id] = struct{}{}
		if _, done := w.seen[id]; !done {
			todo = append(todo, id)
		}
	}
	for id := range w.seen {
		if _, still := inMempool[id]; !still {
			delete(w.seen, id)
		}
	}
	w.mu.Unlock()

	var fetched []*wire.MsgTx
	for _, id := range todo {
		tx, err := w.cfg.Mempool.RawTransaction(ctx, id)
		if err != nil {
			continue // left the mempool since the listing
		}
		fetched = append(fetched, tx)
	}
	if err := w.recordMempool(ctx, fetched); err != nil {
		return err
	}
	return w.dropVanished(ctx, best, inMempool)
}

// recordMempool stores the fetched transactions that concern the wallet.
// It repeats passes so that a transaction spending another unconfirmed
// payment to us is found whatever the listing order.
func (w *Wallet) recordMempool(ctx context.Context, txs []*wire.MsgTx) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var updates []store.WalletTxUpdate
	for changed := true; changed; {
		changed = false
		for i, tx := range txs {
			if tx == nil {
				continue
			}
			if u, relevant := w.scanTx(tx, nil); relevant {
				updates = append(updates, u)
				w.remember([]store.WalletTxUpdate{u})
				txs[i], changed = nil, true
			}
		}
		grew, err := w.extendGap()
		if err != nil {
			return err
		}
		changed = changed || grew
	}
	for _, u := range updates {
		w.seen[u.Tx.TxID] = struct{}{}
	}
	for _, tx := range txs {
		if tx != nil {
			w.seen[tx.TxHash()] = struct{}{}
		}
	}
	if len(updates) == 0 {
		return nil
	}
	return w.cfg.Store.WalletAddUnconfirmed(ctx, updates)
}

// dropVanished forgets unconfirmed wallet transactions that are no longer
// in the mempool, if the chain is still at best (a transaction may have
// left the mempool for a block we have not processed yet). The chain is
// asked only when something is to be dropped: most polls find nothing.
func (w *Wallet) dropVanished(ctx context.Context, best lnwire.BlockHeight, inMempool map[chainhash.Hash]struct{}) error {
	txs, err := w.cfg.Store.WalletTransactions(ctx)
	if err != nil {
		return err
	}
	var gone [][32]byte
	for _, t := range txs {
		if _, ok := inMempool[t.TxID]; t.BlockHeight == nil && !ok {
			gone = append(gone, t.TxID)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	now, err := w.cfg.Chain.BlockCount(ctx)
	if err != nil || now != best {
		return err
	}
	hash, err := w.cfg.Chain.BlockHash(ctx, best)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if hash != w.tipHash {
		return nil
	}
	w.cfg.Log.Info("wallet: unconfirmed transactions left the mempool", "count", len(gone))
	return w.cfg.Store.WalletDropUnconfirmed(ctx, gone)
}
