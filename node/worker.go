package node

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
)

// worker runs one channel on its own goroutine: every event goes through
// channel.Step, and the effects are carried out in the order given, the
// state persisted before anything that follows it is sent.
type worker struct {
	rt     *Channels
	index  uint64
	peerID *btcec.PublicKey
	peer   nodeKey
	signer *signer.ChannelSigner
	log    *slog.Logger
	inbox  *inbox

	// Owned by the goroutine.
	state   channel.State
	version uint64
	conn    Conn
	halted  error
	// shutdownScript is ours for answering the peer's shutdown.
	shutdownScript []byte
	// decided are the incoming HTLCs this process fulfilled or failed;
	// linkUp remembers the link state, to decide again at reconnection.
	decided map[uint64]bool
	linkUp  bool
	// offering (a payment attempt) or relaying (a forward) is what the
	// HTLC the current step offers carries: its row is stored with that
	// state (payments_records.go, forward_records.go).
	offering *outgoing
	relaying *store.ForwardRecord
	// unsignedSteps counts the items processed since there was something
	// to sign (signIfDue).
	unsignedSteps int

	// The published view, for readers on other goroutines.
	mu      sync.Mutex
	view    View
	changed chan struct{} // closed and replaced at every publish
}

// View is a consistent copy of a channel, as of its last processed event.
type View struct {
	Index        uint64
	PeerID       *btcec.PublicKey
	State        channel.State
	Connected    bool // the channel is re-established on a live connection
	MinimumDepth uint32
	// HeightHint is the chain height when the channel was created.
	HeightHint uint32
	// FundingTx is the funding transaction when we opened the channel.
	FundingTx *wire.MsgTx
	// ClosingTx is the mutual close (or our commitment after a failure)
	// that we broadcast.
	ClosingTx   *wire.MsgTx
	SpentHeight uint32
	// Halted is set when the channel stopped after a store failure.
	Halted error
	// LastError is the last protocol error of a step, for logs and RPCs.
	LastError string
}

func newWorker(rt *Channels, rec *store.ChannelRecord, st channel.State, sig *signer.ChannelSigner) (*worker, error) {
	id, err := btcec.ParsePubKey(rec.PeerID[:])
	if err != nil {
		return nil, fmt.Errorf("node: channel %d: peer id: %w", rec.Index, err)
	}
	w := &worker{
		rt: rt, index: rec.Index, peerID: id, peer: keyOf(id), signer: sig,
		log:   rt.log.With("channel", rec.Index, "channel_id", st.ChannelID.String()),
		inbox: newInbox(), state: st, version: rec.Version, changed: make(chan struct{}),
		decided: make(map[uint64]bool),
	}
	w.view = View{Index: rec.Index, PeerID: id, State: st.Clone(), MinimumDepth: rec.MinimumDepth, HeightHint: rec.HeightHint,
		SpentHeight: rec.SpentHeight}
	if len(rec.FundingTx) > 0 {
		if w.view.FundingTx, err = decodeTx(rec.FundingTx); err != nil {
			return nil, fmt.Errorf("node: channel %d: funding tx: %w", rec.Index, err)
		}
	}
	if len(rec.ClosingTx) > 0 {
		if w.view.ClosingTx, err = decodeTx(rec.ClosingTx); err != nil {
			return nil, fmt.Errorf("node: channel %d: closing tx: %w", rec.Index, err)
		}
	}
	return w, nil
}

func decodeTx(raw []byte) (*wire.MsgTx, error) {
	tx := new(wire.MsgTx)
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	return tx, nil
}

func encodeTx(tx *wire.MsgTx) []byte {
	var b bytes.Buffer
	tx.Serialize(&b)
	return b.Bytes()
}

// run processes the inbox until ctx ends.
func (w *worker) run(ctx context.Context) {
	for {
		it, ok := w.inbox.pop(ctx)
		if !ok {
			return
		}
		w.process(ctx, it)
		w.signIfDue(ctx)
		up := w.state.Link == channel.LinkUp && w.halted == nil
		if up && !w.linkUp && w.state.Phase != channel.Failed {
			w.redecide(ctx)
		}
		w.linkUp = up
		w.publish()
	}
}

