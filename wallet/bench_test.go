package wallet

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/signer"
)

// BenchmarkScanBlock scans a block of 2000 transactions, 10 of them paying
// the wallet, against the watched scripts (no store writes).
func BenchmarkScanBlock(b *testing.B) {
	h := newHarness(b, 101)
	ours := h.newAddr(signer.P2TR)
	block := &wire.MsgBlock{}
	for i := 0; i < 2000; i++ {
		script := outsideScript(b)
		if i%200 == 0 {
			script = ours
		}
		block.AddTransaction(payment(byte(i), wire.NewTxOut(int64(10_000+i), script), wire.NewTxOut(5000, outsideScript(b))))
	}
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	for b.Loop() {
		updates, err := h.w.scanBlock(block)
		if err != nil || len(updates) != 10 {
			b.Fatalf("%d updates, %v", len(updates), err)
		}
	}
}

// BenchmarkPrepareSpend selects among 200 outputs, signs and reserves, then
// releases (store writes included).
func BenchmarkPrepareSpend(b *testing.B) {
	ctx := context.Background()
	h := newHarness(b, 101)
	block := []*wire.MsgTx{}
	for i := 0; i < 200; i++ {
		kind := signer.P2WPKH
		if i%2 == 0 {
			kind = signer.P2TR
		}
		block = append(block, payment(byte(i), wire.NewTxOut(int64(20_000+i*100), h.newAddr(kind))))
	}
	h.chain.mine(block...)
	h.sync()
	req := SpendRequest{DestScript: outsideScript(b), Amount: 100_000, Feerate: 1000, MinConf: 1}
	for b.Loop() {
		s, err := h.w.PrepareSpend(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if err := h.w.Release(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}
