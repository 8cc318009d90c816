package regtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/chain/bitcoind"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// newAddress returns a fresh P2WPKH regtest address and its script.
func newAddress(t *testing.T) (string, []byte) {
	t.Helper()
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), Params)
	if err != nil {
		t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	return addr.EncodeAddress(), script
}

func TestHarnessSetupAndMining(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := Start(t)
	height, err := h.Height(ctx)
	if err != nil || height != SetupHeight {
		t.Fatalf("height after setup %d, %v; want %d", height, err, SetupHeight)
	}
	info, err := h.Client().ChainInfo(ctx)
	if err != nil || info.Network != chain.NetworkRegtest || info.Blocks != SetupHeight {
		t.Fatalf("ChainInfo = %+v, %v", info, err)
	}
	hashes, err := h.Mine(ctx, 3)
	if err != nil || len(hashes) != 3 {
		t.Fatalf("Mine(3) = %v, %v", hashes, err)
	}
	if height, _ = h.Height(ctx); height != SetupHeight+3 {
		t.Fatalf("height after mining 3: %d", height)
	}
	// Coinbases pay the mining key.
	block, err := h.Client().Block(ctx, hashes[2])
	if err != nil {
		t.Fatal(err)
	}
	_, script := h.MiningAddress(), h.pkScript
	if got := block.Transactions[0].TxOut[0].PkScript; string(got) != string(script) {
		t.Fatalf("coinbase pays %x, want the mining script %x", got, script)
	}
	// The RPC details work for a separate client, over TLS.
	rpc := h.RPC()
	if rpc.CertPath == "" || rpc.User == "" || rpc.Pass == "" {
		t.Fatalf("RPC details incomplete: %+v", rpc)
	}
	other, err := bitcoind.New(bitcoind.Config{Host: rpc.Host, User: rpc.User, Pass: rpc.Pass, TLSCertPath: rpc.CertPath})
	if err != nil {
		t.Fatal(err)
	}
	if best, err := other.BestBlockHash(ctx); err != nil || best != hashes[2] {
		t.Fatalf("BestBlockHash = %s, %v; want %s", best, err, hashes[2])
	}
}

