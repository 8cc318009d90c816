package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/btcsuite/btcd/chaincfg"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/invoices"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/peer"
	"github.com/fulmen-ln/fulmen/rpc"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
	"github.com/fulmen-ln/fulmen/wallet"
)

// RPCFileName is the JSON-RPC socket in the network directory, as in Core
// Lightning.
const RPCFileName = "lightning-rpc"

// Daemon is a running node.
type Daemon struct {
	cfg      Config
	log      *slog.Logger
	signer   *signer.Signer
	store    *store.Store
	chain    chainBackend
	invoices *invoices.Registry
	wallet   *wallet.Wallet
	peers    *peer.Manager
	channels *node.Channels // the channel runtime (rpc_channels.go)
	bound    []Address      // where we accept peers, for getinfo's binding
	rpc      *rpc.Server

	tipHeight atomic.Uint32
	// channelsWake tells the channel runtime the tip moved (followTip is
	// the one poller of the tip; the runtime's own poll is a safety net).
	channelsWake chan struct{}

	stopOnce sync.Once
	stopped  chan struct{} // closed when `stop` is called
	wg       sync.WaitGroup
	cancel   context.CancelFunc
	lock     *dirLock
}

// Run starts the daemon, serves until ctx is cancelled or `stop` is
// called, then shuts down.
func Run(ctx context.Context, cfg Config) error {
	d, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-d.stopped:
	}
	d.Shutdown()
	return nil
}

// Start brings the daemon up. On error everything started so far is torn
// down again.
func Start(ctx context.Context, cfg Config) (_ *Daemon, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	d := &Daemon{cfg: cfg, log: cfg.Log, stopped: make(chan struct{}), channelsWake: make(chan struct{}, 1)}
	defer func() {
		if err != nil {
			d.Shutdown()
		}
	}()

	if err := os.MkdirAll(cfg.NetworkDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", cfg.NetworkDir, err)
	}
	if d.lock, err = lockPIDFile(cfg.PIDFile); err != nil {
		return nil, err
	}

	secret, created, err := signer.LoadOrCreateSecret(cfg.NetworkDir, cfg.Rand)
	if err != nil {
		return nil, err
	}
	if d.signer, err = signer.New(secret); err != nil {
		return nil, err
	}
	if created {
		d.log.Info("created new hsm_secret", "dir", cfg.NetworkDir)
	}
	d.log.Info("node identity", "id", d.hexID())

	if d.store, err = store.OpenSQLite(ctx, filepath.Join(cfg.NetworkDir, store.DefaultFileName)); err != nil {
		return nil, err
	}

	d.invoices = invoices.New(invoices.Config{
		Store:    d.store,
		Signer:   d.signer.InvoiceSigner(),
		Currency: invoiceCurrency(cfg.Network),
		Now:      time.Now,
		Rand:     cfg.Rand,
		Log:      d.log.With("subsystem", "invoices"),
	})

	if d.chain, err = newChainBackend(cfg.Bitcoin); err != nil {
		return nil, err
	}
	height, err := d.waitForBackend(ctx)
	if err != nil {
		return nil, err
	}
	d.tipHeight.Store(height)

	runCtx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.followTip(runCtx)
	}()
	if err := d.startWallet(ctx, runCtx); err != nil {
		return nil, err
	}

	if err := d.newChannels(); err != nil {
		return nil, err
	}
	if err := d.startPeers(); err != nil {
		return nil, err
	}
	if err := d.startChannels(ctx); err != nil {
		return nil, err
	}

	d.rpc = rpc.NewServer(d.methods(), d.log.With("subsystem", "rpc"))
	if err := d.rpc.ListenUnix(filepath.Join(cfg.NetworkDir, RPCFileName)); err != nil {
		return nil, err
	}
	d.log.Info("fulmend started", "version", Version, "network", cfg.Network, "blockheight", height)
	return d, nil
}

// requestStop is what the `stop` RPC does.
func (d *Daemon) requestStop() { d.stopOnce.Do(func() { close(d.stopped) }) }

// Shutdown stops everything in reverse order of start. It is safe to call
// on a partly started daemon.
func (d *Daemon) Shutdown() {
	if d.rpc != nil {
		d.rpc.Close()
		os.Remove(filepath.Join(d.cfg.NetworkDir, RPCFileName))
	}
	if d.peers != nil {
		d.peers.Close()
	}
	if d.channels != nil {
		d.channels.Stop()
	}
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			d.log.Error("closing store", "err", err)
		}
	}
	if d.lock != nil {
		d.lock.release()
	}
	d.log.Info("fulmend stopped")
}

// errBackend marks start-up failures caused by the chain backend.
var errBackend = errors.New("bitcoin backend")

// invoiceCurrency is the BOLT 11 prefix of the network.
func invoiceCurrency(n config.Network) bolt11.Currency {
	switch n {
	case config.Testnet:
		return "tb"
	case config.Signet:
		return "tbs"
	case config.Regtest:
		return "bcrt"
	}
	return "bc"
}

// chainParams are the network's address and chain parameters.
func (d *Daemon) chainParams() *chaincfg.Params { return d.cfg.Network.Params() }

// startPeers builds the peer manager and listens on the configured
// addresses.
func (d *Daemon) startPeers() error {
	cfg := peer.DefaultConfig()
	cfg.Key = d.signer.NodeECDH()
	cfg.Chain = lnwire.ChainHash(*d.chainParams().GenesisHash)
	cfg.Logger = d.log.With("subsystem", "peer")
	// The channel runtime answers channel messages (instead of
	// peer.ChannelRefuser), follows connections, and keeps disconnect
	// from dropping a peer with channels.
	cfg.Features = peerFeatures()
	cfg.Handler = d.channels
	cfg.Events = d.channels
	cfg.HasActiveChannels = d.channels.HasActiveChannels
	var err error
	if d.peers, err = peer.NewManager(cfg); err != nil {
		return err
	}
	for _, addr := range d.cfg.Listen {
		if addr.Kind == config.AddressUnix {
			removeStaleSocket(addr.Host)
		}
		network, address := addr.ListenAddress()
		bound, err := d.peers.Listen(context.Background(), network, address)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", addr, err)
		}
		d.bound = append(d.bound, addressOf(bound.String()))
		d.log.Info("listening for peers", "address", bound.String())
	}
	return nil
}

// removeStaleSocket deletes a Unix socket file that nothing listens on any
// more (left by a crash), so that we can listen there again. A live socket
// is left alone: Listen then fails with "address already in use".
func removeStaleSocket(path string) {
	info, err := os.Lstat(path)
	if err != nil || info.Mode()&os.ModeSocket == 0 {
		return
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		os.Remove(path)
	}
}