func (w *worker) process(ctx context.Context, it item) {
	switch it.kind {
	case itemCommand:
		it.cmd()
	case itemMessage:
		if it.conn != w.conn {
			// Read on a connection that was replaced: the peer will send it
			// again after channel_reestablish if it still matters.
			w.log.Debug("dropping a message from an old connection", "type", it.ev.(channel.PeerMessage).Msg.MsgType().String())
			return
		}
		if m, ok := it.ev.(channel.PeerMessage).Msg.(*lnwire.Shutdown); ok {
			w.prepareShutdownScript(ctx, m)
		}
		w.step(ctx, it.ev)
	case itemReconnected:
		w.conn = it.conn
		w.step(ctx, channel.Reconnected{})
	case itemDisconnected:
		if it.conn != w.conn {
			return
		}
		w.conn = nil
		w.step(ctx, channel.Disconnected{})
	case itemEvent:
		w.step(ctx, it.ev)
	}
}

// env is what every Step gets: our signer and the policy.
func (w *worker) env() channel.Env {
	policy := w.rt.cfg.Policy
	policy.ShutdownScript = w.shutdownScript
	return channel.Env{Signer: w.signer, Policy: policy}
}

// step applies one event and carries out its effects. It returns the
// protocol error of the step (the effects of an error, a warning or a
// failure, are carried out too), or ErrHalted.
func (w *worker) step(ctx context.Context, ev channel.Event) error {
	if w.halted != nil {
		return w.halted
	}
	next, effects, err := channel.Step(w.state, w.env(), ev)
	if err != nil {
		w.logStepError(ev, err)
	}
	if xerr := w.execute(ctx, next, effects); xerr != nil {
		return xerr
	}
	if w.state.CanSign() {
		w.unsignedSteps++
	}
	return err
}

// maxUnsignedSteps bounds how many inbox items may go by with something to
// sign before we sign anyway, so a busy channel still makes progress.
const maxUnsignedSteps = 64

// signIfDue is the runtime's part of the contract: sign when there is
// something to sign and nothing else waits in the inbox (or after
// maxUnsignedSteps items), so that the updates that arrive together, from
// concurrent payments or from the peer, go into one commitment_signed
// instead of one commitment dance each.
func (w *worker) signIfDue(ctx context.Context) {
	if w.halted != nil || !w.state.CanSign() {
		w.unsignedSteps = 0
		return
	}
	if !w.inbox.empty() && w.unsignedSteps < maxUnsignedSteps {
		return
	}
	w.unsignedSteps = 0
	w.step(ctx, channel.SignCommitment{})
}

func (w *worker) logStepError(ev channel.Event, err error) {
	action := channel.ActionOf(err)
	w.mu.Lock()
	w.view.LastError = err.Error()
	w.mu.Unlock()
	level := slog.LevelInfo
	switch action {
	case channel.Ignore, channel.Reject:
		level = slog.LevelDebug
	case channel.Fail, channel.FailWithoutBroadcast:
		level = slog.LevelWarn
	}
	w.log.Log(context.Background(), level, "channel step", "event", fmt.Sprintf("%T", ev), "action", action.String(), "err", err)
}

// execute carries out the effects in order. PersistState writes the new
// state durably before anything after it happens; if that write fails the
// channel halts at once: nothing that follows is sent, broadcast or
// notified, and the state in memory stays the persisted one.
//
// The payment and forward rows the step changes (payments_records.go) go
// into the transaction of its PersistState; a step that persists nothing
// writes them first, on their own. A failed write halts the channel
// likewise.
func (w *worker) execute(ctx context.Context, next channel.State, effects []channel.Effect) error {
	records, err := w.htlcRecords(ctx, effects)
	if err == nil && records != nil && !hasPersist(effects) {
		err, records = w.saveRecords(ctx, records), nil
	}
	if err != nil {
		w.halt(err)
		return w.halted
	}
	for _, e := range effects {
		switch e := e.(type) {
		case channel.PersistState:
			if err := w.persist(ctx, &next, records); err != nil {
				w.halt(err)
				return w.halted
			}
			records = nil
		case channel.SendMessage:
			w.send(ctx, e.Msg)
		case channel.Disconnect:
			if w.conn != nil {
				w.conn.Disconnect()
			}
		case channel.BroadcastTx:
			if err := w.broadcastClose(ctx, e.Tx); err != nil {
				return err
			}
		case channel.FailChannel:
			w.failed(ctx, &next, e)
		case channel.HTLCAccepted:
			w.htlcAccepted(ctx, &next, e)
		case channel.HTLCSettled:
			w.htlcSettled(ctx, &next, e)
		case channel.HTLCFailed:
			w.htlcFailed(ctx, &next, e)
		default:
			w.log.Error("unknown effect", "effect", fmt.Sprintf("%T", e))
		}
	}
	w.state = next
	return nil
}

