package wallet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
)

// DefaultGap is how many unused keys the wallet derives and watches ahead
// of the last used or handed-out key on each branch (BIP 44's gap limit).
const DefaultGap = 20

// DefaultReserveBlocks is how long a reservation lasts when the caller
// gives none: 72 blocks, as Core Lightning's reserveinputs.
const DefaultReserveBlocks = 72

// Config builds a Wallet.
type Config struct {
	Store  *store.Store
	Keys   Keys
	Chain  Chain
	Params *chaincfg.Params
	// Mempool, when set, lets the wallet see unconfirmed payments to it;
	// without it only its own broadcasts are known before they confirm.
	Mempool Mempool
	// Fees estimates feerates; FallbackFeerate (the fallback-feerate
	// option) is used when it is nil or has no estimate, as on regtest.
	Fees            FeeEstimator
	FallbackFeerate lnwire.FeeratePerKW
	// ForceFeerates, when set, replaces every estimate (Core Lightning's
	// force-feerates): see forcedFeerate.
	ForceFeerates []lnwire.FeeratePerKW
	Gap           uint32             // DefaultGap when 0
	ChangeKind    signer.AddressKind // kind of change outputs; P2TR when 0
	Log           *slog.Logger
}

// Validate checks the configuration.
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("wallet: no store")
	case c.Keys == nil:
		return errors.New("wallet: no keys")
	case c.Chain == nil:
		return errors.New("wallet: no chain")
	case c.Params == nil:
		return errors.New("wallet: no chain parameters")
	}
	return nil
}

// branches are the four key chains the wallet watches.
var branches = []store.WalletBranch{
	{Kind: uint8(signer.P2WPKH)}, {Kind: uint8(signer.P2WPKH), Change: true},
	{Kind: uint8(signer.P2TR)}, {Kind: uint8(signer.P2TR), Change: true},
}

// Wallet is the node's on-chain wallet. It is safe for concurrent use.
type Wallet struct {
	cfg    Config
	syncMu sync.Mutex // one Sync at a time

	mu      sync.Mutex
	scripts map[string]signer.KeyPath     // watched output scripts
	derived map[store.WalletBranch]uint32 // keys derived per branch
	handed  map[store.WalletBranch]uint32 // next index newaddr hands out
	used    map[store.WalletBranch]uint32 // highest index seen paid, plus one
	ours    map[wire.OutPoint]struct{}    // every wallet output ever seen
	seen    map[chainhash.Hash]struct{}   // mempool txids found irrelevant
	tip     lnwire.BlockHeight            // last processed block
	tipHash chainhash.Hash                //
	birth   lnwire.BlockHeight            //
}

