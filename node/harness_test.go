package node

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/peer"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
	"github.com/fulmen-ln/fulmen/wallet"
)

// testStore is the real SQLite store with hooks around channel writes.
type testStore struct {
	*store.Store
	mu sync.Mutex
	// failUpdate, when set, decides whether a write fails (before it is
	// applied).
	failUpdate func(u store.ChannelStateUpdate) error
	// afterUpdate runs after a successful write.
	afterUpdate func(u store.ChannelStateUpdate)
	writes      int
}

func (s *testStore) UpdateChannelState(ctx context.Context, u store.ChannelStateUpdate) (uint64, error) {
	s.mu.Lock()
	fail, after := s.failUpdate, s.afterUpdate
	s.mu.Unlock()
	if fail != nil {
		if err := fail(u); err != nil {
			return 0, err
		}
	}
	v, err := s.Store.UpdateChannelState(ctx, u)
	if err == nil {
		s.mu.Lock()
		s.writes++
		s.mu.Unlock()
		if after != nil {
			after(u)
		}
	}
	return v, err
}

func (s *testStore) setHooks(fail func(store.ChannelStateUpdate) error, after func(store.ChannelStateUpdate)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUpdate, s.afterUpdate = fail, after
}

// storedState reads the channel's latest persisted state.
func (s *testStore) storedState(t testing.TB, index uint64) (channel.State, uint64) {
	t.Helper()
	rec, err := s.Store.Channel(context.Background(), index)
	if err != nil {
		t.Fatal(err)
	}
	st, err := channel.Unmarshal(rec.State)
	if err != nil {
		t.Fatal(err)
	}
	return st, rec.Version
}

// testNode is one node of a harness: store, signer, wallet and runtime.
type testNode struct {
	name   string
	h      *harness
	dir    string
	store  *testStore
	signer *signer.Signer
	id     *btcec.PublicKey
	wallet *wallet.Wallet
	rt     *Channels
	wake   chan struct{}
	peers  *fakePeers
	// payments records the HTLC events; with builtin set instead, the
	// runtime decides incoming HTLCs itself against invoices.
	payments *paymentLog
	builtin  bool
	invoices *fakeInvoices
	// fees is the node's commitment feerate estimate (none until set).
	fees *fakeFees
}

// harness is a chain and the nodes on it.
type harness struct {
	t     testing.TB
	chain *fakeChain
	nodes []*testNode
}

var testParams = &chaincfg.RegressionNetParams

func newHarness(t testing.TB) *harness {
	h := &harness{t: t, chain: newFakeChain(200)}
	t.Cleanup(func() {
		// Every runtime stops before any store closes: a node still running
		// (broadcasting, say) may call back into another node's store.
		for _, n := range h.nodes {
			if n.rt != nil {
				n.rt.Stop()
			}
		}
		for _, n := range h.nodes {
			n.store.Close()
		}
	})
	return h
}

func testLogger(t testing.TB, name string) *slog.Logger {
	if os.Getenv("NODE_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
}

// node creates a node with a funded wallet; its runtime is started.
func (h *harness) node(name string, walletSat ...lnwire.Satoshi) *testNode {
	t := h.t
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, store.DefaultFileName))
	if err != nil {
		t.Fatal(err)
	}
	secret := sha256.Sum256([]byte("hsm_secret of " + name))
	sig, err := signer.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sig.Wallet(testParams)
	if err != nil {
		t.Fatal(err)
	}
	w, err := wallet.Open(ctx, wallet.Config{Store: st, Keys: keys, Chain: h.chain, Params: testParams,
		FallbackFeerate: 1000, Log: testLogger(t, name+"/wallet")})
	if err != nil {
		t.Fatal(err)
	}
	n := &testNode{name: name, h: h, dir: dir, store: &testStore{Store: st}, signer: sig, id: sig.NodeID(),
		wallet: w, peers: newFakePeers(), payments: &paymentLog{}, invoices: newFakeInvoices(), fees: &fakeFees{}}
	h.nodes = append(h.nodes, n)
	for _, amount := range walletSat {
		addr, err := w.NewAddress(ctx, signer.P2WPKH)
		if err != nil {
			t.Fatal(err)
		}
		script, _ := txscript.PayToAddrScript(addr)
		tx := wire.NewMsgTx(2)
		prev := sha256.Sum256([]byte(fmt.Sprintf("coins of %s %d", name, len(h.chain.mempool))))
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prev}})
		tx.AddTxOut(wire.NewTxOut(int64(amount), script))
		h.chain.Inject(tx)
	}
	if len(walletSat) > 0 {
		h.mine(1)
	}
	n.start()
	return n
}