// persist writes the state as the next version of the channel's record,
// with the step's payment and forward rows if any.
func (w *worker) persist(ctx context.Context, s *channel.State, records *stepRecords) error {
	raw, err := channel.Marshal(s)
	if err != nil {
		return fmt.Errorf("encoding state: %w", err)
	}
	u := store.ChannelStateUpdate{
		Index: w.index, Version: w.version, Phase: s.Phase.String(),
		ShortChannelID: s.ShortChannelID.ToUint64(), State: raw,
	}
	var v uint64
	if records == nil {
		v, err = w.rt.cfg.Store.UpdateChannelState(ctx, u)
	} else {
		v, err = w.persistWithRecords(ctx, u, records)
	}
	if err != nil {
		return err
	}
	w.version = v
	return nil
}

func (w *worker) halt(err error) {
	w.halted = fmt.Errorf("%w: %w", ErrHalted, err)
	w.log.Error("channel halted: state not persisted, nothing sent", "err", err)
	w.mu.Lock()
	w.view.Halted = w.halted
	w.mu.Unlock()
}

func (w *worker) send(ctx context.Context, msg lnwire.Message) {
	if w.conn == nil {
		w.log.Debug("not connected, not sending", "type", msg.MsgType().String())
		return
	}
	if err := w.conn.Send(ctx, msg); err != nil {
		w.log.Debug("send failed", "type", msg.MsgType().String(), "err", err)
	}
}

// broadcastClose keeps the closing transaction, then publishes it.
func (w *worker) broadcastClose(ctx context.Context, tx *wire.MsgTx) error {
	if err := w.rt.cfg.Store.SetChannelClosingTx(ctx, w.index, encodeTx(tx)); err != nil {
		w.halt(err)
		return w.halted
	}
	w.mu.Lock()
	w.view.ClosingTx = tx
	w.mu.Unlock()
	if err := w.rt.cfg.broadcast(ctx, tx); err != nil {
		w.log.Warn("broadcasting the closing transaction failed; retried at restart", "txid", tx.TxHash(), "err", err)
	} else {
		w.log.Info("closing transaction broadcast", "txid", tx.TxHash())
	}
	return nil
}

// failed handles FailChannel: with Broadcast, our latest commitment is
// signed and published (its outputs are left to on-chain resolution).
func (w *worker) failed(ctx context.Context, s *channel.State, e channel.FailChannel) {
	w.log.Warn("channel failed", "err", e.Err, "broadcast", e.Broadcast)
	if !e.Broadcast {
		return
	}
	tx, err := channel.LocalCommitmentTx(s, w.signer)
	if err != nil {
		w.log.Error("cannot build our commitment transaction", "err", err)
		return
	}
	if err := w.broadcastClose(ctx, tx); err != nil {
		w.log.Error("storing our commitment transaction", "err", err)
	}
}

// prepareShutdownScript makes sure the policy has a script of ours for
// answering the peer's shutdown: a fresh wallet address.
func (w *worker) prepareShutdownScript(ctx context.Context, m *lnwire.Shutdown) {
	if w.state.Shutdown.LocalScript != nil || len(w.state.Local.UpfrontShutdownScript) > 0 || w.shutdownScript != nil {
		return
	}
	script, err := w.rt.walletScript(ctx)
	if err != nil {
		w.log.Warn("no wallet address to close to", "err", err)
		return
	}
	w.shutdownScript = script
}

// publish makes the current state visible to readers.
func (w *worker) publish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.view.State = w.state.Clone()
	w.view.Connected = w.conn != nil && w.state.Link == channel.LinkUp
	close(w.changed)
	w.changed = make(chan struct{})
}

// setSpent records the height of the funding output's spend (0: none).
func (w *worker) setSpent(height uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.view.SpentHeight = height
	close(w.changed)
	w.changed = make(chan struct{})
}

// snapshot returns the published view.
func (w *worker) snapshot() View {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.view
}

// waitFor returns the view once cond holds, or ctx's error.
func (w *worker) waitFor(ctx context.Context, cond func(*View) bool) (View, error) {
	for {
		w.mu.Lock()
		v, changed := w.view, w.changed
		w.mu.Unlock()
		if cond(&v) {
			return v, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return v, ctx.Err()
		}
	}
}

// do runs fn on the channel's goroutine and returns its error.
func (w *worker) do(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	// Published before the caller resumes: what it reads next includes
	// the command's effects.
	w.inbox.push(item{kind: itemCommand, cmd: func() { err := fn(); w.publish(); done <- err }})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-w.rt.ctx.Done():
		return ErrStopped
	}
}