// Open loads the wallet from the store, creating it at the chain's
// current tip (its birth height) the first time.
func Open(ctx context.Context, cfg Config) (*Wallet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Gap == 0 {
		cfg.Gap = DefaultGap
	}
	if cfg.ChangeKind == 0 {
		cfg.ChangeKind = signer.P2TR
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	w := &Wallet{cfg: cfg, scripts: make(map[string]signer.KeyPath), derived: make(map[store.WalletBranch]uint32),
		used: make(map[store.WalletBranch]uint32), ours: make(map[wire.OutPoint]struct{}),
		seen: make(map[chainhash.Hash]struct{})}
	birth, ok, err := cfg.Store.WalletBirth(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		height, err := cfg.Chain.BlockCount(ctx)
		if err != nil {
			return nil, fmt.Errorf("wallet: reading the chain tip: %w", err)
		}
		hash, err := cfg.Chain.BlockHash(ctx, height)
		if err != nil {
			return nil, fmt.Errorf("wallet: reading the chain tip: %w", err)
		}
		if err := cfg.Store.InitWallet(ctx, uint32(height), hash); err != nil {
			return nil, err
		}
		birth = uint32(height)
		cfg.Log.Info("created on-chain wallet", "birth_height", birth)
	}
	w.birth = lnwire.BlockHeight(birth)
	height, hash, err := cfg.Store.WalletTip(ctx)
	if err != nil {
		return nil, err
	}
	w.tip, w.tipHash = lnwire.BlockHeight(height), hash
	if w.handed, err = cfg.Store.WalletKeyIndexes(ctx); err != nil {
		return nil, err
	}
	utxos, err := cfg.Store.WalletUTXOs(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, u := range utxos {
		w.ours[wire.OutPoint{Hash: u.TxID, Index: u.Vout}] = struct{}{}
		w.used[u.Key.WalletBranch] = max(w.used[u.Key.WalletBranch], u.Key.Index+1)
	}
	for _, b := range branches {
		if err := w.ensureDerived(b); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// ensureDerived derives keys up to Gap past the last used or handed-out
// index of the branch. Callers hold mu (or own w exclusively).
func (w *Wallet) ensureDerived(b store.WalletBranch) error {
	target := max(w.handed[b], w.used[b]) + w.cfg.Gap
	for i := w.derived[b]; i < target; i++ {
		path := signer.KeyPath{Kind: signer.AddressKind(b.Kind), Change: b.Change, Index: i}
		_, script, err := w.cfg.Keys.Address(path)
		if err != nil {
			return fmt.Errorf("wallet: deriving %v: %w", path, err)
		}
		w.scripts[string(script)] = path
		w.derived[b] = i + 1
	}
	return nil
}

// Birth is the height the wallet was created at.
func (w *Wallet) Birth() lnwire.BlockHeight { return w.birth }

// Tip is the last block the wallet processed.
func (w *Wallet) Tip() lnwire.BlockHeight {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tip
}

// NewAddress hands out the next unused receive address of the kind.
func (w *Wallet) NewAddress(ctx context.Context, kind signer.AddressKind) (btcutil.Address, error) {
	if kind != signer.P2WPKH && kind != signer.P2TR {
		return nil, fmt.Errorf("wallet: unknown address kind %v", kind)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	b := store.WalletBranch{Kind: uint8(kind)}
	index, err := w.cfg.Store.WalletNextKeyIndex(ctx, b)
	if err != nil {
		return nil, err
	}
	w.handed[b] = index + 1
	if err := w.ensureDerived(b); err != nil {
		return nil, err
	}
	addr, _, err := w.cfg.Keys.Address(signer.KeyPath{Kind: kind, Index: index})
	return addr, err
}

// OutputStatus is Core Lightning's listfunds status.
type OutputStatus string

// Output statuses.
const (
	StatusUnconfirmed OutputStatus = "unconfirmed"
	StatusConfirmed   OutputStatus = "confirmed"
	StatusSpent       OutputStatus = "spent"
	StatusImmature    OutputStatus = "immature"
)

// coinbaseMaturity is the consensus depth before a coinbase output can be
// spent.
const coinbaseMaturity = 100

// Output is one wallet output as listfunds shows it.
type Output struct {
	OutPoint        wire.OutPoint
	Amount          lnwire.Satoshi
	PkScript        []byte
	Address         string
	Status          OutputStatus
	BlockHeight     lnwire.BlockHeight // 0 while unconfirmed
	Reserved        bool
	ReservedToBlock lnwire.BlockHeight // set when Reserved
	Path            signer.KeyPath
}

func (w *Wallet) toOutput(u store.WalletUTXO) Output {
	o := Output{
		OutPoint: wire.OutPoint{Hash: u.TxID, Index: u.Vout},
		Amount:   lnwire.Satoshi(u.AmountSat),
		PkScript: u.PkScript,
		Status:   StatusUnconfirmed,
		Path:     signer.KeyPath{Kind: signer.AddressKind(u.Key.Kind), Change: u.Key.Change, Index: u.Key.Index},
	}
	if addr, _, err := w.cfg.Keys.Address(o.Path); err == nil {
		o.Address = addr.EncodeAddress()
	}
	if u.BlockHeight != nil {
		o.BlockHeight = lnwire.BlockHeight(*u.BlockHeight)
		o.Status = StatusConfirmed
		if u.Coinbase && w.confirmations(o.BlockHeight) < coinbaseMaturity {
			o.Status = StatusImmature
		}
	}
	if u.SpendTxID != nil {
		o.Status = StatusSpent
	} else if lnwire.BlockHeight(u.ReservedTil) > w.tip {
		o.Reserved, o.ReservedToBlock = true, lnwire.BlockHeight(u.ReservedTil)
	}
	return o
}

// confirmations of an output confirmed at height; callers hold mu.
func (w *Wallet) confirmations(height lnwire.BlockHeight) uint32 {
	if height == 0 || height > w.tip {
		return 0
	}
	return uint32(w.tip-height) + 1
}

// Outputs lists the wallet's outputs; spent ones only with includeSpent.
func (w *Wallet) Outputs(ctx context.Context, includeSpent bool) ([]Output, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	utxos, err := w.cfg.Store.WalletUTXOs(ctx, includeSpent)
	if err != nil {
		return nil, err
	}
	out := make([]Output, 0, len(utxos))
	for _, u := range utxos {
		out = append(out, w.toOutput(u))
	}
	return out, nil
}

// Transaction is a transaction that paid or spent the wallet.
type Transaction struct {
	Tx          *wire.MsgTx
	BlockHeight lnwire.BlockHeight // 0 while unconfirmed
	TxIndex     uint32
}

// Transactions lists the wallet's transactions, confirmed ones first in
// chain order.
func (w *Wallet) Transactions(ctx context.Context) ([]Transaction, error) {
	records, err := w.cfg.Store.WalletTransactions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Transaction, 0, len(records))
	for _, r := range records {
		tx, err := decodeTx(r.Raw)
		if err != nil {
			return nil, fmt.Errorf("wallet: stored transaction %x: %w", r.TxID, err)
		}
		t := Transaction{Tx: tx, TxIndex: r.TxIndex}
		if r.BlockHeight != nil {
			t.BlockHeight = lnwire.BlockHeight(*r.BlockHeight)
		}
		out = append(out, t)
	}
	return out, nil
}

// Run syncs the wallet with the chain every interval until ctx ends.
func (w *Wallet) Run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	failing := false
	for {
		if err := w.Sync(ctx); err != nil {
			if !failing && ctx.Err() == nil {
				w.cfg.Log.Warn("wallet sync failed", "err", err)
			}
			failing = true
		} else {
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
