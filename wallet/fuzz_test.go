package wallet

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/signer"
)

// FuzzScanTx scans arbitrary transactions: scanning never panics, finds
// exactly the outputs paying watched scripts, and what it stores decodes
// back to the same transaction.
func FuzzScanTx(f *testing.F) {
	h := newHarness(f, 101)
	ours := h.newAddr(signer.P2WPKH)
	for _, tx := range []*wire.MsgTx{
		payment(1, wire.NewTxOut(1000, ours)),
		payment(2, wire.NewTxOut(1000, outsideScript(f)), wire.NewTxOut(5, ours)),
		payment(3),
	} {
		f.Add(encodeTx(tx))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx := new(wire.MsgTx)
		if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
			return
		}
		h.w.mu.Lock()
		want := 0
		for _, out := range tx.TxOut {
			if _, watched := h.w.scripts[string(out.PkScript)]; watched {
				want++
			}
		}
		u, relevant := h.w.scanTx(tx, nil)
		h.w.mu.Unlock()
		if len(u.Created) != want || relevant != (len(u.Created)+len(u.Spent) > 0) {
			t.Fatalf("created %d (want %d), relevant %v", len(u.Created), want, relevant)
		}
		if relevant {
			back, err := decodeTx(u.Tx.Raw)
			if err != nil || back.TxHash() != tx.TxHash() {
				t.Fatalf("stored form does not decode back: %v", err)
			}
		}
	})
}
