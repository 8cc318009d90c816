package bitcoind

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/lnwire"
)

const hashA = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"

// testBlock is a block with one segwit coinbase, so that decoding must
// handle witnesses.
func testBlock() *wire.MsgBlock {
	coinbase := wire.NewMsgTx(2)
	coinbase.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript:  []byte{0x01, 0x65},
		Witness:          wire.TxWitness{make([]byte, 32)},
		Sequence:         wire.MaxTxInSequenceNum,
	})
	coinbase.AddTxOut(wire.NewTxOut(5_000_000_000, []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}))
	block := wire.NewMsgBlock(&wire.BlockHeader{
		Version:   0x20000000,
		Timestamp: time.Unix(1_700_000_000, 0),
		Bits:      0x207fffff,
		Nonce:     3,
	})
	if err := block.AddTransaction(coinbase); err != nil {
		panic(err)
	}
	return block
}

func hexOf(t *testing.T, serialize func(w *bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return strconv.Quote(hex.EncodeToString(buf.Bytes()))
}

func TestChainInfo(t *testing.T) {
	tests := []struct {
		name    string
		reply   reply
		want    ChainInfo
		wantErr error
	}{
		{
			name:  "btcd regtest",
			reply: okReply(`{"chain":"regtest","blocks":532,"headers":532,"bestblockhash":"` + hashA + `","difficulty":1,"pruned":false}`),
			want:  ChainInfo{Network: chain.NetworkRegtest, ChainName: "regtest", Blocks: 532, Headers: 532},
		},
		{
			name:  "bitcoind mainnet in IBD",
			reply: okReply(`{"chain":"main","blocks":800000,"headers":870000,"bestblockhash":"` + hashA + `","initialblockdownload":true,"pruned":true}`),
			want:  ChainInfo{Network: chain.NetworkBitcoin, ChainName: "main", Blocks: 800000, Headers: 870000, InitialBlockDownload: true, Pruned: true},
		},
		{
			name:    "btcd simnet",
			reply:   okReply(`{"chain":"simnet","blocks":1,"headers":1,"bestblockhash":"` + hashA + `"}`),
			wantErr: chain.ErrUnknownNetwork,
		},
		{
			name:    "short hash",
			reply:   okReply(`{"chain":"regtest","blocks":1,"headers":1,"bestblockhash":"00ff"}`),
			wantErr: ErrBadResponse,
		},
		{
			name:    "negative height",
			reply:   okReply(`{"chain":"regtest","blocks":-1,"headers":1,"bestblockhash":"` + hashA + `"}`),
			wantErr: ErrBadResponse,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newFakeServer(t, map[string]reply{"getblockchaininfo": tt.reply})
			got, err := clientFor(t, srv).ChainInfo(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ChainInfo() error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			want := tt.want
			want.BestBlockHash, _ = parseHash("", hashA)
			if got != want {
				t.Fatalf("ChainInfo() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestBlockHashNotFound(t *testing.T) {
	for name, answer := range map[string]reply{
		"btcd":     btcdError(-1, "Block number out of range"),
		"bitcoind": bitcoindError(-8, "Block height out of range"),
	} {
		_, srv := newFakeServer(t, map[string]reply{"getblockhash": answer})
		_, err := clientFor(t, srv).BlockHash(context.Background(), 1000)
		var rpcErr *RPCError
		if !errors.Is(err, chain.ErrNotFound) || !errors.As(err, &rpcErr) {
			t.Errorf("%s: BlockHash above the tip = %v, want ErrNotFound wrapping an RPCError", name, err)
		}
	}
}

func TestBlockAndHeaderDecoding(t *testing.T) {
	block := testBlock()
	blockHex := hexOf(t, func(w *bytes.Buffer) error { return block.Serialize(w) })
	headerHex := hexOf(t, func(w *bytes.Buffer) error { return block.Header.Serialize(w) })
	txHex := hexOf(t, func(w *bytes.Buffer) error { return block.Transactions[0].Serialize(w) })
	_, srv := newFakeServer(t, map[string]reply{
		"getblock":          okReply(blockHex),
		"getblockheader":    okReply(headerHex),
		"getrawtransaction": okReply(txHex),
	})
	c := clientFor(t, srv)
	ctx := context.Background()
	gotBlock, err := c.Block(ctx, block.BlockHash())
	if err != nil {
		t.Fatal(err)
	}
	if gotBlock.BlockHash() != block.BlockHash() || len(gotBlock.Transactions) != 1 ||
		len(gotBlock.Transactions[0].TxIn[0].Witness) != 1 {
		t.Fatalf("decoded block differs: %+v", gotBlock)
	}
	header, err := c.BlockHeader(ctx, block.BlockHash())
	if err != nil || header.BlockHash() != block.BlockHash() {
		t.Fatalf("BlockHeader = %v, %v", header, err)
	}
	tx, err := c.RawTransaction(ctx, block.Transactions[0].TxHash())
	if err != nil || tx.WitnessHash() != block.Transactions[0].WitnessHash() {
		t.Fatalf("RawTransaction = %v, %v", tx, err)
	}
}

func TestDecodingErrors(t *testing.T) {
	blockHex := hexOf(t, func(w *bytes.Buffer) error { return testBlock().Serialize(w) })
	tests := []struct {
		name    string
		reply   reply
		wantErr error
	}{
		{"not hex", okReply(`"zz"`), ErrBadResponse},
		{"truncated", okReply(blockHex[:len(blockHex)-11] + `"`), ErrBadResponse},
		{"trailing bytes", okReply(blockHex[:len(blockHex)-1] + `00"`), ErrBadResponse},
		{"unknown (btcd and bitcoind -5)", btcdError(-5, "Block not found"), chain.ErrNotFound},
	}
	for _, tt := range tests {
		_, srv := newFakeServer(t, map[string]reply{"getblock": tt.reply})
		if _, err := clientFor(t, srv).Block(context.Background(), chainhash.Hash{}); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Block() = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestSendRawTransaction(t *testing.T) {
	tx := testBlock().Transactions[0]
	txid := strconv.Quote(tx.TxHash().String())
	tests := []struct {
		name    string
		reply   reply
		wantErr error
	}{
		{"accepted", okReply(txid), nil},
		{"missing inputs", bitcoindError(-25, "bad-txns-inputs-missingorspent"), chain.ErrTxMissingInputs},
		{"rejected", btcdError(-26, "TX rejected: transaction has insufficient priority"), chain.ErrTxRejected},
		{"already known", bitcoindError(-27, "Transaction outputs already in utxo set"), chain.ErrTxAlreadyKnown},
		{"btcd: already in mempool", btcdError(-26, "TX rejected: already have transaction in mempool "+hashA), chain.ErrTxAlreadyKnown},
		{"other txid", okReply(strconv.Quote(hashA)), ErrBadResponse},
	}
	for _, tt := range tests {
		fs, srv := newFakeServer(t, map[string]reply{"sendrawtransaction": tt.reply})
		got, err := clientFor(t, srv).SendRawTransaction(context.Background(), tx)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && got != tx.TxHash() {
			t.Errorf("%s: txid %s, want %s", tt.name, got, tx.TxHash())
		}
		// Only the hex is sent: the second parameter differs between
		// btcd and bitcoind.
		if params := fs.requests()[0].Params; len(params) != 1 {
			t.Errorf("%s: sent %d params, want 1", tt.name, len(params))
		}
	}
}

func TestTxOut(t *testing.T) {
	script := "0014" + hex.EncodeToString(make([]byte, 20))
	tests := []struct {
		name      string
		reply     reply
		want      chain.UnspentOutput
		wantFound bool
		wantErr   error
	}{
		{name: "spent or unknown", reply: okReply("null")},
		{
			name:      "bitcoind output",
			reply:     okReply(`{"bestblock":"` + hashA + `","confirmations":3,"value":0.50000000,"scriptPubKey":{"hex":"` + script + `","type":"witness_v0_keyhash"},"coinbase":false}`),
			want:      chain.UnspentOutput{Value: 50_000_000, Confirmations: 3},
			wantFound: true,
		},
		{
			name:      "btcd float value",
			reply:     okReply(`{"bestblock":"` + hashA + `","confirmations":0,"value":1e-05,"scriptPubKey":{"hex":"` + script + `"},"coinbase":true}`),
			want:      chain.UnspentOutput{Value: 1000, Coinbase: true},
			wantFound: true,
		},
		{
			name:    "bad script hex",
			reply:   okReply(`{"bestblock":"` + hashA + `","confirmations":1,"value":1,"scriptPubKey":{"hex":"0"}}`),
			wantErr: ErrBadResponse,
		},
	}
	for _, tt := range tests {
		_, srv := newFakeServer(t, map[string]reply{"gettxout": tt.reply})
		got, found, err := clientFor(t, srv).TxOut(context.Background(), wire.OutPoint{Index: 1}, true)
		if !errors.Is(err, tt.wantErr) || found != tt.wantFound {
			t.Errorf("%s: TxOut() found %v, error %v; want %v, %v", tt.name, found, err, tt.wantFound, tt.wantErr)
			continue
		}
		if !found {
			continue
		}
		if got.Value != tt.want.Value || got.Confirmations != tt.want.Confirmations ||
			got.Coinbase != tt.want.Coinbase || hex.EncodeToString(got.PkScript) != script || got.BestBlock.String() != hashA {
			t.Errorf("%s: TxOut() = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestEstimateFee(t *testing.T) {
	tests := []struct {
		name      string
		replies   map[string]reply
		want      lnwire.FeeratePerKW
		wantErr   error
		wantCalls []string // methods called, in order, over two estimates
	}{
		{
			name:      "bitcoind estimate",
			replies:   map[string]reply{"estimatesmartfee": okReply(`{"feerate":0.00010000,"blocks":6}`)},
			want:      2500, // 10000 sat/kvB / 4
			wantCalls: []string{"estimatesmartfee", "estimatesmartfee"},
		},
		{
			name:      "bitcoind without data",
			replies:   map[string]reply{"estimatesmartfee": okReply(`{"errors":["Insufficient data or no feerate found"],"blocks":0}`)},
			wantErr:   chain.ErrNoEstimate,
			wantCalls: []string{"estimatesmartfee", "estimatesmartfee"},
		},
		{
			name:      "below the floor",
			replies:   map[string]reply{"estimatesmartfee": okReply(`{"feerate":0.00001000,"blocks":2}`)},
			want:      FeerateFloor,
			wantCalls: []string{"estimatesmartfee", "estimatesmartfee"},
		},
		{
			name:      "btcd estimate, method remembered",
			replies:   map[string]reply{"estimatefee": okReply(`0.0002`)},
			want:      5000,
			wantCalls: []string{"estimatesmartfee", "estimatefee", "estimatefee"},
		},
		{
			name:      "btcd on regtest answers 0",
			replies:   map[string]reply{"estimatefee": okReply(`0`)},
			wantErr:   chain.ErrNoEstimate,
			wantCalls: []string{"estimatesmartfee", "estimatefee", "estimatefee"},
		},
		{
			name:      "btcd estimator not ready",
			replies:   map[string]reply{"estimatefee": btcdError(-32603, "not enough blocks have been observed")},
			wantErr:   chain.ErrNoEstimate,
			wantCalls: []string{"estimatesmartfee", "estimatefee", "estimatefee"},
		},
		{
			name:      "btcd answers -1",
			replies:   map[string]reply{"estimatefee": okReply(`-1`)},
			wantErr:   chain.ErrNoEstimate,
			wantCalls: []string{"estimatesmartfee", "estimatefee", "estimatefee"},
		},
		{
			name:      "malformed feerate",
			replies:   map[string]reply{"estimatesmartfee": okReply(`{"feerate":"abc"}`)},
			wantErr:   ErrBadResponse,
			wantCalls: []string{"estimatesmartfee", "estimatesmartfee"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, srv := newFakeServer(t, tt.replies)
			c := clientFor(t, srv)
			for range 2 {
				got, err := c.EstimateFee(context.Background(), 6)
				if !errors.Is(err, tt.wantErr) || got != tt.want {
					t.Fatalf("EstimateFee() = %d, %v; want %d, %v", got, err, tt.want, tt.wantErr)
				}
			}
			var calls []string
			for _, req := range fs.requests() {
				calls = append(calls, req.Method)
				if len(req.Params) != 1 || string(req.Params[0]) != "6" {
					t.Errorf("%s params %s, want [6]", req.Method, req.Params)
				}
			}
			if !equalStrings(calls, tt.wantCalls) {
				t.Fatalf("calls %v, want %v", calls, tt.wantCalls)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	_, srv := newFakeServer(t, map[string]reply{
		"generate":          okReply(`["` + hashA + `","` + hashA + `"]`),
		"generatetoaddress": okReply(`["` + hashA + `"]`),
	})
	c := clientFor(t, srv)
	hashes, err := c.Generate(context.Background(), 2)
	if err != nil || len(hashes) != 2 || hashes[1].String() != hashA {
		t.Fatalf("Generate = %v, %v", hashes, err)
	}
	hashes, err = c.GenerateToAddress(context.Background(), 1, "bcrt1qexample")
	if err != nil || len(hashes) != 1 {
		t.Fatalf("GenerateToAddress = %v, %v", hashes, err)
	}
}

func TestParseBTC(t *testing.T) {
	tests := []struct {
		in      string
		want    lnwire.Satoshi
		wantErr bool
	}{
		{"0", 0, false},
		{"1", 100_000_000, false},
		{"0.00000001", 1, false},
		{"50.00000000", 5_000_000_000, false},
		{"1e-05", 1000, false},
		{"1.5E+2", 15_000_000_000, false},
		{"-1", -100_000_000, false},
		{"0.000000005", 1, false},   // half a satoshi rounds away from zero
		{"0.0000000049", 0, false},  // below half rounds down
		{"-0.000000005", -1, false}, // and away from zero when negative
		{"0.00012345678", 12346, false},
		{"21000000", 2_100_000_000_000_000, false},
		{"", 0, true},
		{"abc", 0, true},
		{"1/2", 0, true},
		{"0x10", 0, true},
		{"1e999999999", 0, true},
		{"1e40", 0, true},
		{"01", 0, true},
		{"1.", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseBTC(json.Number(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseBTC(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrBadAmount) {
			t.Errorf("ParseBTC(%q) error %v is not ErrBadAmount", tt.in, err)
		}
	}
}

func FuzzParseBTC(f *testing.F) {
	for _, seed := range []string{"0.00010000", "1e-05", "-3.5", "21000000.00000000", "1e-40"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sats, err := ParseBTC(json.Number(text))
		if err != nil {
			return
		}
		// Whatever parsed must print and parse back to the same amount.
		back, err := ParseBTC(json.Number(formatBTC(sats)))
		if err != nil || back != sats {
			t.Fatalf("%q -> %d -> %q -> %d, %v", text, sats, formatBTC(sats), back, err)
		}
	})
}

// formatBTC prints satoshis the way bitcoind does: 8 decimals.
func formatBTC(sats lnwire.Satoshi) string {
	sign := ""
	v := int64(sats)
	if v < 0 {
		sign, v = "-", -v
	}
	frac := strconv.FormatInt(v%100_000_000, 10)
	for len(frac) < 8 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(v/100_000_000, 10) + "." + frac
}

func BenchmarkBlockDecode(b *testing.B) {
	block := testBlock()
	for range 200 {
		tx := block.Transactions[0].Copy()
		tx.TxIn[0].SignatureScript = []byte{0x02, 0x01, 0x02}
		_ = block.AddTransaction(tx)
	}
	var buf bytes.Buffer
	if err := block.Serialize(&buf); err != nil {
		b.Fatal(err)
	}
	body := `{"result":"` + hex.EncodeToString(buf.Bytes()) + `","error":null,"id":1}`
	raw := []byte(body)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		var reply response
		if err := json.Unmarshal(raw, &reply); err != nil {
			b.Fatal(err)
		}
		var text string
		if err := json.Unmarshal(reply.Result, &text); err != nil {
			b.Fatal(err)
		}
		blockBytes, err := decodeHex("getblock", text)
		if err != nil {
			b.Fatal(err)
		}
		var got wire.MsgBlock
		if err := decodeExact(blockBytes, got.Deserialize); err != nil {
			b.Fatal(err)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
