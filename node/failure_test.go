package node

import (
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// TestPeerErrorFailsChannelAndBroadcastsCommitment: an error from the peer
// for the channel fails it (BOLT #1) and our latest commitment, signed
// only now, is broadcast; the chain double checks its witness against the
// funding output.
func TestPeerErrorFailsChannelAndBroadcastsCommitment(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	ab, ba := h.connect(alice, bob)
	res, ia, _ := openChannel(t, h, alice, bob, OpenRequest{Amount: 400_000, PushMsat: 5_000_000})
	// Alice's own error must not reach bob, who would race her with his
	// commitment.
	ab.dead.Store(true)
	if err := ba.Send(context.Background(), &lnwire.Error{ChannelID: res.ChannelID, Data: []byte("something broke")}); err != nil {
		t.Fatal(err)
	}
	v := alice.waitView(ia, "failed with a commitment", func(v *View) bool {
		return v.State.Phase == channel.Failed && v.ClosingTx != nil
	})
	commitment := v.ClosingTx
	if commitment.TxIn[0].PreviousOutPoint.Hash != chainhash.Hash(v.State.FundingTxID) || !h.chain.inMempool(commitment.TxHash()) {
		t.Fatal("our commitment is not in the mempool")
	}
	h.mine(1)
	alice.waitView(ia, "funding spent", func(v *View) bool { return v.SpentHeight != 0 })
	if alice.rt.HasActiveChannels(bob.id) {
		t.Fatal("a failed channel still counts as active")
	}
	if _, err := alice.rt.CloseChannel(context.Background(), CloseRequest{Channel: ChannelRef{ChannelID: &res.ChannelID}}); !errors.Is(err, ErrChannelClosed) {
		t.Fatalf("closing a failed channel: %v", err)
	}

	// After a restart the failed channel is still there, and not
	// broadcast again since its funding output is spent.
	alice.restart()
	if v := alice.worker(ia).snapshot(); v.State.Phase != channel.Failed || v.SpentHeight == 0 {
		t.Fatalf("after restart: %s spent at %d", v.State.Phase, v.SpentHeight)
	}
}

// TestInboundOpenRefusedByPolicy: bob's minimum channel size refuses
// alice's open_channel; alice's fundchannel fails with bob's reason and
// her inputs are free again.
func TestInboundOpenRefusedByPolicy(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	bob.rt.cfg.Funding.MinFunding = 500_000 // before any negotiation starts
	h.connect(alice, bob)
	_, err := alice.rt.Open(context.Background(), OpenRequest{Peer: bob.id, Amount: 100_000, FundingFeerate: 1000})
	if !errors.Is(err, ErrOpenRefused) || !errors.Is(err, funding.ErrPeerFailed) {
		t.Fatalf("got %v", err)
	}
	if len(alice.rt.List(nil)) != 0 || len(bob.rt.List(nil)) != 0 || alice.rt.opens.pending(keyOf(bob.id)) != 0 {
		t.Fatal("a refused negotiation left something behind")
	}
	outs, _ := alice.wallet.Outputs(context.Background(), false)
	for _, o := range outs {
		if o.Reserved {
			t.Fatalf("input %s still reserved", o.OutPoint)
		}
	}
}

func TestSpendableAndReceivable(t *testing.T) {
	base := func() channel.State {
		return channel.State{
			Type: channeltx.StaticRemoteKey, Opener: channel.Local, Capacity: 1_000_000, Phase: channel.Normal,
			Local:       channel.Params{ChannelReserve: 10_000, MaxHTLCValueInFlight: 900_000_000},
			Remote:      channel.Params{ChannelReserve: 20_000, MaxHTLCValueInFlight: 500_000_000},
			LocalCommit: channel.LocalCommitment{Spec: channel.Spec{Feerate: 1000, Balance: [2]lnwire.MilliSatoshi{700_000_000, 300_000_000}}},
		}
	}
	// The opener keeps the fee spike buffer: the fee with the new HTLC and
	// one more, at twice the feerate (BOLT 2), as the channel machine does.
	fee1 := channeltx.CommitmentFee(channeltx.StaticRemoteKey, 2000, 2).ToMilliSatoshis()
	anchorFee1 := channeltx.CommitmentFee(channeltx.AnchorsZeroFeeHTLC, 2000, 2).ToMilliSatoshis() + 660_000
	cases := []struct {
		name                  string
		edit                  func(s *channel.State)
		spendable, receivable lnwire.MilliSatoshi
	}{
		{"opener capped by the peer's in-flight limit", func(*channel.State) {}, 500_000_000, 300_000_000 - 10_000_000},
		{"opener pays the fee", func(s *channel.State) { s.Remote.MaxHTLCValueInFlight = 1 << 40 },
			700_000_000 - 20_000_000 - fee1, 290_000_000},
		{"accepter", func(s *channel.State) { s.Opener = channel.Remote; s.Remote.MaxHTLCValueInFlight = 1 << 40 },
			680_000_000, 300_000_000 - 10_000_000 - fee1},
		{"anchors", func(s *channel.State) { s.Type = channeltx.AnchorsZeroFeeHTLC; s.Remote.MaxHTLCValueInFlight = 1 << 40 },
			700_000_000 - 20_000_000 - anchorFee1, 290_000_000},
		{"offered HTLCs count against the in-flight limit", func(s *channel.State) {
			s.LocalCommit.Spec.HTLCs = []channel.HTLC{{Offerer: channel.Local, Amount: 450_000_000}}
			s.LocalCommit.Spec.Balance[channel.Local] = 250_000_000
		}, 50_000_000, 290_000_000},
		{"balance below the reserve", func(s *channel.State) { s.LocalCommit.Spec.Balance = [2]lnwire.MilliSatoshi{15_000_000, 985_000_000} },
			0, 900_000_000},
		{"not in normal operation", func(s *channel.State) { s.Phase = channel.ShuttingDown }, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.edit(&s)
			v := View{State: s}
			if got := v.Spendable(); got != tc.spendable {
				t.Errorf("spendable %s, want %s", got, tc.spendable)
			}
			if got := v.Receivable(); got != tc.receivable {
				t.Errorf("receivable %s, want %s", got, tc.receivable)
			}
		})
	}
}
