package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/channel"
)

// TestCloseFallsBackToUnilateral: a peer that does not answer our shutdown
// gets our commitment on chain once the timeout passes (Core Lightning's
// unilateraltimeout); the result says so and a restart keeps the channel
// failed without a second broadcast.
func TestCloseFallsBackToUnilateral(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	ab, _ := h.connect(alice, bob)
	res, ia, _ := openChannel(t, h, alice, bob, OpenRequest{Amount: 400_000, PushMsat: 7_000_000})
	ab.dead.Store(true) // bob never hears of the shutdown

	closed, err := alice.rt.CloseChannel(context.Background(), CloseRequest{Channel: ChannelRef{ChannelID: &res.ChannelID}, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !closed.Unilateral || closed.Tx == nil {
		t.Fatalf("result %+v", closed)
	}
	if closed.Tx.TxIn[0].PreviousOutPoint.Hash != res.Tx.TxHash() || !h.chain.inMempool(closed.Tx.TxHash()) {
		t.Fatal("our commitment does not spend the funding output or is not in the mempool")
	}
	v := alice.worker(ia).snapshot()
	if v.State.Phase != channel.Failed || v.State.Failure == "" {
		t.Fatalf("state %s failure %q", v.State.Phase, v.State.Failure)
	}
	// A second close names the channel as closed.
	if _, err := alice.rt.CloseChannel(context.Background(), CloseRequest{Channel: ChannelRef{ChannelID: &res.ChannelID}}); !errors.Is(err, ErrChannelClosed) {
		t.Fatalf("second close: %v", err)
	}
	h.mine(1)
	alice.waitView(ia, "funding spent", func(v *View) bool { return v.SpentHeight != 0 })
	alice.restart()
	if v := alice.worker(ia).snapshot(); v.State.Phase != channel.Failed || chainhash.Hash(v.ClosingTx.TxHash()) != closed.Tx.TxHash() {
		t.Fatalf("after restart: %s", v.State.Phase)
	}
}

// TestCloseWithoutTimeoutWaitsForThePeer: with no timeout the close waits
// (Core Lightning's unilateraltimeout 0) and nothing is broadcast; the
// mutual close completes once the peer hears us.
func TestCloseWithoutTimeoutWaitsForThePeer(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	ab, _ := h.connect(alice, bob)
	res, ia, _ := openChannel(t, h, alice, bob, OpenRequest{Amount: 400_000})
	ab.dead.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := alice.rt.CloseChannel(ctx, CloseRequest{Channel: ChannelRef{ChannelID: &res.ChannelID}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("close without a timeout: %v", err)
	}
	if v := alice.worker(ia).snapshot(); v.State.Phase == channel.Failed || v.ClosingTx != nil {
		t.Fatalf("closed unilaterally without a timeout: %s", v.State.Phase)
	}
	// Reconnect: the shutdown goes out after channel_reestablish.
	alice.peers.dropAll()
	bob.peers.dropAll()
	h.connect(alice, bob)
	closed, err := alice.rt.CloseChannel(context.Background(), CloseRequest{Channel: ChannelRef{ChannelID: &res.ChannelID}})
	if err != nil || closed.Unilateral {
		t.Fatalf("mutual close after reconnection: %+v, %v", closed, err)
	}
}