// config is the runtime's configuration for the node.
func (n *testNode) config() Config {
	n.wake = make(chan struct{}, 1)
	features := peer.DefaultFeatures()
	features.Set(lnwire.AnchorsOptional)
	chainHash := lnwire.ChainHash(*testParams.GenesisHash)
	cfg := Config{
		Store: n.store, Keys: n.signer, Chain: n.h.chain, Wallet: n.wallet, NodeID: n.id, ChainHash: chainHash,
		Funding: funding.DefaultConfig(chainHash, features), ChainPoll: time.Hour, Wake: n.wake,
		Payments: n.payments, Fees: n.fees, Logger: testLogger(n.h.t, n.name),
	}
	if n.builtin {
		cfg.Payments, cfg.NodeKey, cfg.Invoices = nil, n.signer.NodeECDH(), n.invoices
	}
	return cfg
}

// start builds and starts a runtime on the node's store.
func (n *testNode) start() {
	rt, err := New(n.config())
	if err != nil {
		n.h.t.Fatal(err)
	}
	n.rt = rt
	if err := rt.Start(context.Background(), n.peers); err != nil {
		n.h.t.Fatal(err)
	}
}

// restart stops the runtime (its connections drop) and starts a new one
// from the store.
func (n *testNode) restart() {
	n.rt.Stop()
	n.peers.dropAll()
	n.start()
}

// mine mines blocks, syncs the wallets and wakes the runtimes.
func (h *harness) mine(blocks int) {
	h.chain.Mine(blocks)
	for _, n := range h.nodes {
		if err := n.wallet.Sync(context.Background()); err != nil {
			h.t.Fatal(err)
		}
		if n.wake != nil {
			select {
			case n.wake <- struct{}{}:
			default:
			}
		}
	}
}

// waitView waits until the node's channel satisfies cond.
func (n *testNode) waitView(index uint64, what string, cond func(*View) bool) View {
	n.h.t.Helper()
	n.rt.mu.Lock()
	w := n.rt.workers[index]
	n.rt.mu.Unlock()
	if w == nil {
		n.h.t.Fatalf("%s has no channel %d", n.name, index)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := w.waitFor(ctx, cond)
	if err != nil {
		n.h.t.Fatalf("%s channel %d: waiting for %s: %v (phase %s, link %s, last error %q, halted %v)",
			n.name, index, what, err, v.State.Phase, v.State.Link, v.LastError, v.Halted)
	}
	return v
}

func (n *testNode) waitPhase(index uint64, phase channel.Phase) View {
	n.h.t.Helper()
	return n.waitView(index, phase.String(), func(v *View) bool { return v.State.Phase == phase && v.Connected })
}

// onlyChannel returns the index of the node's single channel.
func (n *testNode) onlyChannel() uint64 {
	n.h.t.Helper()
	views := n.rt.List(nil)
	if len(views) != 1 {
		n.h.t.Fatalf("%s has %d channels, want 1", n.name, len(views))
	}
	return views[0].Index
}

// worker returns the channel's worker.
func (n *testNode) worker(index uint64) *worker {
	n.rt.mu.Lock()
	defer n.rt.mu.Unlock()
	return n.rt.workers[index]
}

// confirmedBalance is the node's confirmed wallet balance.
func (n *testNode) confirmedBalance() lnwire.Satoshi {
	n.h.t.Helper()
	outs, err := n.wallet.Outputs(context.Background(), false)
	if err != nil {
		n.h.t.Fatal(err)
	}
	var sum lnwire.Satoshi
	for _, o := range outs {
		if o.Status == wallet.StatusConfirmed {
			sum += o.Amount
		}
	}
	return sum
}

// paymentLog records what the runtime reports to the payment layer.
type paymentLog struct {
	mu       sync.Mutex
	accepted []channel.HTLCAccepted
	settled  []channel.HTLCSettled
	failed   []channel.HTLCFailed
}

func (p *paymentLog) HTLCAccepted(_ lnwire.ChannelID, ev channel.HTLCAccepted) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accepted = append(p.accepted, ev)
}

func (p *paymentLog) HTLCSettled(_ lnwire.ChannelID, ev channel.HTLCSettled) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settled = append(p.settled, ev)
}

func (p *paymentLog) HTLCFailed(_ lnwire.ChannelID, ev channel.HTLCFailed) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failed = append(p.failed, ev)
}

func (p *paymentLog) counts() (accepted, settled, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.accepted), len(p.settled), len(p.failed)
}

// p2wpkh returns a P2WPKH script of a fixed test key.
func p2wpkh(name string) []byte {
	sum := sha256.Sum256([]byte(name))
	key, _ := btcec.PrivKeyFromBytes(sum[:])
	addr, _ := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), testParams)
	script, _ := txscript.PayToAddrScript(addr)
	return script
}
