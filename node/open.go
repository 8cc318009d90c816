package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/peer"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
	"github.com/fulmen-ln/fulmen/wallet"
)

// OpenRequest is fundchannel: open a channel to a connected peer, funded
// from our wallet.
type OpenRequest struct {
	Peer   *btcec.PublicKey
	Amount lnwire.Satoshi
	// PushMsat is given to the peer in the first commitment.
	PushMsat lnwire.MilliSatoshi
	// FundingFeerate is the feerate of the funding transaction;
	// CommitFeerate the first commitments' (FundingFeerate when zero).
	FundingFeerate lnwire.FeeratePerKW
	CommitFeerate  lnwire.FeeratePerKW
	Announce       bool
	// MinConf is the confirmations the wallet inputs need.
	MinConf uint32
	// UTXOs, when set, are exactly the inputs to spend.
	UTXOs []wire.OutPoint
	// Type is the channel type; zero chooses as lnd does (anchors when
	// both nodes support them).
	Type channeltx.ChannelType
	// CloseTo is an upfront shutdown script (empty: none).
	CloseTo []byte
}

// OpenResult is what fundchannel reports once the funding transaction is
// broadcast.
type OpenResult struct {
	Tx          *wire.MsgTx
	OutputIndex uint32
	ChannelID   lnwire.ChannelID
	Type        channeltx.ChannelType
}

// opening is one negotiation (funding.Step), as opener or accepter. Its
// steps are serialised by mu; it lives until the channel is handed over
// or the negotiation fails.
type opening struct {
	rt      *Channels
	conn    Conn
	peer    nodeKey
	index   uint64
	signer  *signer.ChannelSigner
	address string // where we dialled the peer, for reconnection

	mu    sync.Mutex
	state funding.State
	spend *wallet.Spend
	// minConf and utxos constrain the wallet's inputs (opener).
	minConf uint32
	utxos   []wire.OutPoint
	result  chan openOutcome // opener: fundchannel's answer, buffered
	ended   bool
}

type openOutcome struct {
	res OpenResult
	err error
}

// openings are the negotiations in progress.
type openings struct {
	rt *Channels
	mu sync.Mutex
	m  map[*opening]struct{}
}

func newOpenings(rt *Channels) *openings {
	return &openings{rt: rt, m: make(map[*opening]struct{})}
}

func (os *openings) add(o *opening) {
	os.mu.Lock()
	os.m[o] = struct{}{}
	os.mu.Unlock()
}

func (os *openings) remove(o *opening) {
	os.mu.Lock()
	delete(os.m, o)
	os.mu.Unlock()
}

// of lists a peer's negotiations. Each negotiation's own lock is taken
// only after os.mu is released: a step holds its lock while it finishes
// and removes itself from os.
func (os *openings) of(peer nodeKey) []*opening {
	os.mu.Lock()
	defer os.mu.Unlock()
	var out []*opening
	for o := range os.m {
		if o.peer == peer {
			out = append(out, o)
		}
	}
	return out
}

// names reports whether a message's channel id names the negotiation.
func (o *opening) names(id lnwire.ChannelID) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state.TemporaryChannelID == id || (!o.state.ChannelID.IsAll() && o.state.ChannelID == id)
}

// find returns the negotiation with the peer that a message names.
func (os *openings) find(peer nodeKey, id lnwire.ChannelID) *opening {
	for _, o := range os.of(peer) {
		if o.names(id) {
			return o
		}
	}
	return nil
}

// pending counts a peer's negotiations.
func (os *openings) pending(peer nodeKey) int {
	os.mu.Lock()
	defer os.mu.Unlock()
	n := 0
	for o := range os.m {
		if o.peer == peer {
			n++
		}
	}
	return n
}

// deliver gives accept_channel, funding_created or funding_signed to its
// negotiation; false when there is none.
func (os *openings) deliver(conn Conn, msg lnwire.Message) bool {
	id, ok := channelIDOfFunding(msg)
	if !ok {
		return false
	}
	o := os.find(keyOf(conn.ID()), id)
	if o == nil {
		return false
	}
	o.step(context.Background(), funding.PeerMessage{Msg: msg})
	return true
}

