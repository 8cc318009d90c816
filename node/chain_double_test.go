package node

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// fakeChain is an in-memory block chain: transactions broadcast go to a
// mempool, Mine puts them in blocks. Every input must spend an unspent
// output it knows (Inject adds the test's coins unchecked) and is checked
// with the script engine, so a close with a bad witness, or a second close
// of the same channel, is refused.
type fakeChain struct {
	mu      sync.Mutex
	blocks  []*wire.MsgBlock
	mempool []*wire.MsgTx
	utxos   map[wire.OutPoint]*wire.TxOut
	known   map[chainhash.Hash]bool
	// onBroadcast, when set, sees every transaction broadcast.
	onBroadcast func(tx *wire.MsgTx)
}

func newFakeChain(height int) *fakeChain {
	c := &fakeChain{utxos: make(map[wire.OutPoint]*wire.TxOut), known: make(map[chainhash.Hash]bool)}
	for range height + 1 {
		c.mineLocked()
	}
	return c
}

func (c *fakeChain) mineLocked() {
	height := uint32(len(c.blocks))
	var prev chainhash.Hash
	if height > 0 {
		prev = c.blocks[height-1].BlockHash()
	}
	coinbase := wire.NewMsgTx(2)
	coinbase.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript: binary.BigEndian.AppendUint32([]byte{4}, height)})
	coinbase.AddTxOut(wire.NewTxOut(0, []byte{txscript.OP_RETURN}))
	block := &wire.MsgBlock{Header: wire.BlockHeader{Version: 4, PrevBlock: prev,
		Timestamp: time.Unix(1_600_000_000+int64(height)*600, 0), Nonce: height}}
	block.AddTransaction(coinbase)
	for _, tx := range c.mempool {
		block.AddTransaction(tx)
	}
	c.mempool = nil
	c.blocks = append(c.blocks, block)
}

// Mine adds n blocks, the first with every mempool transaction.
func (c *fakeChain) Mine(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range n {
		c.mineLocked()
	}
}

// Inject puts a transaction straight into the mempool, unchecked.
func (c *fakeChain) Inject(tx *wire.MsgTx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accept(tx)
}

func (c *fakeChain) accept(tx *wire.MsgTx) {
	txid := tx.TxHash()
	c.known[txid] = true
	for _, in := range tx.TxIn {
		delete(c.utxos, in.PreviousOutPoint)
	}
	for i, out := range tx.TxOut {
		c.utxos[wire.OutPoint{Hash: txid, Index: uint32(i)}] = out
	}
	c.mempool = append(c.mempool, tx)
}

// Height is the tip's height.
func (c *fakeChain) Height() lnwire.BlockHeight {
	c.mu.Lock()
	defer c.mu.Unlock()
	return lnwire.BlockHeight(len(c.blocks) - 1)
}

// Confirmed reports whether a transaction is in a block.
func (c *fakeChain) Confirmed(txid chainhash.Hash) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.blocks {
		for _, tx := range b.Transactions {
			if tx.TxHash() == txid {
				return true
			}
		}
	}
	return false
}

func (c *fakeChain) BlockCount(context.Context) (lnwire.BlockHeight, error) {
	return c.Height(), nil
}

func (c *fakeChain) BlockHash(_ context.Context, height lnwire.BlockHeight) (chainhash.Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if int(height) >= len(c.blocks) {
		return chainhash.Hash{}, fmt.Errorf("%w: height %d", chain.ErrNotFound, height)
	}
	return c.blocks[height].BlockHash(), nil
}

func (c *fakeChain) find(hash chainhash.Hash) (*wire.MsgBlock, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.blocks {
		if b.BlockHash() == hash {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: block %s", chain.ErrNotFound, hash)
}

func (c *fakeChain) BlockHeader(_ context.Context, hash chainhash.Hash) (*wire.BlockHeader, error) {
	b, err := c.find(hash)
	if err != nil {
		return nil, err
	}
	h := b.Header
	return &h, nil
}

func (c *fakeChain) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	return c.find(hash)
}

// SendRawTransaction checks the inputs it knows and adds the transaction
// to the mempool.
func (c *fakeChain) SendRawTransaction(_ context.Context, tx *wire.MsgTx) (chainhash.Hash, error) {
	c.mu.Lock()
	hook := c.onBroadcast
	c.mu.Unlock()
	if hook != nil {
		hook(tx)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	txid := tx.TxHash()
	if c.known[txid] {
		return txid, chain.ErrTxAlreadyKnown
	}
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	for _, in := range tx.TxIn {
		out, ok := c.utxos[in.PreviousOutPoint]
		if !ok {
			// Unknown or already spent (a conflicting close).
			return txid, fmt.Errorf("%w: input %s unknown or spent", chain.ErrTxMissingInputs, in.PreviousOutPoint)
		}
		fetcher.AddPrevOut(in.PreviousOutPoint, out)
	}
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, in := range tx.TxIn {
		out := fetcher.FetchPrevOutput(in.PreviousOutPoint)
		if out == nil {
			continue
		}
		engine, err := txscript.NewEngine(out.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, out.Value, fetcher)
		if err == nil {
			err = engine.Execute()
		}
		if err != nil {
			return txid, fmt.Errorf("%w: input %d: %v", chain.ErrTxRejected, i, err)
		}
	}
	c.accept(tx)
	return txid, nil
}
