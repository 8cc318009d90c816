package itest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/regtest"
	"github.com/fulmen-ln/fulmen/rpc"
)

type fundsOutput struct {
	TxID            string `json:"txid"`
	Output          uint32 `json:"output"`
	AmountMsat      uint64 `json:"amount_msat"`
	ScriptPubKey    string `json:"scriptpubkey"`
	Address         string `json:"address"`
	Status          string `json:"status"`
	BlockHeight     uint32 `json:"blockheight"`
	Reserved        bool   `json:"reserved"`
	ReservedToBlock uint32 `json:"reserved_to_block"`
}

type withdrawReply struct {
	Tx   string `json:"tx"`
	TxID string `json:"txid"`
	PSBT string `json:"psbt"`
}

// walletNode starts a fulmend on a fresh btcd regtest chain.
func walletNode(t *testing.T) (*regtest.Harness, *devnet.Node) {
	t.Helper()
	chain := regtest.Start(t)
	host, port, err := net.SplitHostPort(chain.RPC().Host)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	dir, err := os.MkdirTemp("", "fulmen-wallet-") // short: Unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	node, err := devnet.NewNode(ctx, devnet.BuildT(t), devnet.Backend{Host: host, Port: p, User: chain.RPC().User,
		Password: chain.RPC().Pass, CertFile: chain.RPC().CertPath}, filepath.Join(dir, "wally"), "wally", devnet.NodeOptions{})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of wally ---\n%s", node.LogTail(80))
		}
		node.Stop(ctx)
		os.RemoveAll(dir)
	})
	return chain, node
}

