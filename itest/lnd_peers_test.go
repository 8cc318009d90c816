package itest

import (
	"context"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// startLnd runs the pinned lnd on the devnet's chain.
func startLnd(t *testing.T, net *devnet.TestNetwork, alias string) *lndtest.TestNode {
	t.Helper()
	bin := lndtest.RequireBinaries(t)
	rpc := net.Chain.RPC()
	return lndtest.StartT(t, bin, lndtest.Options{
		BtcdRPCHost: rpc.Host, BtcdRPCUser: rpc.User, BtcdRPCPass: rpc.Pass, BtcdRPCCert: rpc.CertPath,
		Alias: alias,
	})
}

// lndSees reports whether lnd lists id as a connected peer, and its
// features as lnd decoded them.
func lndSees(lnd *lndtest.TestNode, id string) (lnwire.FeatureVector, bool) {
	for _, p := range lnd.ListPeers() {
		if p.PubKey == id {
			return p.Features.Vector(), true
		}
	}
	return lnwire.FeatureVector{}, false
}

// TestLndConnectsBothWays: Fulmen connects to lnd and lnd to Fulmen; both
// list each other with the right features, pings work, and lnd keeps the
// connection (it drops peers whose features it dislikes).
func TestLndConnectsBothWays(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	lnd := startLnd(t, net, "lnd")
	ctx := context.Background()
	aliceID, lndID := info(t, alice).ID, lnd.Pubkey()

	check := func(direction string) {
		t.Helper()
		// lnd lists a peer before it has read the peer's init: wait for
		// the features too.
		waitFor(t, 20*time.Second, direction+": both sides list each other", func() bool {
			f, ok := lndSees(lnd, aliceID)
			return ok && len(f.Bits()) > 0 && seesPeer(t, alice, lndID)
		})
		features, _ := lndSees(lnd, aliceID)
		// What lnd requires of every peer: option_data_loss_protect, and
		// the bits it knows as ours.
		for _, bit := range []lnwire.FeatureBit{lnwire.DataLossProtectRequired, lnwire.VarOnionOptinRequired,
			lnwire.StaticRemoteKeyRequired, lnwire.PaymentSecretRequired} {
			if !features.IsSet(bit) {
				t.Errorf("%s: lnd does not see our bit %d (%v)", direction, bit, features)
			}
		}
		var pong struct {
			Totlen int `json:"totlen"`
		}
		if err := alice.Call(ctx, "ping", map[string]any{"id": lndID, "len": 10, "pongbytes": 20}, &pong); err != nil {
			t.Fatalf("%s: ping lnd: %v", direction, err)
		}
		if pong.Totlen != 24 {
			t.Fatalf("%s: pong totlen %d", direction, pong.Totlen)
		}
		// lnd disconnects within moments a peer it rejects; still there?
		time.Sleep(2 * time.Second)
		if _, ok := lndSees(lnd, aliceID); !ok || !seesPeer(t, alice, lndID) {
			t.Fatalf("%s: connection dropped", direction)
		}
	}

	if err := alice.Call(ctx, "connect", []any{lndID + "@" + lnd.P2PAddress()}, nil); err != nil {
		t.Fatalf("fulmen connect lnd: %v", err)
	}
	check("fulmen->lnd")

	if err := alice.Call(ctx, "disconnect", []any{lndID}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "lnd to see the disconnect", func() bool {
		_, ok := lndSees(lnd, aliceID)
		return !ok
	})

	lnd.ConnectPeer(aliceID, alice.P2PAddress)
	check("lnd->fulmen")
}
