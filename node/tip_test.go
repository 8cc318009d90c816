package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// fakeFees is a FeeEstimator whose estimate the test sets; zero means no
// estimate.
type fakeFees struct {
	mu   sync.Mutex
	rate lnwire.FeeratePerKW
}

var errNoEstimate = errors.New("no estimate")

func (f *fakeFees) set(rate lnwire.FeeratePerKW) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate = rate
}

func (f *fakeFees) CommitmentFeerates(context.Context) (map[channeltx.ChannelType]lnwire.FeeratePerKW, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rate == 0 {
		return nil, errNoEstimate
	}
	return map[channeltx.ChannelType]lnwire.FeeratePerKW{channeltx.StaticRemoteKey: f.rate, channeltx.AnchorsZeroFeeHTLC: f.rate}, nil
}

func TestTargetCommitFeerate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		typ      channeltx.ChannelType
		estimate lnwire.FeeratePerKW
		want     lnwire.FeeratePerKW
	}{
		{"static_remotekey as estimated", channeltx.StaticRemoteKey, 5000, 5000},
		{"static_remotekey floor", channeltx.StaticRemoteKey, 100, MinCommitFeerate},
		{"anchors under the cap", channeltx.AnchorsZeroFeeHTLC, 1200, 1200},
		{"anchors capped", channeltx.AnchorsZeroFeeHTLC, 9000, MaxAnchorCommitFeerate},
		{"anchors floor", channeltx.AnchorsZeroFeeHTLC, 1, MinCommitFeerate},
	} {
		if got := targetCommitFeerate(tc.typ, tc.estimate); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestFeerateMoved(t *testing.T) {
	for _, tc := range []struct {
		current, target lnwire.FeeratePerKW
		moved           bool
	}{
		{1000, 1000, false},
		{1000, 1100, false}, // exactly a tenth: noise
		{1000, 1101, true},
		{1000, 900, false},
		{1000, 899, true},
		{253, 5000, true},
	} {
		if got := feerateMoved(tc.current, tc.target); got != tc.moved {
			t.Errorf("feerateMoved(%d, %d) = %t, want %t", tc.current, tc.target, got, tc.moved)
		}
	}
}

// feerateIs waits until both commitments of the channel have the feerate.
func feerateIs(n *testNode, index uint64, rate lnwire.FeeratePerKW) View {
	n.h.t.Helper()
	return n.waitView(index, fmt.Sprintf("feerate %d", rate), func(v *View) bool {
		s := &v.State
		return s.LocalCommit.Spec.Feerate == rate && s.RemoteCommit.Spec.Feerate == rate && s.RemotePending == nil
	})
}

// TestOpenerFollowsChainFeerate: at each block the opener compares its
// commitment feerate with the estimate and sends update_fee when it moved
// by more than a tenth; the accepter never does; anchor channels are
// capped.
func TestOpenerFollowsChainFeerate(t *testing.T) {
	for _, typ := range []channeltx.ChannelType{channeltx.StaticRemoteKey, channeltx.AnchorsZeroFeeHTLC} {
		t.Run(typ.String(), func(t *testing.T) {
			h := newHarness(t)
			alice := h.node("alice", 1_000_000)
			bob := h.node("bob")
			h.connect(alice, bob)
			_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000, FundingFeerate: 1000, Type: typ})
			feerateIs(alice, ia, 1000)

			// The accepter's estimate changes nothing.
			bob.fees.set(4000)
			h.mine(1)
			alice.fees.set(1050) // within a tenth
			h.mine(1)
			feerateIs(bob, ib, 1000)

			alice.fees.set(4000)
			h.mine(1)
			want := targetCommitFeerate(typ, 4000)
			feerateIs(alice, ia, want)
			feerateIs(bob, ib, want)

			// Down again, and the channel still pays.
			alice.fees.set(600)
			h.mine(1)
			feerateIs(alice, ia, 600)
			feerateIs(bob, ib, 600)
		})
	}
}

// TestFeerateFollowedAfterRestart: the opener restarted with a new
// estimate updates the feerate once the link is up again and a block
// comes.
func TestFeerateFollowedAfterRestart(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	h.connect(alice, bob)
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000, FundingFeerate: 1000})
	alice.restart()
	alice.fees.set(2000)
	h.connect(alice, bob)
	alice.waitView(ia, "reconnected", func(v *View) bool { return v.Connected })
	h.mine(1)
	feerateIs(alice, ia, 2000)
	feerateIs(bob, ib, 2000)
}

// TestOfferedHTLCPastDeadlineFailsChannel: an HTLC we offered that the
// peer neither fulfils nor fails fails the channel G blocks after its
// cltv_expiry, and our commitment, with the HTLC, is broadcast.
func TestOfferedHTLCPastDeadlineFailsChannel(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob") // its payment log accepts HTLCs and never decides
	ab, _ := h.connect(alice, bob)
	_, ia, _ := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000})
	hash := chainhash.HashH([]byte("never paid"))
	_, err := alice.rt.SendPayment(context.Background(), PaymentRequest{Destination: bob.id, Amount: 10_000_000, PaymentHash: hash, FinalCLTVDelta: 18})
	if err != nil {
		t.Fatal(err)
	}
	settled(alice, ia, 1)
	expiry := alice.worker(ia).snapshot().State.LocalCommit.Spec.HTLCs[0].CLTVExpiry
	ab.dead.Store(true) // bob would race with his own commitment

	grace := channel.DefaultPolicy().OfferedGrace
	h.mine(int(expiry + grace - 1 - h.chain.Height()))
	if v := alice.worker(ia).snapshot(); v.State.Phase != channel.Normal {
		t.Fatalf("failed one block early: %s", v.State.Phase)
	}
	h.mine(1)
	v := alice.waitView(ia, "failed with a commitment", func(v *View) bool {
		return v.State.Phase == channel.Failed && v.ClosingTx != nil
	})
	if len(v.ClosingTx.TxOut) < 3 || !h.chain.inMempool(v.ClosingTx.TxHash()) {
		t.Fatalf("commitment with %d outputs, in mempool %t", len(v.ClosingTx.TxOut), h.chain.inMempool(v.ClosingTx.TxHash()))
	}
}

// TestOpeningCommitFeerateFromEstimate: the first commitments pay the
// estimate the channel will follow (capped for anchors), not the funding
// transaction's feerate.
func TestOpeningCommitFeerateFromEstimate(t *testing.T) {
	for _, tc := range []struct {
		typ  channeltx.ChannelType
		want lnwire.FeeratePerKW
	}{
		{channeltx.StaticRemoteKey, 3000},
		{channeltx.AnchorsZeroFeeHTLC, MaxAnchorCommitFeerate},
		{0, MaxAnchorCommitFeerate}, // both support anchors: chosen by default
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			h := newHarness(t)
			alice := h.node("alice", 1_000_000)
			bob := h.node("bob")
			h.connect(alice, bob)
			alice.fees.set(3000)
			_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000, FundingFeerate: 1000, Type: tc.typ})
			// Still the first commitments: no update_fee was needed.
			for _, v := range []View{alice.worker(ia).snapshot(), bob.worker(ib).snapshot()} {
				if v.State.LocalCommit.Number != 0 || v.State.LocalCommit.Spec.Feerate != tc.want {
					t.Fatalf("commitment %d at %d, want the first at %d", v.State.LocalCommit.Number, v.State.LocalCommit.Spec.Feerate, tc.want)
				}
			}
		})
	}
}