func listFunds(t *testing.T, n *devnet.Node, spent bool) []fundsOutput {
	t.Helper()
	var reply struct {
		Outputs  []fundsOutput `json:"outputs"`
		Channels []any         `json:"channels"`
	}
	if err := n.Call(context.Background(), "listfunds", map[string]any{"spent": spent}, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Channels == nil {
		t.Fatal("listfunds: no channels array")
	}
	return reply.Outputs
}

// balance sums the unspent outputs with the status, in satoshis.
func balance(t *testing.T, n *devnet.Node, status string) (total uint64, count int) {
	for _, o := range listFunds(t, n, false) {
		if o.Status == status {
			total += o.AmountMsat / 1000
			count++
		}
	}
	return total, count
}

func waitBalance(t *testing.T, n *devnet.Node, status string, want uint64, count int) {
	t.Helper()
	waitFor(t, 30*time.Second, "balance "+status, func() bool {
		got, c := balance(t, n, status)
		return got == want && c == count
	})
}

func mine(t *testing.T, chain *regtest.Harness, n uint32) []chainhash.Hash {
	t.Helper()
	hashes, err := chain.Mine(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return hashes
}

func fund(t *testing.T, chain *regtest.Harness, addr string, sat int64) {
	t.Helper()
	if _, err := chain.Fund(context.Background(), addr, lnwire.Satoshi(sat)); err != nil {
		t.Fatal(err)
	}
}

// txFee decodes a withdraw's transaction and returns it with its fee,
// given the wallet outputs it spent.
func txFee(t *testing.T, reply withdrawReply, funds []fundsOutput) (*wire.MsgTx, uint64) {
	t.Helper()
	raw, err := hex.DecodeString(reply.Tx)
	if err != nil {
		t.Fatal(err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if tx.TxHash().String() != reply.TxID || reply.PSBT == "" {
		t.Fatalf("withdraw reply txid %s for tx %s, psbt %q", reply.TxID, tx.TxHash(), reply.PSBT)
	}
	var in, out uint64
	for _, txin := range tx.TxIn {
		found := false
		for _, f := range funds {
			if f.TxID == txin.PreviousOutPoint.Hash.String() && f.Output == txin.PreviousOutPoint.Index {
				in += f.AmountMsat / 1000
				found = true
			}
		}
		if !found {
			t.Fatalf("input %s is not a wallet output", txin.PreviousOutPoint)
		}
	}
	for _, o := range tx.TxOut {
		out += uint64(o.Value)
	}
	return &tx, in - out
}

// checkFeerate checks the fee pays at least perkw on the real weight, and
// at most what the worst-case signature sizes would add.
func checkFeerate(t *testing.T, tx *wire.MsgTx, fee, perkw uint64) {
	t.Helper()
	weight := uint64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
	if fee < perkw*weight/1000 || fee > perkw*(weight+2*uint64(len(tx.TxIn)))/1000+1 {
		t.Fatalf("fee %d for weight %d at %d perkw", fee, weight, perkw)
	}
}

func mempoolSize(t *testing.T, chain *regtest.Harness) int {
	t.Helper()
	var ids []string
	if err := chain.Client().Call(context.Background(), "getrawmempool", []any{}, &ids); err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

func TestWalletFundWithdrawRestartReorg(t *testing.T) {
	t.Parallel()
	chain, node := walletNode(t)
	ctx := context.Background()

	var bech32, p2tr, both map[string]string
	for _, c := range []struct {
		kind  string
		reply *map[string]string
	}{{"bech32", &bech32}, {"p2tr", &p2tr}, {"all", &both}} {
		if err := node.Call(ctx, "newaddr", []any{c.kind}, c.reply); err != nil {
			t.Fatal(err)
		}
	}
	if len(bech32) != 1 || bech32["bech32"][:6] != "bcrt1q" || len(p2tr) != 1 || p2tr["p2tr"][:6] != "bcrt1p" ||
		len(both) != 2 || both["bech32"] == bech32["bech32"] || both["p2tr"] == p2tr["p2tr"] {
		t.Fatalf("newaddr: %v %v %v", bech32, p2tr, both)
	}

	// Fund both kinds: seen in the mempool, then confirmed.
	fund(t, chain, bech32["bech32"], 1_000_000)
	fund(t, chain, p2tr["p2tr"], 2_000_000)
	waitBalance(t, node, "unconfirmed", 3_000_000, 2)
	mine(t, chain, 1)
	height, _ := chain.Height(ctx)
	waitBalance(t, node, "confirmed", 3_000_000, 2)
	for _, o := range listFunds(t, node, false) {
		if o.BlockHeight != uint32(height) || o.Reserved || o.Address == "" || o.ScriptPubKey == "" {
			t.Fatalf("confirmed output %+v at height %d", o, height)
		}
	}

	// Bad inputs each fail clearly and broadcast nothing.
	var rerr *rpc.Error
	outside := chain.MiningAddress()
	bad := []struct {
		name   string
		method string
		params map[string]any
		code   int
	}{
		{"garbage address", "withdraw", map[string]any{"destination": "nonsense", "satoshi": 10_000, "feerate": "1000perkw"}, rpc.CodeInvalidParams},
		{"mainnet address", "withdraw", map[string]any{"destination": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "satoshi": 10_000, "feerate": "1000perkw"}, rpc.CodeInvalidParams},
		{"too much", "withdraw", map[string]any{"destination": outside, "satoshi": 3_000_000, "feerate": "1000perkw"}, 301},
		{"dust", "withdraw", map[string]any{"destination": outside, "satoshi": 545, "feerate": "1000perkw"}, 302},
		{"bad amount", "withdraw", map[string]any{"destination": outside, "satoshi": "lots", "feerate": "1000perkw"}, rpc.CodeInvalidParams},
		{"msat amount", "withdraw", map[string]any{"destination": outside, "satoshi": "1500msat", "feerate": "1000perkw"}, rpc.CodeInvalidParams},
		{"unknown feerate", "withdraw", map[string]any{"destination": outside, "satoshi": 10_000, "feerate": "fast"}, rpc.CodeInvalidParams},
		{"feerate below floor", "withdraw", map[string]any{"destination": outside, "satoshi": 10_000, "feerate": "100perkw"}, rpc.CodeInvalidParams},
		{"unknown utxo", "withdraw", map[string]any{"destination": outside, "satoshi": 10_000, "feerate": "1000perkw",
			"utxos": []string{"00000000000000000000000000000000000000000000000000000000000000aa:0"}}, rpc.CodeInvalidParams},
		{"malformed utxo", "withdraw", map[string]any{"destination": outside, "satoshi": 10_000, "utxos": []string{"xyz"}}, rpc.CodeInvalidParams},
		{"minconf too deep", "withdraw", map[string]any{"destination": outside, "satoshi": 10_000, "feerate": "1000perkw", "minconf": 5}, 301},
		{"bad address type", "newaddr", map[string]any{"addresstype": "p2pkh"}, rpc.CodeInvalidParams},
		{"bad style", "feerates", map[string]any{"style": "persat"}, rpc.CodeInvalidParams},
	}
	for _, tc := range bad {
		if err := node.Call(ctx, tc.method, tc.params, nil); !errors.As(err, &rerr) || rerr.Code != tc.code {
			t.Errorf("%s: %v, want code %d", tc.name, err, tc.code)
		}
	}
	if n := mempoolSize(t, chain); n != 0 {
		t.Fatalf("bad inputs left %d transactions in the mempool", n)
	}
	// btcd's estimatefee answers once it has seen transactions confirm,
	// and only for targets up to its limit; a role without an estimate
	// (and no fallback-feerate) is missing from feerates, with a warning,
	// and withdraw at that role's rate needs an explicit feerate.
	var rates struct {
		Perkw struct {
			Opening   uint64 `json:"opening"`
			Floor     uint32 `json:"floor"`
			Estimates []any  `json:"estimates"`
		} `json:"perkw"`
		Warning string `json:"warning_missing_feerates"`
	}
	if err := node.Call(ctx, "feerates", []any{"perkw"}, &rates); err != nil || rates.Perkw.Floor != 253 ||
		(rates.Warning == "") != (len(rates.Perkw.Estimates) == 4) {
		t.Fatalf("feerates: %+v %v", rates, err)
	}
	firstFeerate := map[string]any{"feerate": "1000perkw"}
	if rates.Perkw.Opening == 0 {
		if err := node.Call(ctx, "withdraw", []any{outside, 10_000}, nil); !errors.As(err, &rerr) || rerr.Code != rpc.CodeLightningd {
			t.Fatalf("withdraw without estimate: %v", err)
		}
	} else {
		firstFeerate = map[string]any{} // "normal": the backend's estimate
		t.Logf("backend estimates: opening %d perkw", rates.Perkw.Opening)
	}

	// Withdraw to an outside address; the balance drops by amount + fee.
	funds := listFunds(t, node, false)
	var w withdrawReply
	params := map[string]any{"destination": outside, "satoshi": "500000sat"}
	for k, v := range firstFeerate {
		params[k] = v
	}
	if err := node.Call(ctx, "withdraw", params, &w); err != nil {
		t.Fatal(err)
	}
	tx, fee := txFee(t, w, funds)
	if rates.Perkw.Opening == 0 {
		checkFeerate(t, tx, fee, 1000)
	} else {
		checkFeerate(t, tx, fee, rates.Perkw.Opening)
	}
	left := 3_000_000 - 500_000 - fee
	mine(t, chain, 1)
	waitBalance(t, node, "confirmed", left, 2)
	var txs struct {
		Transactions []struct {
			Hash        string `json:"hash"`
			BlockHeight uint32 `json:"blockheight"`
		} `json:"transactions"`
	}
	if err := node.Call(ctx, "listtransactions", nil, &txs); err != nil || len(txs.Transactions) != 3 ||
		txs.Transactions[2].Hash != w.TxID || txs.Transactions[2].BlockHeight != uint32(height)+1 {
		t.Fatalf("listtransactions %+v %v", txs, err)
	}

	// Reserve one output, restart: the outputs and the reservation stay.
	funds = listFunds(t, node, false)
	keep := funds[0]
	hash, _ := chainhash.NewHashFromStr(keep.TxID)
	packet, err := psbt.New([]*wire.OutPoint{{Hash: *hash, Index: keep.Output}}, []*wire.TxOut{wire.NewTxOut(1000, []byte{0x51})}, 2, 0, []uint32{0})
	if err != nil {
		t.Fatal(err)
	}
	b64, _ := packet.B64Encode()
	var reserved struct {
		Reservations []struct {
			Reserved        bool   `json:"reserved"`
			ReservedToBlock uint32 `json:"reserved_to_block"`
		} `json:"reservations"`
	}
	if err := node.Call(ctx, "reserveinputs", []any{b64, true, 10}, &reserved); err != nil || len(reserved.Reservations) != 1 ||
		reserved.Reservations[0].ReservedToBlock != uint32(height)+11 {
		t.Fatalf("reserveinputs %+v %v", reserved, err)
	}
	if err := node.Call(ctx, "reserveinputs", []any{b64}, nil); !errors.As(err, &rerr) || rerr.Code != rpc.CodeInvalidParams {
		t.Fatalf("second exclusive reservation: %v", err)
	}
	if err := node.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	after := listFunds(t, node, false)
	if len(after) != 2 {
		t.Fatalf("outputs after restart %+v", after)
	}
	for _, o := range after {
		if (o.TxID == keep.TxID && o.Output == keep.Output) != o.Reserved {
			t.Fatalf("reservation after restart %+v", o)
		}
	}

	// "all" sweeps only the unreserved output, exactly, without change.
	var sweep withdrawReply
	if err := node.Call(ctx, "withdraw", map[string]any{"destination": outside, "satoshi": "all", "feerate": "253perkw"}, &sweep); err != nil {
		t.Fatal(err)
	}
	sweepTx, sweepFee := txFee(t, sweep, after)
	checkFeerate(t, sweepTx, sweepFee, 253)
	if len(sweepTx.TxIn) != 1 || len(sweepTx.TxOut) != 1 || uint64(sweepTx.TxOut[0].Value) != left-keep.AmountMsat/1000-sweepFee {
		t.Fatalf("sweep %v fee %d", sweepTx, sweepFee)
	}
	mine(t, chain, 1)
	waitBalance(t, node, "confirmed", keep.AmountMsat/1000, 1)
	if err := node.Call(ctx, "unreserveinputs", []any{b64}, nil); err != nil {
		t.Fatal(err)
	}

	// Reorg: a funding's block is invalidated; the funding goes back to
	// the mempool (unconfirmed), then confirms in the replacing block.
	fund(t, chain, both["p2tr"], 300_000)
	block := mine(t, chain, 1)[0]
	fundHeight, _ := chain.Height(ctx)
	waitBalance(t, node, "confirmed", keep.AmountMsat/1000+300_000, 2)
	if err := chain.InvalidateBlock(ctx, block); err != nil {
		t.Fatal(err)
	}
	waitBalance(t, node, "unconfirmed", 300_000, 1)
	mine(t, chain, 2)
	waitBalance(t, node, "confirmed", keep.AmountMsat/1000+300_000, 2)
	for _, o := range listFunds(t, node, false) {
		if o.AmountMsat == 300_000_000 && o.BlockHeight != uint32(fundHeight) {
			t.Fatalf("refunded output %+v, want height %d", o, fundHeight)
		}
	}
}
