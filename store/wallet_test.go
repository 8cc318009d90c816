package store

import (
	"context"
	"errors"
	"testing"
)

func walletOutput(txid byte, vout uint32, amount int64, index uint32) WalletUTXO {
	return WalletUTXO{
		WalletOutPoint: WalletOutPoint{TxID: [32]byte{txid}, Vout: vout},
		AmountSat:      amount,
		PkScript:       []byte{0x00, 0x14, txid},
		Key:            WalletKey{WalletBranch: WalletBranch{Kind: 1}, Index: index},
	}
}

func TestWalletBlocksSpendsAndReorg(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if _, ok, err := s.WalletBirth(ctx); err != nil || ok {
		t.Fatalf("birth before init: %v %v", ok, err)
	}
	if _, _, err := s.WalletTip(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("tip before init: %v", err)
	}
	if err := s.InitWallet(ctx, 100, [32]byte{100}); err != nil {
		t.Fatal(err)
	}
	if err := s.InitWallet(ctx, 200, [32]byte{200}); err != nil { // no-op
		t.Fatal(err)
	}
	funding := WalletTxUpdate{Tx: WalletTx{TxID: [32]byte{1}, Raw: []byte{1}, TxIndex: 3},
		Created: []WalletUTXO{walletOutput(1, 0, 5000, 0)}}
	// Seen in the mempool first, then confirmed in block 101.
	if err := s.WalletAddUnconfirmed(ctx, []WalletTxUpdate{funding}); err != nil {
		t.Fatal(err)
	}
	if err := s.WalletConnectBlock(ctx, 101, [32]byte{101}, []WalletTxUpdate{funding}); err != nil {
		t.Fatal(err)
	}
	// Seeing it again in a mempool answer must not unconfirm it.
	if err := s.WalletAddUnconfirmed(ctx, []WalletTxUpdate{funding}); err != nil {
		t.Fatal(err)
	}
	spend := WalletTxUpdate{Tx: WalletTx{TxID: [32]byte{2}, Raw: []byte{2}},
		Spent: []WalletOutPoint{{TxID: [32]byte{1}, Vout: 0}}, Created: []WalletUTXO{walletOutput(2, 1, 4000, 0)}}
	if err := s.WalletConnectBlock(ctx, 102, [32]byte{102}, []WalletTxUpdate{spend}); err != nil {
		t.Fatal(err)
	}
	all, err := s.WalletUTXOs(ctx, true)
	if err != nil || len(all) != 2 {
		t.Fatalf("outputs %v %v", all, err)
	}
	if all[0].BlockHeight == nil || *all[0].BlockHeight != 101 || all[0].SpendHeight == nil || *all[0].SpendHeight != 102 {
		t.Fatalf("funding output %+v", all[0])
	}
	if err := s.WalletDisconnectBlock(ctx, 101); !errors.Is(err, ErrWalletNotTip) {
		t.Fatalf("disconnecting below tip: %v", err)
	}
	if err := s.WalletDisconnectBlock(ctx, 102); err != nil {
		t.Fatal(err)
	}
	height, hash, err := s.WalletTip(ctx)
	if err != nil || height != 101 || hash != [32]byte{101} {
		t.Fatalf("tip %d %x %v", height, hash, err)
	}
	// The spend vanished from the mempool too: funding is unspent again.
	if err := s.WalletDropUnconfirmed(ctx, [][32]byte{{2}}); err != nil {
		t.Fatal(err)
	}
	unspent, _ := s.WalletUTXOs(ctx, false)
	if len(unspent) != 1 || unspent[0].TxID != [32]byte{1} || unspent[0].SpendTxID != nil {
		t.Fatalf("after reorg %+v", unspent)
	}
	txs, _ := s.WalletTransactions(ctx)
	if len(txs) != 1 || txs[0].TxIndex != 3 {
		t.Fatalf("transactions %+v", txs)
	}

	// Reservations: exclusive refuses an active one, and they persist.
	op := []WalletOutPoint{{TxID: [32]byte{1}}}
	if err := s.WalletReserve(ctx, op, 101, 173, true); err != nil {
		t.Fatal(err)
	}
	if err := s.WalletReserve(ctx, op, 101, 180, true); !errors.Is(err, ErrWalletReserved) {
		t.Fatalf("double reservation: %v", err)
	}
	if err := s.WalletReserve(ctx, []WalletOutPoint{{TxID: [32]byte{9}}}, 101, 180, true); !errors.Is(err, ErrWalletUnavailable) {
		t.Fatalf("unknown output: %v", err)
	}
	for i, want := range []uint32{0, 1} {
		got, err := s.WalletNextKeyIndex(ctx, WalletBranch{Kind: 2, Change: true})
		if err != nil || got != want {
			t.Fatalf("key %d: %d %v", i, got, err)
		}
	}
	s.Close()
	s2, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	unspent, _ = s2.WalletUTXOs(ctx, false)
	if len(unspent) != 1 || unspent[0].ReservedTil != 173 {
		t.Fatalf("reservation after reopen %+v", unspent)
	}
	idx, _ := s2.WalletKeyIndexes(ctx)
	if idx[WalletBranch{Kind: 2, Change: true}] != 2 {
		t.Fatalf("key indexes %v", idx)
	}
	if birth, ok, _ := s2.WalletBirth(ctx); !ok || birth != 100 {
		t.Fatalf("birth %d %v", birth, ok)
	}
	if err := s2.WalletUnreserve(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := s2.WalletRewind(ctx, 100, [32]byte{100}); err != nil {
		t.Fatal(err)
	}
	if h, _, _ := s2.WalletTip(ctx); h != 100 {
		t.Fatalf("tip after rewind %d", h)
	}
}
