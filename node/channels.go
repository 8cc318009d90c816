package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
)

// nodeKey is a node id as a map key.
type nodeKey [33]byte

func keyOf(id *btcec.PublicKey) nodeKey {
	var k nodeKey
	copy(k[:], id.SerializeCompressed())
	return k
}

// Channels is the channel runtime: one goroutine per channel, fed by the
// peer connections (it is the peer manager's MessageHandler and
// EventHandler), the chain and local commands.
type Channels struct {
	cfg   Config
	log   *slog.Logger
	peers Peers

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// running is set once Start has loaded the channels and the chain
	// watch; negotiations are refused before.
	running atomic.Bool

	mu      sync.Mutex
	started bool
	workers map[uint64]*worker
	byID    map[lnwire.ChannelID]*worker
	conns   map[nodeKey]Conn // the connection each peer's channels use
	opens   *openings
	watch   *chainWatch

	payments *paymentBook
}

// New checks cfg and returns a runtime with no channel loaded; Start
// loads them.
func New(cfg Config) (*Channels, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	rt := &Channels{
		cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel,
		workers: make(map[uint64]*worker),
		byID:    make(map[lnwire.ChannelID]*worker),
		conns:   make(map[nodeKey]Conn),
	}
	rt.opens = newOpenings(rt)
	rt.payments = newPaymentBook()
	return rt, nil
}

// Start loads every stored channel and starts its goroutine, marks the
// peers we dialled persistent so that the manager reconnects to them,
// broadcasts again the funding and closing transactions that may not
// have reached the chain, and starts following the chain.
func (rt *Channels) Start(ctx context.Context, peers Peers) error {
	rt.mu.Lock()
	if rt.started {
		rt.mu.Unlock()
		return errors.New("node: already started")
	}
	rt.started = true
	rt.peers = peers
	rt.mu.Unlock()

	records, err := rt.cfg.Store.Channels(ctx)
	if err != nil {
		return err
	}
	var loaded []*worker
	for i := range records {
		rec := &records[i]
		st, err := channel.Unmarshal(rec.State)
		if err != nil {
			return fmt.Errorf("node: channel %d: %w", rec.Index, err)
		}
		// A restart is a disconnection: the link comes up again with
		// channel_reestablish.
		st.Link = channel.LinkDown
		w, err := rt.addWorker(rec, st, nil)
		if err != nil {
			return err
		}
		loaded = append(loaded, w)
		if rec.PeerAddress != "" && isOpen(st.Phase) {
			if err := peers.SetPersistent(w.peerID, rec.PeerAddress, true); err != nil {
				rt.log.Warn("cannot keep the peer connected", "peer", fmt.Sprintf("%x", rec.PeerID), "err", err)
			}
		}
	}
	// A peer that connected before the channels were loaded: its channels
	// re-establish on that connection.
	rt.mu.Lock()
	for _, w := range loaded {
		if conn := rt.conns[w.peer]; conn != nil {
			w.inbox.push(item{kind: itemReconnected, conn: conn})
		}
	}
	rt.mu.Unlock()
	if rt.watch, err = startChainWatch(ctx, rt, loaded); err != nil {
		return err
	}
	rt.running.Store(true)
	for _, w := range loaded {
		rt.rebroadcast(ctx, w.snapshot())
	}
	rt.log.Info("channels loaded", "count", len(loaded))
	return nil
}

// isOpen reports whether the channel may still move money off-chain.
func isOpen(p channel.Phase) bool { return p != channel.Closed && p != channel.Failed }

// rebroadcast publishes again what we broadcast before a restart and the
// chain may have dropped: our funding transaction until the channel is
// locked in, and the closing transaction until the funding output is spent.
func (rt *Channels) rebroadcast(ctx context.Context, v View) {
	if v.FundingTx != nil && v.State.Phase == channel.AwaitingReady && !v.State.ReadySent {
		if err := rt.cfg.broadcast(ctx, v.FundingTx); err != nil {
			rt.log.Warn("rebroadcasting funding transaction", "txid", v.FundingTx.TxHash(), "err", err)
		}
	}
	if v.ClosingTx != nil && v.SpentHeight == 0 {
		if err := rt.cfg.broadcast(ctx, v.ClosingTx); err != nil {
			rt.log.Warn("rebroadcasting closing transaction", "txid", v.ClosingTx.TxHash(), "err", err)
		}
	}
}

