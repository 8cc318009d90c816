package wallet

import (
	"context"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
)

// The interfaces below are what the wallet needs of its neighbours. Their
// method sets match package chain's BlockSource, FeeEstimator and
// Broadcaster (and Backend's RawTransaction), so a chain/bitcoind client
// satisfies them as it is; only the mempool listing is the wallet's own.

// BlockSource reads the best chain.
type BlockSource interface {
	// BlockCount returns the height of the best chain's tip.
	BlockCount(ctx context.Context) (lnwire.BlockHeight, error)
	// BlockHash returns the hash of the best chain's block at height.
	BlockHash(ctx context.Context, height lnwire.BlockHeight) (chainhash.Hash, error)
	// Block returns a full block.
	Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error)
}

// Broadcaster hands a signed transaction to the network.
type Broadcaster interface {
	SendRawTransaction(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error)
}

// FeeEstimator estimates the feerate to confirm within confTarget blocks;
// any error means "no estimate" and the wallet uses its fallback.
type FeeEstimator interface {
	EstimateFee(ctx context.Context, confTarget uint32) (lnwire.FeeratePerKW, error)
}

// Mempool lists the backend's unconfirmed transactions.
type Mempool interface {
	// MempoolTxIDs lists the txids in the mempool (getrawmempool).
	MempoolTxIDs(ctx context.Context) ([]chainhash.Hash, error)
	// RawTransaction fetches a transaction by txid (getrawtransaction).
	RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error)
}

// Chain is the backend the wallet follows and broadcasts through.
type Chain interface {
	BlockSource
	Broadcaster
}

// Keys derives the wallet's addresses and signs its inputs; the signer's
// *signer.WalletSigner is the implementation. Private keys stay there.
type Keys interface {
	Address(path signer.KeyPath) (btcutil.Address, []byte, error)
	SignInputs(tx *wire.MsgTx, inputs []signer.WalletInput, prevOuts txscript.PrevOutputFetcher) error
}

var _ Keys = (*signer.WalletSigner)(nil)
