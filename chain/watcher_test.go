package chain

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func blockWith(txs ...*wire.MsgTx) *wire.MsgBlock {
	b := &wire.MsgBlock{}
	coinbase := wire.NewMsgTx(2)
	coinbase.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}})
	b.AddTransaction(coinbase)
	for _, tx := range txs {
		b.AddTransaction(tx)
	}
	return b
}

func spendingTx(op wire.OutPoint) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&op, nil, nil))
	tx.AddTxOut(wire.NewTxOut(1000, []byte{0x51}))
	return tx
}

func connected(h lnwire.BlockHeight, hash byte, b *wire.MsgBlock) Event {
	return Event{Kind: BlockConnected, Height: h, Hash: chainhash.Hash{hash}, Block: b}
}

func disconnected(h lnwire.BlockHeight, hash byte) Event {
	return Event{Kind: BlockDisconnected, Height: h, Hash: chainhash.Hash{hash}}
}

func TestWatcherConfirmationsAndReorg(t *testing.T) {
	funding := spendingTx(wire.OutPoint{Hash: chainhash.Hash{0xaa}})
	txid := funding.TxHash()
	w := NewWatcher(100)
	w.WatchConfirmations(txid, 3)

	apply := func(events ...Event) []Notification {
		t.Helper()
		n, err := w.Apply(events)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := apply(connected(101, 1, blockWith(funding)), connected(102, 2, blockWith())); len(n) != 0 {
		t.Fatalf("depth 2 notified: %v", n)
	}
	n := apply(connected(103, 3, blockWith()))
	want := TxConfirmed{TxID: txid, Height: 101, BlockHash: chainhash.Hash{1}, TxIndex: 1, Depth: 3}
	if len(n) != 1 || n[0] != want {
		t.Fatalf("got %+v, want %+v", n, want)
	}
	if n := apply(connected(104, 4, blockWith())); len(n) != 0 {
		t.Fatalf("notified twice: %v", n)
	}
	// A reorg of depth 2 leaves it 2 deep: below the wanted depth again.
	n = apply(disconnected(104, 4), disconnected(103, 3))
	if len(n) != 1 || n[0] != (TxUnconfirmed{TxID: txid}) {
		t.Fatalf("reorg to depth 2: %+v", n)
	}
	// Then its own block goes, and it confirms in another block.
	if n := apply(disconnected(102, 2), disconnected(101, 1)); len(n) != 0 {
		t.Fatalf("already unconfirmed, nothing more to say: %v", n)
	}
	apply(connected(101, 11, blockWith()), connected(102, 12, blockWith(funding)), connected(103, 13, blockWith()))
	n = apply(connected(104, 14, blockWith()))
	want = TxConfirmed{TxID: txid, Height: 102, BlockHash: chainhash.Hash{12}, TxIndex: 1, Depth: 3}
	if len(n) != 1 || n[0] != want {
		t.Fatalf("after reorg: %+v", n)
	}
}

func TestWatcherSpends(t *testing.T) {
	op := wire.OutPoint{Hash: chainhash.Hash{0xbb}, Index: 1}
	spender := spendingTx(op)
	w := NewWatcher(10)
	w.WatchSpend(op)
	n, _ := w.Apply([]Event{connected(11, 1, blockWith(spendingTx(wire.OutPoint{Hash: chainhash.Hash{0xcc}}), spender))})
	if len(n) != 1 {
		t.Fatalf("spend: %+v", n)
	}
	if s := n[0].(OutputSpent); s.OutPoint != op || s.Height != 11 || s.SpendingTx != spender {
		t.Fatalf("spend: %+v", s)
	}
	n, _ = w.Apply([]Event{disconnected(11, 1)})
	if len(n) != 1 || n[0] != (OutputUnspent{OutPoint: op}) {
		t.Fatalf("unspend: %+v", n)
	}
	w.Unwatch(nil, &op)
	if n, _ := w.Apply([]Event{connected(11, 2, blockWith(spender))}); len(n) != 0 {
		t.Fatalf("unwatched output notified: %+v", n)
	}
}

func TestWatcherRejectsOutOfOrderEvents(t *testing.T) {
	w := NewWatcher(10)
	if _, err := w.Apply([]Event{connected(12, 1, blockWith())}); err == nil {
		t.Fatal("a gap must be an error")
	}
	if _, err := w.Apply([]Event{disconnected(9, 1)}); err == nil {
		t.Fatal("disconnecting below the tip must be an error")
	}
}

func TestWatcherDepthZeroMeansOne(t *testing.T) {
	tx := spendingTx(wire.OutPoint{Hash: chainhash.Hash{1}})
	w := NewWatcher(0)
	w.WatchConfirmations(tx.TxHash(), 0)
	n, _ := w.Apply([]Event{connected(1, 1, blockWith(tx))})
	if len(n) != 1 || n[0].(TxConfirmed).Depth != 1 {
		t.Fatalf("%+v", n)
	}
}
