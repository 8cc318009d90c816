package chain

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Errors shared by every backend. Backends wrap them with %w, so callers
// test them with errors.Is whatever backend is behind the interface.
var (
	// ErrNotFound: the block, header, height or transaction asked for is
	// unknown to the backend (or the height is above its tip).
	ErrNotFound = errors.New("chain: not found")

	// ErrNoEstimate: the backend has no fee estimate (not enough data, as
	// on a fresh regtest chain, or no estimator at all). Callers use their
	// configured fallback feerate.
	ErrNoEstimate = errors.New("chain: no fee estimate")

	// ErrTxAlreadyKnown: the transaction being broadcast is already in
	// the mempool or the chain. Rebroadcasting callers treat it as success.
	ErrTxAlreadyKnown = errors.New("chain: transaction already known")

	// ErrTxMissingInputs: an input of the transaction is unknown or
	// already spent in the chain.
	ErrTxMissingInputs = errors.New("chain: transaction inputs missing or spent")

	// ErrTxRejected: the transaction was refused by mempool policy or
	// consensus rules (bad signature, fee too low, mempool conflict...).
	ErrTxRejected = errors.New("chain: transaction rejected")
)

// BlockRef names one block of a chain: its height and hash.
type BlockRef struct {
	Height lnwire.BlockHeight
	Hash   chainhash.Hash
}

// String formats the reference as "height:hash".
func (r BlockRef) String() string { return fmt.Sprintf("%d:%s", r.Height, r.Hash) }

// BlockSource gives read access to the backend's best chain and to any
// block or header it knows by hash (including stale ones).
type BlockSource interface {
	// BlockCount returns the height of the best chain's tip.
	BlockCount(ctx context.Context) (lnwire.BlockHeight, error)
	// BlockHash returns the hash of the best chain's block at height; an
	// error wrapping ErrNotFound when height is above the tip.
	BlockHash(ctx context.Context, height lnwire.BlockHeight) (chainhash.Hash, error)
	// BlockHeader returns the header of a known block, stale or not.
	BlockHeader(ctx context.Context, hash chainhash.Hash) (*wire.BlockHeader, error)
	// Block returns a full known block.
	Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error)
}

// FeeEstimator estimates the feerate needed to confirm within confTarget
// blocks. It returns an error wrapping ErrNoEstimate when the backend has
// no estimate.
type FeeEstimator interface {
	EstimateFee(ctx context.Context, confTarget uint32) (lnwire.FeeratePerKW, error)
}

// Broadcaster hands a signed transaction to the network and returns its
// txid. Errors wrap ErrTxAlreadyKnown, ErrTxMissingInputs or ErrTxRejected
// when the backend said so.
type Broadcaster interface {
	SendRawTransaction(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error)
}

// UnspentOutput is an output of the backend's UTXO set (or mempool).
type UnspentOutput struct {
	Value         lnwire.Satoshi
	PkScript      []byte
	Confirmations int64 // 0 when only in the mempool
	Coinbase      bool
	BestBlock     chainhash.Hash // tip the answer refers to
}

// UnspentLookup answers whether an outpoint is unspent. found is false
// when the output is spent or was never created.
type UnspentLookup interface {
	TxOut(ctx context.Context, outpoint wire.OutPoint, includeMempool bool) (out UnspentOutput, found bool, err error)
}

// Backend is everything a node needs from a full-node backend.
type Backend interface {
	BlockSource
	FeeEstimator
	Broadcaster
	UnspentLookup
	RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error)
}
