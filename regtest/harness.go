package regtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"

	"github.com/fulmen-ln/fulmen/chain/bitcoind"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// SegwitHeight is the height at which segwit is active on btcd's regtest
// (three 144-block BIP 9 windows: started, locked in, active).
const SegwitHeight = 432

// SetupHeight is the height a harness mines to before New returns: segwit
// active, and the coinbases of the first SegwitHeight blocks mature.
const SetupHeight = SegwitHeight + CoinbaseMaturity

// CoinbaseMaturity is regtest's coinbase maturity in blocks.
const CoinbaseMaturity = 100

// Params are the chain parameters of btcd's regtest.
var Params = &chaincfg.RegressionNetParams

// Options configure New. The zero value runs the pinned btcd (installing
// it if missing) with TLS on its RPC server, in a fresh temporary directory.
type Options struct {
	// NoTLS serves plain HTTP RPC (btcd --notls, allowed on loopback).
	NoTLS bool
	// BtcdPath runs this btcd instead of installing the pinned one.
	BtcdPath string
	// CacheDir is where the pinned btcd is installed; CacheDir() when empty.
	CacheDir string
	// Dir holds btcd's data, logs and certificate; a new temporary
	// directory, removed by Close, when empty.
	Dir string
	// MiningKey receives every coinbase; a fresh random key when nil.
	MiningKey *btcec.PrivateKey
	// SkipSetup leaves the chain at the genesis block instead of mining
	// to SetupHeight (Fund then needs mature coinbases mined first).
	SkipSetup bool
	// FundFeerate is the feerate of Fund's transactions; 2500 sat/kw
	// (10 sat/vB) when zero.
	FundFeerate lnwire.FeeratePerKW
	// ExtraArgs are appended to btcd's command line.
	ExtraArgs []string
	// Logger receives the harness's progress; discarded when nil.
	Logger *slog.Logger
	// ReadyTimeout bounds the wait for btcd's RPC server; 60s when zero.
	ReadyTimeout time.Duration
}

// RPCConfig is how daemons, lnd and clients reach the harness's btcd.
type RPCConfig struct {
	Host     string // 127.0.0.1:port
	User     string
	Pass     string
	CertPath string // PEM certificate of the RPC server; empty with NoTLS
}

// Harness is one btcd --regtest process with its own mining key. Its
// methods are safe for concurrent use.
type Harness struct {
	opts    Options
	dir     string
	ownDir  bool
	proc    *process
	client  *bitcoind.Client
	rpc     RPCConfig
	p2pAddr string
	log     *slog.Logger

	key      *btcec.PrivateKey
	address  btcutil.Address
	pkScript []byte

	fundMu       sync.Mutex
	nextCoinbase lnwire.BlockHeight // lowest height whose coinbase Fund has not used
	change       []spendable        // Fund's change outputs not spent yet

	closeOnce sync.Once
	closeErr  error
}

// New starts btcd --regtest on free loopback ports in its own directory,
// waits for its RPC server, and mines to SetupHeight unless
// opts.SkipSetup. btcd --regtest starts a new chain every time. Close
// stops it.
func New(ctx context.Context, opts Options) (*Harness, error) {
	h := &Harness{opts: opts, log: opts.Logger, nextCoinbase: 1}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.opts.FundFeerate == 0 {
		h.opts.FundFeerate = 2500
	}
	if h.opts.ReadyTimeout == 0 {
		h.opts.ReadyTimeout = 60 * time.Second
	}
	if err := h.prepare(ctx); err != nil {
		h.removeDir()
		return nil, err
	}
	if err := h.start(ctx); err != nil {
		h.removeDir()
		return nil, err
	}
	if !opts.SkipSetup {
		if _, err := h.Mine(ctx, SetupHeight); err != nil {
			_ = h.Close()
			return nil, fmt.Errorf("regtest: mining the setup blocks: %w", err)
		}
	}
	return h, nil
}

// prepare finds btcd, makes the directory, key, credentials and certificate.
func (h *Harness) prepare(ctx context.Context) error {
	if h.opts.BtcdPath == "" {
		cacheDir := h.opts.CacheDir
		if cacheDir == "" {
			var err error
			if cacheDir, err = CacheDir(); err != nil {
				return err
			}
		}
		h.log.Info("regtest: installing btcd if missing", "version", BtcdVersion, "cache", cacheDir)
		path, err := InstallBtcd(ctx, cacheDir)
		if err != nil {
			return err
		}
		h.opts.BtcdPath = path
	}
	h.dir = h.opts.Dir
	if h.dir == "" {
		dir, err := os.MkdirTemp("", "fulmen-btcd-")
		if err != nil {
			return fmt.Errorf("regtest: %w", err)
		}
		h.dir, h.ownDir = dir, true
	} else if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return fmt.Errorf("regtest: %w", err)
	}
	h.key = h.opts.MiningKey
	if h.key == nil {
		key, err := btcec.NewPrivateKey()
		if err != nil {
			return fmt.Errorf("regtest: mining key: %w", err)
		}
		h.key = key
	}
	address, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(h.key.PubKey().SerializeCompressed()), Params)
	if err != nil {
		return fmt.Errorf("regtest: mining address: %w", err)
	}
	h.address = address
	if h.pkScript, err = txscript.PayToAddrScript(address); err != nil {
		return fmt.Errorf("regtest: mining script: %w", err)
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("regtest: RPC password: %w", err)
	}
	h.rpc.User, h.rpc.Pass = "fulmen", hex.EncodeToString(secret)
	if !h.opts.NoTLS {
		h.rpc.CertPath = filepath.Join(h.dir, "rpc.cert")
		if err := writeRPCCert(h.rpc.CertPath, filepath.Join(h.dir, "rpc.key")); err != nil {
			return err
		}
	}
	return nil
}