func channelIDOfFunding(msg lnwire.Message) (lnwire.ChannelID, bool) {
	switch m := msg.(type) {
	case *lnwire.AcceptChannel:
		return m.TemporaryChannelID, true
	case *lnwire.FundingCreated:
		return m.TemporaryChannelID, true
	case *lnwire.FundingSigned:
		return m.ChannelID, true
	}
	return lnwire.ChannelID{}, false
}

// disconnected abandons the negotiations that ran on conn.
func (os *openings) disconnected(conn Conn) {
	os.mu.Lock()
	var gone []*opening
	for o := range os.m {
		if o.conn == conn {
			gone = append(gone, o)
		}
	}
	os.mu.Unlock()
	for _, o := range gone {
		o.step(context.Background(), funding.Disconnected{})
	}
}

// errorReceived abandons the negotiations the peer's error names.
func (os *openings) errorReceived(peer nodeKey, id lnwire.ChannelID, all bool, msg *lnwire.Error) {
	for _, o := range os.of(peer) {
		if all || o.names(id) {
			o.step(context.Background(), funding.PeerMessage{Msg: msg})
		}
	}
}

// newOpening allocates a channel index and its keys.
func (rt *Channels) newOpening(ctx context.Context, conn Conn) (*opening, funding.Keys, error) {
	index, err := rt.cfg.Store.NextChannelIndex(ctx)
	if err != nil {
		return nil, funding.Keys{}, err
	}
	sig, err := rt.cfg.Keys.Channel(index)
	if err != nil {
		return nil, funding.Keys{}, err
	}
	bp := sig.Basepoints()
	keys := funding.Keys{
		FundingKey:              channel.NewPoint(bp.Funding),
		RevocationBasepoint:     channel.NewPoint(bp.Revocation),
		PaymentBasepoint:        channel.NewPoint(bp.Payment),
		DelayedPaymentBasepoint: channel.NewPoint(bp.DelayedPayment),
		HTLCBasepoint:           channel.NewPoint(bp.HTLC),
	}
	o := &opening{rt: rt, conn: conn, peer: keyOf(conn.ID()), index: index, signer: sig}
	if rt.peers != nil {
		if info, ok := rt.peers.Peer(conn.ID()); ok && info.Direction == peer.Outbound && len(info.NetAddr) > 0 {
			o.address = info.NetAddr[0]
		}
	}
	return o, keys, nil
}

// received starts a negotiation as accepter for the peer's open_channel.
func (os *openings) received(conn Conn, m *lnwire.OpenChannel) {
	rt := os.rt
	ctx := context.Background()
	if !rt.running.Load() {
		conn.Send(ctx, &lnwire.Error{ChannelID: m.TemporaryChannelID, Data: []byte("not ready, try again later")})
		return
	}
	o, keys, err := rt.newOpening(ctx, conn)
	if err != nil {
		rt.log.Error("cannot answer open_channel", "err", err)
		conn.Send(ctx, &lnwire.Error{ChannelID: m.TemporaryChannelID, Data: []byte("internal error")})
		return
	}
	peer := keyOf(conn.ID())
	pending := os.pending(peer) + rt.awaitingLockIn(peer)
	os.add(o)
	o.step(ctx, funding.OpenChannelReceived{Msg: m, PeerFeatures: conn.RemoteFeatures(), PendingChannels: pending, Keys: keys})
}

// awaitingLockIn counts a peer's channels whose funding is not locked in.
func (rt *Channels) awaitingLockIn(peer nodeKey) int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	n := 0
	for _, w := range rt.workersOf(peer) {
		if w.snapshot().State.Phase == channel.AwaitingReady {
			n++
		}
	}
	return n
}

