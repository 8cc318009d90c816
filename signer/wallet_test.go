package signer

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

func testWallet(t *testing.T, params *chaincfg.Params) *WalletSigner {
	t.Helper()
	s, err := New([32]byte{9, 9, 9})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Wallet(params)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWalletAddressesAreStableAndDistinct(t *testing.T) {
	w := testWallet(t, &chaincfg.RegressionNetParams)
	seen := map[string]bool{}
	for _, kind := range []AddressKind{P2WPKH, P2TR} {
		for _, change := range []bool{false, true} {
			for i := uint32(0); i < 3; i++ {
				addr, _, err := w.Address(KeyPath{Kind: kind, Change: change, Index: i})
				if err != nil {
					t.Fatal(err)
				}
				s := addr.EncodeAddress()
				prefix := map[AddressKind]string{P2WPKH: "bcrt1q", P2TR: "bcrt1p"}[kind]
				if !strings.HasPrefix(s, prefix) || seen[s] {
					t.Fatalf("%v: %s (seen %v)", KeyPath{kind, change, i}, s, seen[s])
				}
				seen[s] = true
				again, _, _ := testWallet(t, &chaincfg.RegressionNetParams).Address(KeyPath{Kind: kind, Change: change, Index: i})
				if again.EncodeAddress() != s {
					t.Fatal("address not deterministic")
				}
			}
		}
	}
	main := testWallet(t, &chaincfg.MainNetParams)
	a, _, _ := main.Address(KeyPath{Kind: P2WPKH})
	if !strings.HasPrefix(a.EncodeAddress(), "bc1q") {
		t.Fatalf("mainnet address %s", a)
	}
	if _, err := w.PubKey(KeyPath{Kind: 7}); !errors.Is(err, ErrUnknownPath) {
		t.Fatalf("unknown kind: %v", err)
	}
}

// TestSignInputsVerifies signs a P2WPKH and a P2TR input and runs the
// script engine over both.
func TestSignInputsVerifies(t *testing.T) {
	w := testWallet(t, &chaincfg.RegressionNetParams)
	paths := []KeyPath{{Kind: P2WPKH, Index: 4}, {Kind: P2TR, Change: true, Index: 2}}
	tx := wire.NewMsgTx(2)
	prev := txscript.NewMultiPrevOutFetcher(nil)
	var inputs []WalletInput
	for i, p := range paths {
		_, script, err := w.Address(p)
		if err != nil {
			t.Fatal(err)
		}
		op := wire.OutPoint{Hash: chainhash.Hash{byte(i + 1)}, Index: uint32(i)}
		tx.AddTxIn(wire.NewTxIn(&op, nil, nil))
		prev.AddPrevOut(op, wire.NewTxOut(int64(50_000+i), script))
		inputs = append(inputs, WalletInput{Index: i, Path: p, PkScript: script, Amount: int64(50_000 + i)})
	}
	_, outScript, _ := w.Address(KeyPath{Kind: P2WPKH, Index: 99})
	tx.AddTxOut(wire.NewTxOut(90_000, outScript))
	if err := w.SignInputs(tx, inputs, prev); err != nil {
		t.Fatal(err)
	}
	hashes := txscript.NewTxSigHashes(tx, prev)
	for i, in := range inputs {
		engine, err := txscript.NewEngine(in.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, in.Amount, prev)
		if err != nil {
			t.Fatal(err)
		}
		if err := engine.Execute(); err != nil {
			t.Fatalf("input %d does not verify: %v", i, err)
		}
	}

	// A script that is not the path's own is refused.
	bad := inputs[0]
	bad.Path.Index = 5
	if err := w.SignInputs(tx, []WalletInput{bad}, prev); err == nil {
		t.Fatal("signed an input with the wrong key path")
	}
}
