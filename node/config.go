package node

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/peer"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
	"github.com/fulmen-ln/fulmen/wallet"
)

// The interfaces below are what the runtime needs of its neighbours,
// declared here by their user. The production implementations are
// *store.Store, *signer.Signer, *peer.Manager (with *peer.Peer as Conn),
// *chain/bitcoind.Client and *wallet.Wallet.

// Store persists channels: one versioned record per channel.
type Store interface {
	HTLCStore
	NextChannelIndex(ctx context.Context) (uint64, error)
	AddChannel(ctx context.Context, rec *store.ChannelRecord) error
	UpdateChannelState(ctx context.Context, u store.ChannelStateUpdate) (uint64, error)
	SetChannelClosingTx(ctx context.Context, index uint64, rawTx []byte) error
	SetChannelSpentHeight(ctx context.Context, index uint64, height uint32) error
	SetChannelPeerAddress(ctx context.Context, index uint64, address string) error
	Channels(ctx context.Context) ([]store.ChannelRecord, error)
	Var(ctx context.Context, name string) ([]byte, error)
	SetVar(ctx context.Context, name string, value []byte) error
}

// Keys hands out the signer client of a channel.
type Keys interface {
	Channel(index uint64) (*signer.ChannelSigner, error)
}

// Conn is one live connection to a peer; *peer.Peer implements it.
type Conn interface {
	ID() *btcec.PublicKey
	Send(ctx context.Context, msg lnwire.Message) error
	Done() <-chan struct{}
	Disconnect()
	RemoteFeatures() lnwire.FeatureVector
}

var _ Conn = (*peer.Peer)(nil)

// ManagerPeers adapts a *peer.Manager to Peers.
type ManagerPeers struct{ *peer.Manager }

// Conn returns the live connection to id.
func (m ManagerPeers) Conn(id *btcec.PublicKey) (Conn, bool) {
	p, ok := m.Handle(id)
	if !ok {
		return nil, false
	}
	return p, true
}

// Peers is the peer manager: live connections and reconnection.
// ManagerPeers adapts *peer.Manager.
type Peers interface {
	// Conn returns the live connection to the node, if any.
	Conn(id *btcec.PublicKey) (Conn, bool)
	// Peer describes the node's connection (NetAddr for its address).
	Peer(id *btcec.PublicKey) (peer.Info, bool)
	// SetPersistent keeps the node connected, dialling address.
	SetPersistent(id *btcec.PublicKey, address string, persistent bool) error
}

// Chain is the block source the runtime follows for funding confirmations
// and funding spends, and where it broadcasts.
type Chain interface {
	chain.BlockSource
	chain.Broadcaster
}

// Wallet builds and publishes funding transactions and gives addresses
// for our side of mutual closes.
type Wallet interface {
	PrepareSpend(ctx context.Context, req wallet.SpendRequest) (*wallet.Spend, error)
	Publish(ctx context.Context, s *wallet.Spend) (chainhash.Hash, error)
	Release(ctx context.Context, s *wallet.Spend) error
	NewAddress(ctx context.Context, kind signer.AddressKind) (btcutil.Address, error)
}

// PaymentEvents receives what the channels report to the payment layer:
// HTLCs offered to us and irrevocably committed, and the outcome of HTLCs
// we offered. Calls come from channel goroutines and must not block.
type PaymentEvents interface {
	HTLCAccepted(channelID lnwire.ChannelID, ev channel.HTLCAccepted)
	HTLCSettled(channelID lnwire.ChannelID, ev channel.HTLCSettled)
	HTLCFailed(channelID lnwire.ChannelID, ev channel.HTLCFailed)
}

// Defaults of Config.
const (
	DefaultChainPoll         = time.Second
	DefaultOpenTimeout       = time.Minute
	DefaultFeeBaseMsat       = 1000
	DefaultFeeProportional   = 10
	DefaultUnilateralTimeout = 48 * time.Hour
)