// addWorker registers a channel and starts its goroutine. conn is the
// connection a new channel was negotiated on (its link is up), nil for a
// channel loaded from the store.
func (rt *Channels) addWorker(rec *store.ChannelRecord, st channel.State, conn Conn) (*worker, error) {
	sig, err := rt.cfg.Keys.Channel(rec.Index)
	if err != nil {
		return nil, err
	}
	w, err := newWorker(rt, rec, st, sig)
	if err != nil {
		return nil, err
	}
	w.conn = conn
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.ctx.Err() != nil {
		return nil, ErrStopped
	}
	rt.workers[rec.Index] = w
	rt.byID[st.ChannelID] = w
	if conn != nil {
		// The connection may have been replaced or lost meanwhile: the
		// channel then learns it like the others.
		if current := rt.conns[w.peer]; current != conn {
			w.inbox.push(item{kind: itemDisconnected, conn: conn})
			if current != nil {
				w.inbox.push(item{kind: itemReconnected, conn: current})
			}
		}
	}
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		w.run(rt.ctx)
	}()
	return w, nil
}

// Stop ends every channel goroutine and the chain follower, and waits for
// them. Stored state is what a later Start resumes from.
func (rt *Channels) Stop() {
	rt.cancel()
	rt.wg.Wait()
}

// workersOf lists a peer's channels. rt.mu must be held.
func (rt *Channels) workersOf(peer nodeKey) []*worker {
	var out []*worker
	for _, w := range rt.workers {
		if w.peer == peer {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *worker) int { return int(a.index) - int(b.index) })
	return out
}

// List returns a view of every channel, by index; with peer set only that
// peer's.
func (rt *Channels) List(peer *btcec.PublicKey) []View {
	rt.mu.Lock()
	var ws []*worker
	for _, w := range rt.workers {
		if peer == nil || w.peerID.IsEqual(peer) {
			ws = append(ws, w)
		}
	}
	rt.mu.Unlock()
	slices.SortFunc(ws, func(a, b *worker) int { return int(a.index) - int(b.index) })
	out := make([]View, len(ws))
	for i, w := range ws {
		out[i] = w.snapshot()
	}
	return out
}

// Counts are getinfo's channel counts.
type Counts struct {
	// Pending: awaiting lock-in.
	Pending int
	// Active: in normal operation or closing by mutual agreement.
	Active int
	// Inactive: closed or failed, waiting for the chain.
	Inactive int
}

// Count classifies the channels for getinfo.
func (rt *Channels) Count() Counts {
	var c Counts
	for _, v := range rt.List(nil) {
		switch v.State.Phase {
		case channel.AwaitingReady:
			c.Pending++
		case channel.Normal, channel.ShuttingDown, channel.Negotiating:
			c.Active++
		default:
			c.Inactive++
		}
	}
	return c
}

// HasActiveChannels reports whether the peer has a channel not yet closed;
// the peer manager's disconnect refuses such a peer without force.
func (rt *Channels) HasActiveChannels(id *btcec.PublicKey) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, w := range rt.workersOf(keyOf(id)) {
		if isOpen(w.snapshot().State.Phase) {
			return true
		}
	}
	return false
}

// ChannelRef names a channel for a command: by channel_id, by
// short_channel_id, or by peer when it has exactly one open channel.
type ChannelRef struct {
	ChannelID      *lnwire.ChannelID
	ShortChannelID *lnwire.ShortChannelID
	Peer           *btcec.PublicKey
}

// find resolves a reference.
func (rt *Channels) find(ref ChannelRef) (*worker, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	switch {
	case ref.ChannelID != nil:
		if w := rt.byID[*ref.ChannelID]; w != nil {
			return w, nil
		}
	case ref.ShortChannelID != nil:
		for _, w := range rt.workers {
			if w.snapshot().State.ShortChannelID == *ref.ShortChannelID {
				return w, nil
			}
		}
	case ref.Peer != nil:
		var open []*worker
		for _, w := range rt.workersOf(keyOf(ref.Peer)) {
			if isOpen(w.snapshot().State.Phase) {
				open = append(open, w)
			}
		}
		switch len(open) {
		case 1:
			return open[0], nil
		case 0:
			return nil, fmt.Errorf("%w: no open channel with peer %x", ErrUnknownChannel, ref.Peer.SerializeCompressed())
		default:
			return nil, fmt.Errorf("%w: %d channels with peer %x", ErrAmbiguousChannel, len(open), ref.Peer.SerializeCompressed())
		}
	}
	return nil, ErrUnknownChannel
}

// walletScript returns a fresh P2WPKH script of our wallet, where a mutual
// close pays us.
func (rt *Channels) walletScript(ctx context.Context) ([]byte, error) {
	if rt.cfg.Wallet == nil {
		return nil, fmt.Errorf("%w: no wallet", ErrFundingUnavailable)
	}
	addr, err := rt.cfg.Wallet.NewAddress(ctx, signer.P2WPKH)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// sameKey compares two node ids.
func sameKey(a, b *btcec.PublicKey) bool {
	return bytes.Equal(a.SerializeCompressed(), b.SerializeCompressed())
}
