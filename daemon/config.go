package daemon

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Version is fulmend's version, reported by getinfo.
const Version = "v0.1.0"

// Config is everything the daemon needs, resolved from the options by
// cmd/fulmend.
type Config struct {
	Network      config.Network // bitcoin, testnet, signet, regtest
	LightningDir string
	NetworkDir   string // usually LightningDir/Network
	PIDFile      string // default NetworkDir/../fulmend-<network>.pid

	Alias string   // empty: derived from the node id
	Color *[3]byte // nil: derived from the node id
	// Listen are the addresses to accept peers on; Announce the ones
	// advertised in node_announcement and getinfo.
	Listen   []config.Address
	Announce []config.Address

	Bitcoin BitcoinRPC
	// FallbackFeerate is used when the backend gives no fee estimate
	// (fallback-feerate); 0 means none.
	FallbackFeerate lnwire.FeeratePerKW
	// ForceFeerates overrides the estimates (force-feerates).
	ForceFeerates []lnwire.FeeratePerKW
	// FeeBase, FeePerSatoshi and CLTVDelta are the forwarding policy
	// (fee-base, fee-per-satoshi, cltv-delta).
	FeeBase       lnwire.MilliSatoshi
	FeePerSatoshi uint32
	CLTVDelta     uint16

	// BackendRetryTimeout bounds how long start-up waits for the chain
	// backend (Core Lightning's bitcoin-retry-timeout).
	BackendRetryTimeout time.Duration
	// TipPollInterval is how often the chain tip is polled.
	TipPollInterval time.Duration

	Log  *slog.Logger
	Rand io.Reader // source of hsm_secret; crypto/rand when nil
}

// BitcoinRPC locates the bitcoind-compatible backend.
type BitcoinRPC struct {
	Host     string // host:port
	User     string
	Password string
	CertFile string // CA certificate for a TLS backend (btcd); empty: plain HTTP
}

// withDefaults fills unset fields.
func (c Config) withDefaults() Config {
	if c.NetworkDir == "" {
		c.NetworkDir = filepath.Join(c.LightningDir, string(c.Network))
	}
	if c.PIDFile == "" {
		c.PIDFile = filepath.Join(c.LightningDir, "fulmend-"+string(c.Network)+".pid")
	}
	if c.BackendRetryTimeout == 0 {
		c.BackendRetryTimeout = 60 * time.Second
	}
	if c.TipPollInterval == 0 {
		c.TipPollInterval = time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return c
}

// Validate checks the configuration before anything is touched on disk.
func (c Config) Validate() error {
	switch {
	case c.Network == "":
		return errors.New("network is not set")
	case c.LightningDir == "":
		return errors.New("lightning-dir is not set")
	case c.Bitcoin.Host == "":
		return errors.New("bitcoin-rpcconnect is not set")
	}
	return nil
}