// Config builds a Channels runtime.
type Config struct {
	Store  Store
	Keys   Keys
	Chain  Chain
	Wallet Wallet
	// NodeID is our node key (for channel announcements and logs).
	NodeID *btcec.PublicKey
	// ChainHash is the genesis hash of our chain (open_channel's
	// chain_hash).
	ChainHash lnwire.ChainHash
	// Policy is the channel policy passed with every Step.
	Policy channel.Policy
	// Funding is the establishment policy: the parameters we announce and
	// what we accept of a peer's open_channel (minimum channel size, most
	// pending channels per peer, minimum_depth we ask...). It replaces the
	// peer package's ChannelRefuser.
	Funding funding.Config
	// OpenTimeout bounds a negotiation we start (fundchannel).
	OpenTimeout time.Duration
	// Rand draws temporary channel ids; crypto/rand when nil.
	Rand io.Reader
	// Routing is what we charge and require to forward;
	// DefaultRoutingPolicy when nil.
	Routing *RoutingPolicy
	// ChainPoll is how often the chain tip is polled; Wake triggers a poll
	// at once.
	ChainPoll time.Duration
	Wake      <-chan struct{}
	// NodeKey peels the onions of HTLCs paid to us (signer.NodeECDH), and
	// Invoices are what they pay. Without them incoming HTLCs are failed.
	NodeKey  onion.ECDH
	Invoices Invoices
	// Payments, when set, receives the HTLC events instead of the built-in
	// handling (tests, and a later forwarding layer); outgoing payment
	// results are tracked either way.
	Payments PaymentEvents
	// Fees, when set, is what the channels we opened follow with
	// update_fee at every block; without it their feerate stays.
	Fees   FeeEstimator
	Logger *slog.Logger
}

// RoutingPolicy is what we charge and require to forward an HTLC: what a
// BOLT #7 channel_update of ours announces (fee_base_msat,
// fee_proportional_millionths, cltv_expiry_delta).
type RoutingPolicy struct {
	FeeBase         lnwire.MilliSatoshi
	FeeProportional uint32
	CLTVExpiryDelta uint16
}

// DefaultRoutingPolicy is Core Lightning's: 1000 msat + 10 millionths,
// 34 blocks.
func DefaultRoutingPolicy() RoutingPolicy {
	return RoutingPolicy{FeeBase: DefaultFeeBaseMsat, FeeProportional: DefaultFeeProportional, CLTVExpiryDelta: DefaultCLTVExpiryDelta}
}

// Routing returns the forwarding policy in force.
func (rt *Channels) Routing() RoutingPolicy { return *rt.cfg.Routing }

// Validate reports a missing dependency or a nonsensical setting.
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("node: no store")
	case c.Keys == nil:
		return errors.New("node: no keys")
	case c.Chain == nil:
		return errors.New("node: no chain")
	case c.NodeID == nil:
		return errors.New("node: no node id")
	case c.ChainHash == (lnwire.ChainHash{}):
		return errors.New("node: no chain hash")
	}
	if err := c.Funding.Validate(); err != nil {
		return err
	}
	if c.Funding.ChainHash != c.ChainHash {
		return errors.New("node: funding config is for another chain")
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Policy.MaxFeerate == 0 {
		c.Policy = channel.DefaultPolicy()
	}
	if c.OpenTimeout == 0 {
		c.OpenTimeout = DefaultOpenTimeout
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Routing == nil {
		r := DefaultRoutingPolicy()
		c.Routing = &r
	}
	if c.ChainPoll == 0 {
		c.ChainPoll = DefaultChainPoll
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// broadcast publishes a transaction, treating "already known" as success.
func (c *Config) broadcast(ctx context.Context, tx *wire.MsgTx) error {
	_, err := c.Chain.SendRawTransaction(ctx, tx)
	if errors.Is(err, chain.ErrTxAlreadyKnown) {
		return nil
	}
	return err
}