// Open negotiates a channel as opener and returns once the funding
// transaction is broadcast (or the negotiation failed).
func (rt *Channels) Open(ctx context.Context, req OpenRequest) (OpenResult, error) {
	if rt.cfg.Wallet == nil {
		return OpenResult{}, ErrFundingUnavailable
	}
	if !rt.running.Load() {
		return OpenResult{}, ErrStopped
	}
	if req.Peer == nil || rt.peers == nil {
		return OpenResult{}, ErrPeerNotConnected
	}
	p, ok := rt.peers.Conn(req.Peer)
	if !ok {
		return OpenResult{}, fmt.Errorf("%w: %x", ErrPeerNotConnected, req.Peer.SerializeCompressed())
	}
	rt.adopt(p)
	if req.CommitFeerate == 0 {
		req.CommitFeerate = rt.openingCommitFeerate(ctx, req, p.RemoteFeatures())
	}
	// Try the wallet before bothering the peer: a channel we cannot fund
	// fails here with the wallet's error and nothing reserved.
	if err := rt.checkFunds(ctx, req); err != nil {
		return OpenResult{}, err
	}
	o, keys, err := rt.newOpening(ctx, p)
	if err != nil {
		return OpenResult{}, err
	}
	o.result = make(chan openOutcome, 1)
	o.minConf, o.utxos = req.MinConf, req.UTXOs
	rt.opens.add(o)
	o.step(ctx, funding.Open{
		PeerFeatures: p.RemoteFeatures(), Funding: req.Amount, PushMsat: req.PushMsat,
		Feerate: req.CommitFeerate, FundingFeerate: req.FundingFeerate, ChannelType: req.Type,
		Announce: req.Announce, Keys: keys, UpfrontShutdownScript: req.CloseTo,
	})
	timeout := time.NewTimer(rt.cfg.OpenTimeout)
	defer timeout.Stop()
	select {
	case out := <-o.result:
		return out.res, out.err
	case <-timeout.C:
		o.step(context.Background(), funding.Cancel{Reason: "no answer from the peer"})
		out := <-o.result
		return out.res, out.err
	case <-ctx.Done():
		o.step(context.Background(), funding.Cancel{Reason: "cancelled by the user"})
		out := <-o.result
		return out.res, out.err
	case <-rt.ctx.Done():
		return OpenResult{}, ErrStopped
	}
}

// checkFunds asks the wallet for a transaction of the same shape as the
// funding transaction, and releases it at once.
func (rt *Channels) checkFunds(ctx context.Context, req OpenRequest) error {
	dummy := append([]byte{0x00, 0x20}, bytes.Repeat([]byte{0x51}, 32)...)
	spend, err := rt.cfg.Wallet.PrepareSpend(ctx, wallet.SpendRequest{
		DestScript: dummy, Amount: req.Amount, Feerate: req.FundingFeerate, MinConf: req.MinConf, UTXOs: req.UTXOs,
	})
	if err != nil {
		return err
	}
	return rt.cfg.Wallet.Release(ctx, spend)
}

// env is what funding.Step gets.
func (o *opening) env() funding.Env {
	cfg := &o.rt.cfg
	return funding.Env{Channel: channel.Env{Signer: o.signer, Policy: cfg.Policy}, Config: cfg.Funding, Rand: cfg.Rand}
}

// step applies one event and carries out the effects, in order; the
// wallet's answer to BuildFundingTx is fed back at once.
func (o *opening) step(ctx context.Context, ev funding.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for ev != nil {
		if o.ended {
			return
		}
		next, effects, err := funding.Step(o.state, o.env(), ev)
		if err != nil {
			o.rt.log.Info("channel negotiation", "event", fmt.Sprintf("%T", ev), "action", funding.ActionOf(err).String(), "err", err)
			if funding.ActionOf(err) == funding.Reject && o.state.Phase == funding.Idle {
				o.finish(OpenResult{}, err)
				return
			}
		}
		ev = nil
		for _, e := range effects {
			var follow funding.Event
			var stop bool
			follow, stop = o.execute(ctx, &next, e)
			if follow != nil {
				ev = follow
			}
			if stop {
				break
			}
		}
		o.state = next
	}
}