func TestHarnessInvalidateAndReconsider(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := StartWithOptions(t, Options{SkipSetup: true, NoTLS: true})
	if h.RPC().CertPath != "" {
		t.Fatalf("NoTLS harness reports a certificate %q", h.RPC().CertPath)
	}
	hashes, err := h.Mine(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.InvalidateBlock(ctx, hashes[3]); err != nil {
		t.Fatal(err)
	}
	if height, err := h.Height(ctx); err != nil || height != 3 {
		t.Fatalf("height after invalidating block 4: %d, %v; want 3", height, err)
	}
	if err := h.ReconsiderBlock(ctx, hashes[3]); err != nil {
		t.Fatal(err)
	}
	if height, err := h.Height(ctx); err != nil || height != 5 {
		t.Fatalf("height after reconsidering: %d, %v; want 5", height, err)
	}
}

func TestFund(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := Start(t)
	client := h.Client()
	// Amounts below one coinbase (spending change next time) and above it
	// (several coinbases in one transaction).
	amounts := []lnwire.Satoshi{100_000_000, 25_000, 120 * 100_000_000, 7_777_777}
	type paid struct {
		txid   wire.OutPoint
		script []byte
		amount lnwire.Satoshi
	}
	var payments []paid
	for _, amount := range amounts {
		address, script := newAddress(t)
		txid, err := h.Fund(ctx, address, amount)
		if err != nil {
			t.Fatalf("Fund(%s): %v", amount, err)
		}
		tx, err := client.RawTransaction(ctx, txid)
		if err != nil {
			t.Fatalf("funding transaction not in the mempool: %v", err)
		}
		if string(tx.TxOut[0].PkScript) != string(script) || lnwire.Satoshi(tx.TxOut[0].Value) != amount {
			t.Fatalf("output 0 pays %d to %x, want %d to %x", tx.TxOut[0].Value, tx.TxOut[0].PkScript, amount, script)
		}
		payments = append(payments, paid{wire.OutPoint{Hash: txid}, script, amount})
	}
	// FundScript for a raw script.
	_, script := newAddress(t)
	outpoint, err := h.FundScript(ctx, script, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	payments = append(payments, paid{outpoint, script, 50_000})

	if _, err := h.Mine(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, p := range payments {
		out, found, err := client.TxOut(ctx, p.txid, false)
		if err != nil || !found {
			t.Fatalf("paid output %v not in the UTXO set: %v", p.txid, err)
		}
		if out.Confirmations != 1 || out.Value != p.amount || string(out.PkScript) != string(p.script) {
			t.Fatalf("paid output %v = %+v, want %s with 1 confirmation", p.txid, out, p.amount)
		}
	}
}

func TestFundErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := StartWithOptions(t, Options{SkipSetup: true, NoTLS: true})
	mainnetKey, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	mainnet, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(mainnetKey.PubKey().SerializeCompressed()), &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	regtestAddress, _ := newAddress(t)
	tests := []struct {
		name    string
		address string
		amount  lnwire.Satoshi
		wantErr error
	}{
		{"not an address", "bcrt1qnotanaddress", 1000, ErrBadAddress},
		{"mainnet address", mainnet.EncodeAddress(), 1000, ErrBadAddress},
		{"zero amount", regtestAddress, 0, ErrBadAmount},
		{"negative amount", regtestAddress, -5, ErrBadAmount},
		{"no mature coinbase", regtestAddress, 1000, ErrInsufficientFunds},
	}
	for _, tt := range tests {
		if _, err := h.Fund(ctx, tt.address, tt.amount); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Fund() = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	// 101 blocks: exactly one mature coinbase (height 1), 50 BTC.
	if _, err := h.Mine(ctx, CoinbaseMaturity+1); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Fund(ctx, regtestAddress, 50*100_000_000); !errors.Is(err, ErrInsufficientFunds) {
		t.Errorf("Fund of a whole coinbase (no room for the fee) = %v, want ErrInsufficientFunds", err)
	}
	// The coinbase pays a P2WPKH script: spending it needs segwit.
	if _, err := h.Fund(ctx, regtestAddress, 49*100_000_000); !errors.Is(err, chain.ErrTxRejected) {
		t.Errorf("Fund before segwit activation = %v, want chain.ErrTxRejected", err)
	}
	height, err := h.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Mine(ctx, uint32(SegwitHeight-height)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Fund(ctx, regtestAddress, 49*100_000_000); err != nil {
		t.Errorf("Fund once segwit is active: %v", err)
	}
}

func TestCloseStopsBtcd(t *testing.T) {
	t.Parallel()
	h, err := New(t.Context(), Options{SkipSetup: true})
	if err != nil {
		t.Fatal(err)
	}
	dir, client := h.Dir(), h.Client()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if !h.proc.exited() {
		t.Fatal("btcd still running after Close")
	}
	if _, err := client.BlockCount(context.Background()); !errors.Is(err, bitcoind.ErrUnreachable) {
		t.Fatalf("RPC after Close = %v, want ErrUnreachable", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("harness directory %s left behind: %v", dir, err)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCacheDirAndInstall(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "tools")
	t.Setenv(CacheEnv, cache)
	got, err := CacheDir()
	if err != nil || got != cache {
		t.Fatalf("CacheDir() with %s set = %q, %v; want %q", CacheEnv, got, err, cache)
	}
	if want := filepath.Join(cache, "btcd-v0.24.2", "btcd"); BtcdPath(cache) != want {
		t.Fatalf("BtcdPath = %q, want %q", BtcdPath(cache), want)
	}
	// An already installed binary is returned without running go.
	if err := os.MkdirAll(filepath.Dir(BtcdPath(cache)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(BtcdPath(cache), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "") // no go tool to run
	path, err := InstallBtcd(t.Context(), cache)
	if err != nil || path != BtcdPath(cache) {
		t.Fatalf("InstallBtcd with the binary present = %q, %v", path, err)
	}
}

func TestStartFailsWhenBtcdExits(t *testing.T) {
	t.Parallel()
	// A "btcd" that exits at once.
	fake := filepath.Join(t.TempDir(), "btcd")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'refusing to start'\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := New(t.Context(), Options{BtcdPath: fake, SkipSetup: true})
	if !errors.Is(err, ErrExited) {
		t.Fatalf("New with a btcd that exits = %v, want ErrExited", err)
	}
}