// start runs btcd, retrying with new ports when one was taken meanwhile.
func (h *Harness) start(ctx context.Context) error {
	const attempts = 3
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(2)
		if err != nil {
			return err
		}
		h.rpc.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
		h.p2pAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
		if h.proc, err = startProcess(h.opts.BtcdPath, h.dir, h.args()); err != nil {
			return err
		}
		h.log.Info("regtest: btcd started", "pid", h.proc.cmd.Process.Pid, "rpc", h.rpc.Host, "dir", h.dir)
		err = h.waitReady(ctx)
		if err == nil {
			return nil
		}
		_ = h.proc.stop(5 * time.Second)
		if !h.proc.addressInUse() || attempt == attempts {
			return err
		}
		h.log.Info("regtest: a port was taken; retrying", "attempt", attempt)
	}
}

func (h *Harness) args() []string {
	args := []string{
		"--regtest",
		"--datadir=" + filepath.Join(h.dir, "data"),
		"--logdir=" + filepath.Join(h.dir, "logs"),
		"--rpcuser=" + h.rpc.User,
		"--rpcpass=" + h.rpc.Pass,
		"--rpclisten=" + h.rpc.Host,
		"--listen=" + h.p2pAddr,
		"--miningaddr=" + h.address.EncodeAddress(),
		"--txindex",
		"--rpcmaxclients=100",
		"--rpcmaxwebsockets=100",
		"--debuglevel=info",
	}
	if h.opts.NoTLS {
		args = append(args, "--notls")
	} else {
		args = append(args, "--rpccert="+h.rpc.CertPath, "--rpckey="+filepath.Join(h.dir, "rpc.key"))
	}
	return append(args, h.opts.ExtraArgs...)
}

// waitReady polls getblockcount until btcd answers.
func (h *Harness) waitReady(ctx context.Context) error {
	client, err := bitcoind.New(h.ClientConfig())
	if err != nil {
		return err
	}
	deadline := time.Now().Add(h.opts.ReadyTimeout)
	for {
		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.BlockCount(callCtx)
		cancel()
		if err == nil {
			h.client = client
			return nil
		}
		if h.proc.exited() {
			return fmt.Errorf("%w before its RPC server was ready: %v\n%s", ErrExited, h.proc.waitErr, h.proc.logTail(15))
		}
		if !errors.Is(err, bitcoind.ErrUnreachable) && ctx.Err() == nil {
			return fmt.Errorf("regtest: btcd RPC: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("regtest: btcd RPC not ready after %s: %w\n%s", h.opts.ReadyTimeout, err, h.proc.logTail(15))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("regtest: waiting for btcd: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close stops btcd by its pid and removes the directory if New made it.
func (h *Harness) Close() error {
	h.closeOnce.Do(func() {
		if h.client != nil {
			h.client.Close()
		}
		if h.proc != nil {
			h.closeErr = h.proc.stop(15 * time.Second)
			h.log.Info("regtest: btcd stopped", "pid", h.proc.cmd.Process.Pid)
		}
		h.removeDir()
	})
	return h.closeErr
}

func (h *Harness) removeDir() {
	if h.ownDir {
		_ = os.RemoveAll(h.dir)
	}
}

// RPC returns how to reach btcd's RPC server.
func (h *Harness) RPC() RPCConfig { return h.rpc }

// ClientConfig returns the bitcoind.Config for btcd's RPC server.
func (h *Harness) ClientConfig() bitcoind.Config {
	return bitcoind.Config{Host: h.rpc.Host, User: h.rpc.User, Pass: h.rpc.Pass, TLSCertPath: h.rpc.CertPath}
}

// Client returns the harness's own RPC client.
func (h *Harness) Client() *bitcoind.Client { return h.client }

// P2PAddr returns btcd's peer-to-peer listening address (127.0.0.1:port).
func (h *Harness) P2PAddr() string { return h.p2pAddr }

// Dir returns the directory holding btcd's data, logs and certificate.
func (h *Harness) Dir() string { return h.dir }

// LogPath returns the file receiving btcd's output.
func (h *Harness) LogPath() string { return filepath.Join(h.dir, "btcd.log") }

// Pid returns btcd's process id.
func (h *Harness) Pid() int { return h.proc.cmd.Process.Pid }

// MiningAddress returns the P2WPKH address receiving every coinbase.
func (h *Harness) MiningAddress() string { return h.address.EncodeAddress() }

// Mine mines n blocks with btcd's generate and returns their hashes.
func (h *Harness) Mine(ctx context.Context, n uint32) ([]chainhash.Hash, error) {
	if n == 0 {
		return nil, nil
	}
	return h.client.Generate(ctx, n)
}

// Height returns the height of the best chain's tip.
func (h *Harness) Height(ctx context.Context) (lnwire.BlockHeight, error) {
	return h.client.BlockCount(ctx)
}

// InvalidateBlock makes btcd drop the block and its descendants from its
// best chain (a reorganisation when more blocks are mined after it).
func (h *Harness) InvalidateBlock(ctx context.Context, hash chainhash.Hash) error {
	return h.client.InvalidateBlock(ctx, hash)
}

// ReconsiderBlock undoes InvalidateBlock.
func (h *Harness) ReconsiderBlock(ctx context.Context, hash chainhash.Hash) error {
	return h.client.ReconsiderBlock(ctx, hash)
}
