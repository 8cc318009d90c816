package chain

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// FuzzWatcher drives the watcher with random connects (with or without the
// watched transaction) and disconnects, and checks its notifications
// against a model: the transaction is reported confirmed exactly while it
// is in the best chain at least `depth` deep.
func FuzzWatcher(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 2, 2, 1, 0, 0})
	f.Add([]byte{0, 1, 0, 2, 2, 2, 1, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, actions []byte) {
		tx := spendingTx(wire.OutPoint{Hash: chainhash.Hash{7}})
		txid := tx.TxHash()
		const depth = 2
		w := NewWatcher(0)
		w.WatchConfirmations(txid, depth)
		type block struct {
			hash  chainhash.Hash
			hasTx bool
		}
		var chain []block // chain[i] is at height i+1
		reported := false
		for i, a := range actions {
			var ev Event
			switch a % 3 {
			case 0, 1:
				hasTx := a%3 == 1
				for _, b := range chain {
					if b.hasTx {
						hasTx = false // a transaction is in the chain once
					}
				}
				b := block{hash: chainhash.Hash{byte(i), byte(i >> 8), 1}, hasTx: hasTx}
				chain = append(chain, b)
				msg := blockWith()
				if hasTx {
					msg = blockWith(tx)
				}
				ev = Event{Kind: BlockConnected, Height: lnwire.BlockHeight(len(chain)), Hash: b.hash, Block: msg}
			case 2:
				if len(chain) == 0 {
					continue
				}
				b := chain[len(chain)-1]
				ev = Event{Kind: BlockDisconnected, Height: lnwire.BlockHeight(len(chain)), Hash: b.hash}
				chain = chain[:len(chain)-1]
			}
			notes, err := w.Apply([]Event{ev})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range notes {
				switch n.(type) {
				case TxConfirmed:
					if reported {
						t.Fatal("confirmed twice")
					}
					reported = true
				case TxUnconfirmed:
					if !reported {
						t.Fatal("unconfirmed without being confirmed")
					}
					reported = false
				}
			}
			deep := false
			for h, b := range chain {
				if b.hasTx && len(chain)-h >= depth {
					deep = true
				}
			}
			if deep != reported {
				t.Fatalf("after action %d: deep=%v reported=%v", i, deep, reported)
			}
		}
	})
}
