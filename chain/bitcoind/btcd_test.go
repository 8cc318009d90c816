package bitcoind_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/chain/bitcoind"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/regtest"
)

// These tests run a real btcd (installed on first use, about a minute).

var _ chain.Backend = (*bitcoind.Client)(nil)

func TestBtcdBlocks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := regtest.Start(t)
	c := h.Client()

	info, err := c.ChainInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.ChainName != "regtest" || info.Network != chain.NetworkRegtest || info.Blocks != regtest.SetupHeight {
		t.Fatalf("ChainInfo = %+v", info)
	}
	hashes, err := h.Mine(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	count, err := c.BlockCount(ctx)
	if err != nil || count != regtest.SetupHeight+4 {
		t.Fatalf("BlockCount after mining 4 = %d, %v; want %d", count, err, regtest.SetupHeight+4)
	}
	best, err := c.BestBlockHash(ctx)
	if err != nil || best != hashes[3] {
		t.Fatalf("BestBlockHash = %s, %v; want %s", best, err, hashes[3])
	}
	for i, want := range hashes {
		height := lnwire.BlockHeight(regtest.SetupHeight + 1 + i)
		got, err := c.BlockHash(ctx, height)
		if err != nil || got != want {
			t.Fatalf("BlockHash(%d) = %s, %v; want %s", height, got, err, want)
		}
		block, err := c.Block(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if block.BlockHash() != want {
			t.Fatalf("getblock %s decoded to %s", want, block.BlockHash())
		}
		if i > 0 && block.Header.PrevBlock != hashes[i-1] {
			t.Fatalf("block %d does not build on the previous one", height)
		}
		header, err := c.BlockHeader(ctx, want)
		if err != nil || header.BlockHash() != want {
			t.Fatalf("BlockHeader(%s) = %v, %v", want, header, err)
		}
		// The coinbase is in the transaction index.
		coinbase := block.Transactions[0]
		tx, err := c.RawTransaction(ctx, coinbase.TxHash())
		if err != nil || tx.TxHash() != coinbase.TxHash() {
			t.Fatalf("RawTransaction(coinbase) = %v, %v", tx, err)
		}
	}

	if _, err := c.BlockHash(ctx, count+1); !errors.Is(err, chain.ErrNotFound) {
		t.Errorf("BlockHash above the tip = %v, want chain.ErrNotFound", err)
	}
	unknown := chainhash.Hash{1}
	if _, err := c.Block(ctx, unknown); !errors.Is(err, chain.ErrNotFound) {
		t.Errorf("Block(unknown) = %v, want chain.ErrNotFound", err)
	}
	if _, err := c.BlockHeader(ctx, unknown); !errors.Is(err, chain.ErrNotFound) {
		t.Errorf("BlockHeader(unknown) = %v, want chain.ErrNotFound", err)
	}
	if _, err := c.RawTransaction(ctx, unknown); !errors.Is(err, chain.ErrNotFound) {
		t.Errorf("RawTransaction(unknown) = %v, want chain.ErrNotFound", err)
	}
	if _, err := c.GenerateToAddress(ctx, 1, h.MiningAddress()); !errors.Is(err, bitcoind.ErrMethodNotFound) {
		t.Errorf("btcd generatetoaddress = %v, want ErrMethodNotFound", err)
	}
	// btcd has only estimatefee, which has no estimate on a fresh regtest
	// chain.
	for range 2 {
		if rate, err := c.EstimateFee(ctx, 6); !errors.Is(err, chain.ErrNoEstimate) {
			t.Errorf("EstimateFee on btcd regtest = %d, %v; want chain.ErrNoEstimate", rate, err)
		}
	}
}

func TestBtcdSendRawTransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := regtest.Start(t)
	c := h.Client()

	// Fund a key of ours, then spend that output with a transaction we
	// sign here and send with sendrawtransaction.
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), regtest.Params)
	if err != nil {
		t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	const funded lnwire.Satoshi = 1_000_000
	fundTxid, err := h.Fund(ctx, addr.EncodeAddress(), funded)
	if err != nil {
		t.Fatal(err)
	}
	fundOut := wire.OutPoint{Hash: fundTxid, Index: 0}
	// In the mempool: found with includeMempool, unconfirmed.
	out, found, err := c.TxOut(ctx, fundOut, true)
	if err != nil || !found || out.Confirmations != 0 || out.Value != funded || !bytes.Equal(out.PkScript, script) {
		t.Fatalf("TxOut(funding, mempool) = %+v, %v, %v", out, found, err)
	}
	if _, err := h.Mine(ctx, 1); err != nil {
		t.Fatal(err)
	}
	out, found, err = c.TxOut(ctx, fundOut, false)
	if err != nil || !found || out.Confirmations != 1 {
		t.Fatalf("TxOut(funding) after a block = %+v, %v, %v; want 1 confirmation", out, found, err)
	}

	spend := wire.NewMsgTx(2)
	spend.AddTxIn(wire.NewTxIn(&fundOut, nil, nil))
	spend.AddTxOut(wire.NewTxOut(int64(funded-5_000), script))
	prevOuts := txscript.NewCannedPrevOutputFetcher(script, int64(funded))
	witness, err := txscript.WitnessSignature(spend, txscript.NewTxSigHashes(spend, prevOuts), 0,
		int64(funded), script, txscript.SigHashAll, key, true)
	if err != nil {
		t.Fatal(err)
	}
	spend.TxIn[0].Witness = witness
	txid, err := c.SendRawTransaction(ctx, spend)
	if err != nil || txid != spend.TxHash() {
		t.Fatalf("SendRawTransaction = %s, %v; want %s", txid, err, spend.TxHash())
	}
	// btcd answers -26 "already have transaction" for a transaction
	// already in its mempool.
	if _, err := c.SendRawTransaction(ctx, spend); !errors.Is(err, chain.ErrTxAlreadyKnown) {
		t.Errorf("sending it again = %v, want chain.ErrTxAlreadyKnown", err)
	}
	hashes, err := h.Mine(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	block, err := c.Block(ctx, hashes[0])
	if err != nil {
		t.Fatal(err)
	}
	var confirmed bool
	for _, tx := range block.Transactions {
		confirmed = confirmed || tx.TxHash() == txid
	}
	if !confirmed {
		t.Fatalf("transaction %s not in the next block", txid)
	}
	if _, found, err := c.TxOut(ctx, fundOut, true); err != nil || found {
		t.Fatalf("spent funding output still unspent: %v, %v", found, err)
	}
	out, found, err = c.TxOut(ctx, wire.OutPoint{Hash: txid}, false)
	if err != nil || !found || out.Confirmations != 1 || out.Value != funded-5_000 {
		t.Fatalf("TxOut(spend) = %+v, %v, %v", out, found, err)
	}

	// A conflicting spend of the same (now spent) output.
	conflict := spend.Copy()
	conflict.TxOut[0].Value -= 1_000
	if _, err := c.SendRawTransaction(ctx, conflict); !errors.Is(err, chain.ErrTxMissingInputs) &&
		!errors.Is(err, chain.ErrTxRejected) {
		t.Errorf("double spend = %v, want missing inputs or rejected", err)
	}
	var rpcErr *bitcoind.RPCError
	if _, err := c.SendRawTransaction(ctx, conflict); !errors.As(err, &rpcErr) {
		t.Errorf("double spend error %v carries no RPCError", err)
	}
}

func TestBtcdUnreachableAndAuth(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := regtest.StartWithOptions(t, regtest.Options{SkipSetup: true})

	wrong := h.ClientConfig()
	wrong.Pass += "x"
	c, err := bitcoind.New(wrong)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BlockCount(ctx); !errors.Is(err, bitcoind.ErrAuth) {
		t.Fatalf("wrong password = %v, want ErrAuth", err)
	}

	// Without TLS against btcd's TLS listener: not a JSON-RPC reply.
	plain := h.ClientConfig()
	plain.TLSCertPath = ""
	c, err = bitcoind.New(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BlockCount(ctx); err == nil {
		t.Fatal("plain HTTP to btcd's TLS port succeeded")
	}

	// New reads the certificate, which Close removes with the directory.
	c, err = bitcoind.New(h.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BlockCount(ctx); !errors.Is(err, bitcoind.ErrUnreachable) {
		t.Fatalf("stopped btcd = %v, want ErrUnreachable", err)
	}
}