// execute carries out one effect; it may return an event to feed back
// (the wallet's answer) and stop the list (a failed persist).
func (o *opening) execute(ctx context.Context, next *funding.State, e funding.Effect) (funding.Event, bool) {
	rt := o.rt
	switch e := e.(type) {
	case funding.SendMessage:
		if err := o.conn.Send(ctx, e.Msg); err != nil {
			rt.log.Debug("negotiation send failed", "type", e.Msg.MsgType().String(), "err", err)
		}
	case funding.BuildFundingTx:
		return o.buildFundingTx(ctx, e), false
	case funding.ReleaseFundingTx:
		if o.spend != nil {
			if err := rt.cfg.Wallet.Release(ctx, o.spend); err != nil {
				rt.log.Warn("releasing funding inputs", "err", err)
			}
			o.spend = nil
		}
	case funding.PersistChannel:
		if err := o.persist(ctx, next, e.Channel); err != nil {
			rt.log.Error("cannot store the new channel; abandoning it", "err", err)
			o.abort(ctx, err)
			return nil, true
		}
	case funding.BroadcastFundingTx:
		if o.spend != nil {
			if _, err := rt.cfg.Wallet.Publish(ctx, o.spend); err != nil {
				rt.log.Error("broadcasting the funding transaction; retried at restart", "txid", e.Tx.TxHash(), "err", err)
			}
		}
	case funding.WatchFunding:
		// Registered with the channel in persist, before the broadcast.
	case funding.HandOver:
		o.finish(OpenResult{Tx: next.FundingTx, OutputIndex: next.FundingOutpoint.Index,
			ChannelID: e.Channel.ChannelID, Type: e.Channel.Type}, nil)
	case funding.NegotiationFailed:
		o.finish(OpenResult{}, fmt.Errorf("%w: %w", ErrOpenRefused, e.Err))
	}
	return nil, false
}

// buildFundingTx asks the wallet for the signed funding transaction.
func (o *opening) buildFundingTx(ctx context.Context, e funding.BuildFundingTx) funding.Event {
	spend, err := o.rt.cfg.Wallet.PrepareSpend(ctx, wallet.SpendRequest{
		DestScript: e.PkScript, Amount: e.Amount, Feerate: e.Feerate, MinConf: o.minConf, UTXOs: o.utxos,
	})
	if err != nil {
		return funding.FundingTxFailed{Err: err}
	}
	for i, out := range spend.Tx.TxOut {
		if bytes.Equal(out.PkScript, e.PkScript) && out.Value == int64(e.Amount) {
			o.spend = spend
			return funding.FundingTxBuilt{Tx: spend.Tx, OutputIndex: uint32(i)}
		}
	}
	o.rt.cfg.Wallet.Release(ctx, spend)
	return funding.FundingTxFailed{Err: errors.New("wallet transaction lacks the funding output")}
}

// persist stores the new channel, starts its goroutine on this connection
// and registers its funding with the chain watcher, all before anything
// that depends on it is sent or broadcast.
func (o *opening) persist(ctx context.Context, next *funding.State, st channel.State) error {
	rt := o.rt
	raw, err := channel.Marshal(&st)
	if err != nil {
		return err
	}
	height, err := rt.cfg.Chain.BlockCount(ctx)
	if err != nil {
		return fmt.Errorf("chain height: %w", err)
	}
	rec := &store.ChannelRecord{
		Index: o.index, ChannelID: st.ChannelID, PeerID: o.peer, PeerAddress: o.address,
		Phase: st.Phase.String(), FundingTxID: st.FundingTxID, FundingOutnum: uint32(st.FundingOutputIndex),
		HeightHint: uint32(height), MinimumDepth: next.MinimumDepth, State: raw,
	}
	if next.FundingTx != nil {
		rec.FundingTx = encodeTx(next.FundingTx)
	}
	if err := rt.cfg.Store.AddChannel(ctx, rec); err != nil {
		return err
	}
	w, err := rt.addWorker(rec, st, o.conn)
	if err != nil {
		return err
	}
	rt.watch.add(w)
	if o.address != "" && rt.peers != nil {
		if err := rt.peers.SetPersistent(w.peerID, o.address, true); err != nil {
			rt.log.Warn("cannot keep the peer connected", "err", err)
		}
	}
	return nil
}

// abort ends the negotiation after a local failure.
func (o *opening) abort(ctx context.Context, cause error) {
	if o.spend != nil {
		o.rt.cfg.Wallet.Release(ctx, o.spend)
		o.spend = nil
	}
	o.conn.Send(ctx, &lnwire.Error{ChannelID: o.state.TemporaryChannelID, Data: []byte("internal error")})
	o.finish(OpenResult{}, cause)
}

// finish ends the negotiation and answers the opener's caller.
func (o *opening) finish(res OpenResult, err error) {
	if o.ended {
		return
	}
	o.ended = true
	o.rt.opens.remove(o)
	if o.result != nil {
		o.result <- openOutcome{res: res, err: err}
	}
}
