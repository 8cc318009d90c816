package wallet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

var errFakeNotFound = errors.New("fake chain: not found")

// fakeChain is an in-memory chain: blocks by height, every block ever
// mined by hash (stale ones too), a mempool, and script checking of every
// broadcast transaction whose inputs it knows.
type fakeChain struct {
	mu        sync.Mutex
	best      []*wire.MsgBlock
	byHash    map[chainhash.Hash]*wire.MsgBlock
	mempool   []*wire.MsgTx
	outputs   map[wire.OutPoint]*wire.TxOut // every output ever created
	nonce     uint32
	estimate  lnwire.FeeratePerKW // 0: no estimate
	refuse    error               // SendRawTransaction fails with it
	broadcast []*wire.MsgTx
}

func newFakeChain(height int) *fakeChain {
	c := &fakeChain{byHash: make(map[chainhash.Hash]*wire.MsgBlock), outputs: make(map[wire.OutPoint]*wire.TxOut)}
	genesis := &wire.MsgBlock{Header: wire.BlockHeader{Version: 1}}
	genesis.AddTransaction(c.coinbase())
	c.best = append(c.best, genesis)
	c.byHash[genesis.BlockHash()] = genesis
	for i := 0; i < height; i++ {
		c.mine()
	}
	return c
}

func (c *fakeChain) coinbase() *wire.MsgTx {
	c.nonce++
	tx := wire.NewMsgTx(2)
	script := binary.BigEndian.AppendUint32([]byte{0x04}, c.nonce)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: script})
	tx.AddTxOut(wire.NewTxOut(50e8, []byte{txscript.OP_TRUE}))
	return tx
}

// mine adds a block with a coinbase, the mempool and extra transactions.
func (c *fakeChain) mine(extra ...*wire.MsgTx) *wire.MsgBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.best[len(c.best)-1].BlockHash()
	b := &wire.MsgBlock{Header: wire.BlockHeader{Version: 1, PrevBlock: prev, Nonce: c.nonce}}
	b.AddTransaction(c.coinbase())
	for _, tx := range append(c.mempool, extra...) {
		b.AddTransaction(tx)
	}
	c.mempool = nil
	for _, tx := range b.Transactions {
		c.index(tx)
	}
	c.best = append(c.best, b)
	c.byHash[b.BlockHash()] = b
	return b
}

func (c *fakeChain) index(tx *wire.MsgTx) {
	for i, out := range tx.TxOut {
		c.outputs[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = out
	}
}

// disconnect removes the top n blocks; their non-coinbase transactions go
// back to the mempool when toMempool, as bitcoind and btcd do.
func (c *fakeChain) disconnect(n int, toMempool bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i < n; i++ {
		b := c.best[len(c.best)-1]
		c.best = c.best[:len(c.best)-1]
		if toMempool {
			c.mempool = append(append([]*wire.MsgTx(nil), b.Transactions[1:]...), c.mempool...)
		}
	}
}

// addMempool puts transactions in the mempool without checks (payments
// from outside the wallet, whose inputs the fake chain does not know).
func (c *fakeChain) addMempool(txs ...*wire.MsgTx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tx := range txs {
		c.index(tx)
		c.mempool = append(c.mempool, tx)
	}
}

func (c *fakeChain) clearMempool() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mempool = nil
}

func (c *fakeChain) BlockCount(context.Context) (lnwire.BlockHeight, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return lnwire.BlockHeight(len(c.best) - 1), nil
}

func (c *fakeChain) BlockHash(_ context.Context, h lnwire.BlockHeight) (chainhash.Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if int(h) >= len(c.best) {
		return chainhash.Hash{}, fmt.Errorf("height %d: %w", h, errFakeNotFound)
	}
	return c.best[h].BlockHash(), nil
}

func (c *fakeChain) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.byHash[hash]
	if !ok {
		return nil, errFakeNotFound
	}
	return b, nil
}

// SendRawTransaction runs the script engine on every input.
func (c *fakeChain) SendRawTransaction(_ context.Context, tx *wire.MsgTx) (chainhash.Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refuse != nil {
		return chainhash.Hash{}, c.refuse
	}
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	for _, in := range tx.TxIn {
		out, ok := c.outputs[in.PreviousOutPoint]
		if !ok {
			return chainhash.Hash{}, fmt.Errorf("missing input %s", in.PreviousOutPoint)
		}
		fetcher.AddPrevOut(in.PreviousOutPoint, out)
	}
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, in := range tx.TxIn {
		out := fetcher.FetchPrevOutput(in.PreviousOutPoint)
		vm, err := txscript.NewEngine(out.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, out.Value, fetcher)
		if err != nil {
			return chainhash.Hash{}, err
		}
		if err := vm.Execute(); err != nil {
			return chainhash.Hash{}, fmt.Errorf("input %d: %w", i, err)
		}
	}
	c.index(tx)
	c.mempool = append(c.mempool, tx)
	c.broadcast = append(c.broadcast, tx)
	return tx.TxHash(), nil
}

func (c *fakeChain) MempoolTxIDs(context.Context) ([]chainhash.Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]chainhash.Hash, len(c.mempool))
	for i, tx := range c.mempool {
		ids[i] = tx.TxHash()
	}
	return ids, nil
}

func (c *fakeChain) RawTransaction(_ context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tx := range c.mempool {
		if tx.TxHash() == txid {
			return tx, nil
		}
	}
	return nil, errFakeNotFound
}

func (c *fakeChain) EstimateFee(context.Context, uint32) (lnwire.FeeratePerKW, error) {
	if c.estimate == 0 {
		return 0, errors.New("no estimate")
	}
	return c.estimate, nil
}

// payment is a transaction from outside paying each script its amount.
func payment(seed byte, outs ...*wire.TxOut) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{0xee, seed}}})
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	return tx
}
