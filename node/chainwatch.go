package node

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/store"
)

// chainHeightVar is the last block height the runtime processed.
const chainHeightVar = "node_chain_height"

// chainWatch follows the chain for the channels: it reports the funding
// transaction reaching minimum_depth (FundingLocked, with the
// short_channel_id) and the funding output being spent (the close on
// chain). It resumes after a restart from the lower of the last processed
// height and the creation height of every channel not locked in yet, so a
// confirmation that happened while the node was down is found again.
type chainWatch struct {
	rt *Channels

	mu       sync.Mutex
	follower *chain.Follower
	watcher  *chain.Watcher
	byTxID   map[chainhash.Hash]*worker
	byOutput map[wire.OutPoint]*worker
}

// needsLockIn reports whether the channel waits for its funding depth.
func needsLockIn(v *View) bool {
	return v.State.Phase == channel.AwaitingReady && !v.State.ReadySent
}

func fundingOutPoint(s *channel.State) wire.OutPoint {
	return wire.OutPoint{Hash: chainhash.Hash(s.FundingTxID), Index: uint32(s.FundingOutputIndex)}
}

// startChainWatch registers the loaded channels and starts polling.
func startChainWatch(ctx context.Context, rt *Channels, workers []*worker) (*chainWatch, error) {
	tip, err := rt.cfg.Chain.BlockCount(ctx)
	if err != nil {
		return nil, err
	}
	start := tip + 1
	raw, err := rt.cfg.Store.Var(ctx, chainHeightVar)
	switch {
	case err == nil && len(raw) == 4:
		start = min(start, lnwire.BlockHeight(binary.BigEndian.Uint32(raw))+1)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	for _, w := range workers {
		if v := w.snapshot(); needsLockIn(&v) {
			start = min(start, lnwire.BlockHeight(v.HeightHint))
		}
	}
	follower, err := chain.NewFollower(chain.FollowerConfig{StartHeight: start})
	if err != nil {
		return nil, err
	}
	cw := &chainWatch{
		rt: rt, follower: follower, watcher: chain.NewWatcher(start - 1),
		byTxID: make(map[chainhash.Hash]*worker), byOutput: make(map[wire.OutPoint]*worker),
	}
	for _, w := range workers {
		cw.add(w)
	}
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		err := chain.Poll(rt.ctx, chain.PollConfig{
			Source: rt.cfg.Chain, Follower: follower, Handle: cw.handle,
			Interval: rt.cfg.ChainPoll, Wake: rt.cfg.Wake, Logger: rt.log,
		})
		if err != nil && rt.ctx.Err() == nil {
			rt.log.Error("stopped following the chain", "err", err)
		}
	}()
	return cw, nil
}

// add watches a channel's funding: its confirmations until it is locked
// in, and its spend until one is seen.
func (cw *chainWatch) add(w *worker) {
	v := w.snapshot()
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if needsLockIn(&v) {
		txid := chainhash.Hash(v.State.FundingTxID)
		cw.byTxID[txid] = w
		cw.watcher.WatchConfirmations(txid, v.MinimumDepth)
	}
	if v.SpentHeight == 0 {
		op := fundingOutPoint(&v.State)
		cw.byOutput[op] = w
		cw.watcher.WatchSpend(op)
	}
}

// handle applies a batch of block events.
func (cw *chainWatch) handle(ctx context.Context, events []chain.Event) error {
	cw.mu.Lock()
	notes, err := cw.watcher.Apply(events)
	type target struct {
		note chain.Notification
		w    *worker
	}
	var targets []target
	for _, n := range notes {
		var w *worker
		switch n := n.(type) {
		case chain.TxConfirmed:
			w = cw.byTxID[n.TxID]
		case chain.TxUnconfirmed:
			w = cw.byTxID[n.TxID]
		case chain.OutputSpent:
			w = cw.byOutput[n.OutPoint]
		case chain.OutputUnspent:
			w = cw.byOutput[n.OutPoint]
		}
		if w != nil {
			targets = append(targets, target{n, w})
		}
	}
	cw.mu.Unlock()
	for _, t := range targets {
		if herr := cw.notify(ctx, t.w, t.note); herr != nil {
			return herr
		}
	}
	if err != nil {
		return err
	}
	if len(events) > 0 {
		last := events[len(events)-1]
		height := last.Height
		if last.Kind == chain.BlockDisconnected {
			height--
		}
		if err := cw.rt.cfg.Store.SetVar(ctx, chainHeightVar, binary.BigEndian.AppendUint32(nil, uint32(height))); err != nil {
			return err
		}
		cw.rt.newTip(height)
	}
	return nil
}

// notify gives a notification to its channel.
func (cw *chainWatch) notify(ctx context.Context, w *worker, n chain.Notification) error {
	switch n := n.(type) {
	case chain.TxConfirmed:
		v := w.snapshot()
		scid := lnwire.ShortChannelID{BlockHeight: uint32(n.Height), TxIndex: n.TxIndex, OutputIndex: v.State.FundingOutputIndex}
		w.log.Info("funding transaction locked in", "short_channel_id", scid.String(), "depth", n.Depth)
		w.inbox.push(item{kind: itemEvent, ev: channel.FundingLocked{ShortChannelID: scid}})
	case chain.TxUnconfirmed:
		w.log.Warn("a reorganisation removed the funding transaction's block", "txid", n.TxID)
	case chain.OutputSpent:
		w.log.Info("funding output spent", "txid", n.SpendingTx.TxHash(), "height", n.Height)
		if err := cw.rt.cfg.Store.SetChannelSpentHeight(ctx, w.index, uint32(n.Height)); err != nil {
			return err
		}
		w.setSpent(uint32(n.Height))
	case chain.OutputUnspent:
		w.log.Warn("a reorganisation removed the funding output's spend")
		if err := cw.rt.cfg.Store.SetChannelSpentHeight(ctx, w.index, 0); err != nil {
			return err
		}
		w.setSpent(0)
	}
	return nil
}
