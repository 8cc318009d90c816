package chain

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Watcher turns the Follower's block events into the notifications the
// rest of the node waits for: a transaction reaching a number of
// confirmations (a channel's funding at minimum_depth), an output being
// spent (a channel's funding spent by a close), and the undoing of either
// when a reorganisation removes the block. It is pure: Apply takes the
// events of a Sync in order and returns notifications in order.
type Watcher struct {
	confs  map[chainhash.Hash]*confWatch
	spends map[wire.OutPoint]*spendWatch
	tip    lnwire.BlockHeight
}

type confWatch struct {
	depth     uint32
	found     bool // in a block of the current best chain
	height    lnwire.BlockHeight
	blockHash chainhash.Hash
	txIndex   uint32
	notified  bool // TxConfirmed sent for the current inclusion
}

type spendWatch struct {
	spent   bool
	height  lnwire.BlockHeight
	spender *wire.MsgTx
}

// NewWatcher returns a watcher with nothing watched; tip is the height of
// the last block the caller processed.
func NewWatcher(tip lnwire.BlockHeight) *Watcher {
	return &Watcher{confs: make(map[chainhash.Hash]*confWatch), spends: make(map[wire.OutPoint]*spendWatch), tip: tip}
}

// Notification is what Apply reports.
type Notification interface{ isNotification() }

// TxConfirmed: the transaction is Depth blocks deep (its block counts as
// one). Height, BlockHash and TxIndex locate it, as a short_channel_id
// needs.
type TxConfirmed struct {
	TxID      chainhash.Hash
	Height    lnwire.BlockHeight
	BlockHash chainhash.Hash
	TxIndex   uint32
	Depth     uint32
}

// TxUnconfirmed: a reorganisation removed the block of a transaction that
// had been reported confirmed.
type TxUnconfirmed struct{ TxID chainhash.Hash }

// OutputSpent: a watched output was spent by SpendingTx in a block at
// Height.
type OutputSpent struct {
	OutPoint   wire.OutPoint
	SpendingTx *wire.MsgTx
	Height     lnwire.BlockHeight
}

// OutputUnspent: a reorganisation removed the block that spent a watched
// output.
type OutputUnspent struct{ OutPoint wire.OutPoint }

func (TxConfirmed) isNotification()   {}
func (TxUnconfirmed) isNotification() {}
func (OutputSpent) isNotification()   {}
func (OutputUnspent) isNotification() {}

// WatchConfirmations asks for a TxConfirmed once txid is depth blocks deep
// (depth 0 is treated as 1). Blocks already processed are not searched:
// register before the transaction can confirm, or rescan.
func (w *Watcher) WatchConfirmations(txid chainhash.Hash, depth uint32) {
	if depth == 0 {
		depth = 1
	}
	w.confs[txid] = &confWatch{depth: depth}
}

// WatchSpend asks for an OutputSpent when op is spent.
func (w *Watcher) WatchSpend(op wire.OutPoint) { w.spends[op] = &spendWatch{} }

// Unwatch forgets a transaction and an output.
func (w *Watcher) Unwatch(txid *chainhash.Hash, op *wire.OutPoint) {
	if txid != nil {
		delete(w.confs, *txid)
	}
	if op != nil {
		delete(w.spends, *op)
	}
}

// Apply processes the events of one Sync, in order.
func (w *Watcher) Apply(events []Event) ([]Notification, error) {
	var out []Notification
	for _, ev := range events {
		switch ev.Kind {
		case BlockConnected:
			if ev.Height != w.tip+1 {
				return out, fmt.Errorf("chain: watcher at %d got block %d connected", w.tip, ev.Height)
			}
			out = w.connect(ev, out)
		case BlockDisconnected:
			if ev.Height != w.tip {
				return out, fmt.Errorf("chain: watcher at %d got block %d disconnected", w.tip, ev.Height)
			}
			out = w.disconnect(ev, out)
		}
	}
	return out, nil
}

func (w *Watcher) connect(ev Event, out []Notification) []Notification {
	w.tip = ev.Height
	for i, tx := range ev.Block.Transactions {
		txid := tx.TxHash()
		if c := w.confs[txid]; c != nil && !c.found {
			c.found, c.height, c.blockHash, c.txIndex = true, ev.Height, ev.Hash, uint32(i)
		}
		for _, in := range tx.TxIn {
			if s := w.spends[in.PreviousOutPoint]; s != nil && !s.spent {
				s.spent, s.height, s.spender = true, ev.Height, tx
				out = append(out, OutputSpent{OutPoint: in.PreviousOutPoint, SpendingTx: tx, Height: ev.Height})
			}
		}
	}
	for txid, c := range w.confs {
		if !c.found || c.notified {
			continue
		}
		if depth := uint32(w.tip-c.height) + 1; depth >= c.depth {
			c.notified = true
			out = append(out, TxConfirmed{TxID: txid, Height: c.height, BlockHash: c.blockHash, TxIndex: c.txIndex, Depth: depth})
		}
	}
	return out
}

func (w *Watcher) disconnect(ev Event, out []Notification) []Notification {
	w.tip = ev.Height - 1
	for txid, c := range w.confs {
		if c.found && c.blockHash == ev.Hash {
			if c.notified {
				out = append(out, TxUnconfirmed{TxID: txid})
			}
			*c = confWatch{depth: c.depth}
		} else if c.notified && uint32(w.tip-c.height)+1 < c.depth {
			// Still included, but no longer deep enough.
			c.notified = false
			out = append(out, TxUnconfirmed{TxID: txid})
		}
	}
	for op, s := range w.spends {
		if s.spent && s.height == ev.Height {
			*s = spendWatch{}
			out = append(out, OutputUnspent{OutPoint: op})
		}
	}
	return out
}
