package itest

import (
	"context"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
)

// waitFeerate waits until the node's only channel has the commitment
// feerate (sat/kw).
func waitFeerate(t *testing.T, n *devnet.Node, perkw uint32) peerChannel {
	t.Helper()
	var last []peerChannel
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		last = listPeerChannels(t, n)
		if len(last) == 1 && last[0].Feerate.PerKW == perkw {
			return last[0]
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: feerate not %d: %+v", n.Name, perkw, last)
	return peerChannel{}
}

// waitNoHTLC waits until the node's only channel has no HTLC left.
func waitNoHTLC(t *testing.T, n *devnet.Node) peerChannel {
	t.Helper()
	var last []peerChannel
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		last = listPeerChannels(t, n)
		if len(last) == 1 && len(last[0].HTLCs) == 0 && last[0].PeerConnected {
			return last[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: HTLCs left: %+v", n.Name, last)
	return peerChannel{}
}

// TestChannelFeeUpdateThenUnilateralClose: the opener's chain feerate
// changes (a restart with another force-feerates), so at the next block it sends update_fee and both sides move
// to it; a payment still goes through; then, with the peer gone, close
// gives up on the mutual close after unilateraltimeout and broadcasts the
// opener's commitment, whose fee is the updated feerate's, to the satoshi.
func TestChannelFeeUpdateThenUnilateralClose(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	const capacity = 600_000
	a, b, _, bID := channelPair(t, net, "feeclose", 1_000_000)
	var opened fundChannelReply
	if err := a.Call(ctx, "fundchannel", map[string]any{"id": bID, "amount": capacity, "channel_type": []int{12}}, &opened); err != nil {
		t.Fatalf("fundchannel: %v", err)
	}
	mine(t, net.Chain, 3)
	waitChannel(t, a, "CHANNELD_NORMAL")
	waitChannel(t, b, "CHANNELD_NORMAL")
	waitFeerate(t, a, 1000) // force-feerates of devnet nodes

	// The accepter's estimate does not matter: only the opener pays.
	if err := b.SetOption("force-feerates", "5000"); err != nil {
		t.Fatal(err)
	}
	if err := b.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.SetOption("force-feerates", "3000"); err != nil {
		t.Fatal(err)
	}
	if err := a.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitChannel(t, a, "CHANNELD_NORMAL")
	mine(t, net.Chain, 1)
	waitFeerate(t, a, 3000)
	waitFeerate(t, b, 3000)

	inv := makeInvoice(t, b, 25_000_000, "after-update-fee")
	var paid paymentReply
	if err := a.Call(ctx, "pay", []any{inv.Bolt11}, &paid); err != nil {
		t.Fatalf("pay after update_fee: %v", err)
	}
	checkPreimage(t, paid)
	// pay returns with the preimage; the HTLC leaves both commitments one
	// commitment dance later.
	before := waitNoHTLC(t, a)
	waitNoHTLC(t, b)

	// b is gone: no mutual close can happen.
	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	var closed struct {
		Type string `json:"type"`
		Tx   string `json:"tx"`
		TxID string `json:"txid"`
	}
	if err := a.Call(ctx, "close", map[string]any{"id": bID, "unilateraltimeout": 1}, &closed); err != nil {
		t.Fatalf("close: %v", err)
	}
	if closed.Type != "unilateral" {
		t.Fatalf("close type %q", closed.Type)
	}
	tx := decodeTx(t, closed.Tx)
	if tx.TxHash().String() != closed.TxID || tx.TxIn[0].PreviousOutPoint.Hash.String() != opened.TxID {
		t.Fatalf("the commitment does not spend the funding output: %s", closed.TxID)
	}
	// BOLT #3: a commitment without HTLCs weighs 724; its fee is
	// feerate_per_kw * weight / 1000, paid by the opener (a).
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	if fee := int64(3000 * 724 / 1000); out != capacity-fee {
		t.Fatalf("commitment outputs %d, want %d - %d", out, capacity, fee)
	}
	toB := false
	for _, o := range tx.TxOut {
		toB = toB || uint64(o.Value) == (before.TotalMsat-before.ToUsMsat)/1000
	}
	if !toB {
		t.Fatalf("no output pays b's %d msat", before.TotalMsat-before.ToUsMsat)
	}
	waitChannel(t, a, "AWAITING_UNILATERAL")
	mine(t, net.Chain, 1)
	waitChannel(t, a, "ONCHAIN")

	// b comes back and sees the channel closed on chain.
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitChannel(t, b, "ONCHAIN")
}
