package node

import (
	"context"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/wallet"
)

// openChannel opens a channel from a to b and mines it to lock-in; it
// returns both channel indexes.
func openChannel(t testing.TB, h *harness, a, b *testNode, req OpenRequest) (OpenResult, uint64, uint64) {
	t.Helper()
	req.Peer = b.id
	if req.FundingFeerate == 0 {
		req.FundingFeerate = 1000
	}
	res, err := a.rt.Open(context.Background(), req)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	ia := a.onlyChannel()
	ib := b.onlyChannel()
	a.waitView(ia, "awaiting lock-in", func(v *View) bool { return v.State.Phase == channel.AwaitingReady })
	b.waitView(ib, "awaiting lock-in", func(v *View) bool { return v.State.Phase == channel.AwaitingReady })
	if !h.chain.inMempool(res.Tx.TxHash()) {
		t.Fatal("funding transaction not broadcast")
	}
	h.mine(2)
	if v := a.worker(ia).snapshot(); v.State.ReadySent {
		t.Fatal("channel_ready sent before minimum_depth")
	}
	h.mine(1)
	a.waitPhase(ia, channel.Normal)
	b.waitPhase(ib, channel.Normal)
	return res, ia, ib
}

func (c *fakeChain) inMempool(txid [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tx := range c.mempool {
		if tx.TxHash() == txid {
			return true
		}
	}
	return false
}

// changeOf sums the funding transaction's outputs other than the funding
// output: the opener's change.
func changeOf(res OpenResult) lnwire.Satoshi {
	var sum lnwire.Satoshi
	for i, out := range res.Tx.TxOut {
		if uint32(i) != res.OutputIndex {
			sum += lnwire.Satoshi(out.Value)
		}
	}
	return sum
}

func TestOpenRestartClose(t *testing.T) {
	cases := []struct {
		name string
		typ  channeltx.ChannelType
		push lnwire.MilliSatoshi
	}{
		{"static_remotekey without push", channeltx.StaticRemoteKey, 0},
		{"static_remotekey with push", channeltx.StaticRemoteKey, 123_456_000},
		{"anchors without push", channeltx.AnchorsZeroFeeHTLC, 0},
		{"anchors with push", channeltx.AnchorsZeroFeeHTLC, 200_000_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			alice := h.node("alice", 2_000_000)
			bob := h.node("bob")
			h.connect(alice, bob)
			const capacity = 700_000
			res, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: capacity, PushMsat: tc.push, Type: tc.typ})
			if res.Type != tc.typ {
				t.Fatalf("channel type %s, want %s", res.Type, tc.typ)
			}
			va := alice.worker(ia).snapshot()
			vb := bob.worker(ib).snapshot()
			if va.State.ChannelID != res.ChannelID || vb.State.ChannelID != res.ChannelID {
				t.Fatal("channel ids differ")
			}
			if va.State.ShortChannelID != vb.State.ShortChannelID || va.State.ShortChannelID.BlockHeight == 0 {
				t.Fatalf("short_channel_id %s / %s", va.State.ShortChannelID, vb.State.ShortChannelID)
			}
			toAlice := lnwire.Satoshi(capacity).ToMilliSatoshis() - tc.push
			if va.State.LocalCommit.Spec.Balance[channel.Local] != toAlice || vb.State.LocalCommit.Spec.Balance[channel.Local] != tc.push {
				t.Fatalf("balances %s / %s", va.State.LocalCommit.Spec.Balance, vb.State.LocalCommit.Spec.Balance)
			}
			if alice.peers.persistent[keyOf(bob.id)] == "" {
				t.Fatal("the peer we dialled is not persistent")
			}

			// Both restart; the channel comes back with channel_reestablish.
			alice.restart()
			bob.restart()
			if v := alice.worker(ia).snapshot(); v.Connected || v.State.Phase != channel.Normal {
				t.Fatalf("after restart: connected %v, phase %s", v.Connected, v.State.Phase)
			}
			h.connect(alice, bob)
			alice.waitPhase(ia, channel.Normal)
			bob.waitPhase(ib, channel.Normal)

			aliceBefore := alice.confirmedBalance()
			if aliceBefore != changeOf(res) {
				t.Fatalf("alice's wallet holds %s, her change is %s", aliceBefore, changeOf(res))
			}
			closed, err := alice.rt.CloseChannel(context.Background(), CloseRequest{Channel: ChannelRef{Peer: bob.id}})
			if err != nil {
				t.Fatal(err)
			}
			bob.waitView(ib, "closed", func(v *View) bool { return v.State.Phase == channel.Closed && v.ClosingTx != nil })
			if got := bob.worker(ib).snapshot().ClosingTx.TxHash(); got != closed.Tx.TxHash() {
				t.Fatalf("bob broadcast %s, alice %s", got, closed.Tx.TxHash())
			}
			h.mine(1)
			alice.waitView(ia, "funding spent", func(v *View) bool { return v.SpentHeight != 0 })
			bob.waitView(ib, "funding spent", func(v *View) bool { return v.SpentHeight != 0 })

			// Final on-chain balances: the channel balances minus the
			// closing fee, which the opener pays, to the satoshi.
			wantAlice := aliceBefore + toAlice.ToSatoshis() - closed.Fee
			if got := alice.confirmedBalance(); got != wantAlice {
				t.Fatalf("alice ends with %s, want %s (fee %s)", got, wantAlice, closed.Fee)
			}
			if got := bob.confirmedBalance(); got != tc.push.ToSatoshis() {
				t.Fatalf("bob ends with %s, want %s", got, tc.push.ToSatoshis())
			}
			if closed.Fee == 0 {
				t.Fatal("no closing fee")
			}
			counts := alice.rt.Count()
			if counts != (Counts{Inactive: 1}) {
				t.Fatalf("counts after close %+v", counts)
			}
		})
	}
}

func TestOpenMisuse(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 100_000)
	bob := h.node("bob")
	carol := h.node("carol")
	h.connect(alice, bob)
	ctx := context.Background()
	cases := []struct {
		name string
		req  OpenRequest
		want error
	}{
		{"unknown peer", OpenRequest{Peer: carol.id, Amount: 50_000, FundingFeerate: 1000}, ErrPeerNotConnected},
		{"below the minimum", OpenRequest{Peer: bob.id, Amount: 10_000, FundingFeerate: 1000}, funding.ErrFundingTooSmall},
		{"insufficient funds", OpenRequest{Peer: bob.id, Amount: 500_000, FundingFeerate: 1000}, wallet.ErrInsufficientFunds},
		{"push above the amount", OpenRequest{Peer: bob.id, Amount: 50_000, PushMsat: 60_000_000, FundingFeerate: 1000}, funding.ErrPushTooLarge},
	}
	before := alice.confirmedBalance()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alice.rt.Open(ctx, tc.req)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if got := alice.confirmedBalance(); got != before || len(alice.rt.List(nil)) != 0 || len(bob.rt.List(nil)) != 0 {
		t.Fatalf("a refused open moved money or made a channel: balance %s, channels %d/%d",
			got, len(alice.rt.List(nil)), len(bob.rt.List(nil)))
	}
	outs, _ := alice.wallet.Outputs(ctx, false)
	for _, o := range outs {
		if o.Reserved {
			t.Fatalf("output %s left reserved", o.OutPoint)
		}
	}
}
