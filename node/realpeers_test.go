package node

import (
	"context"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/peer"
)

// managedNode runs a node's runtime behind a real peer manager listening
// on loopback TCP.
type managedNode struct {
	*testNode
	manager *peer.Manager
	addr    string // where it listens; kept across restarts
}

// startManaged builds the runtime and its peer manager, as the daemon
// does: the runtime is the manager's message and event handler.
func startManaged(t *testing.T, n *testNode, addr string) *managedNode {
	t.Helper()
	if n.rt != nil {
		n.rt.Stop()
	}
	rt, err := New(n.config())
	if err != nil {
		t.Fatal(err)
	}
	n.rt = rt
	cfg := peer.DefaultConfig()
	cfg.Key = n.signer.NodeECDH()
	cfg.Chain = rt.cfg.ChainHash
	cfg.Features = rt.cfg.Funding.LocalFeatures
	cfg.Handler, cfg.Events, cfg.HasActiveChannels = rt, rt, rt.HasActiveChannels
	cfg.ReconnectMin, cfg.ReconnectMax = 20*time.Millisecond, 200*time.Millisecond
	cfg.Logger = testLogger(t, n.name+"/peer")
	m, err := peer.NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background(), ManagerPeers{Manager: m}); err != nil {
		t.Fatal(err)
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	bound, err := m.Listen(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	mn := &managedNode{testNode: n, manager: m, addr: bound.String()}
	t.Cleanup(func() { m.Close() })
	return mn
}

// restart closes the manager (every connection drops) and the runtime,
// then starts both again on the same store and address.
func (m *managedNode) restart(t *testing.T) *managedNode {
	m.manager.Close()
	m.rt.Stop()
	m.rt = nil
	return startManaged(t, m.testNode, m.addr)
}

// TestOverRealPeerManagers runs a channel's life between two runtimes
// connected by real peer managers (BOLT 8 over loopback TCP): open, lock
// in, an HTLC, both restart and the opener's manager reconnects by
// itself, mutual close.
func TestOverRealPeerManagers(t *testing.T) {
	h := newHarness(t)
	alice := startManaged(t, h.node("alice", 1_000_000), "")
	bob := startManaged(t, h.node("bob"), "")
	ctx := context.Background()
	if _, err := alice.manager.Connect(ctx, bob.id, bob.addr); err != nil {
		t.Fatal(err)
	}
	res, err := alice.rt.Open(ctx, OpenRequest{Peer: bob.id, Amount: 300_000, PushMsat: 10_000_000,
		FundingFeerate: 1000, Type: channeltx.AnchorsZeroFeeHTLC})
	if err != nil {
		t.Fatal(err)
	}
	h.mine(3)
	ia, ib := alice.onlyChannel(), bob.onlyChannel()
	alice.waitPhase(ia, channel.Normal)
	bob.waitPhase(ib, channel.Normal)
	if err := alice.manager.Disconnect(bob.id, false); err == nil {
		t.Fatal("disconnect without force dropped a peer with a channel")
	}

	preimage := [32]byte{4, 2}
	addHTLC(t, alice.testNode, ia, 20_000_000, preimage)
	settled(bob.testNode, ib, 1)
	fulfill(t, bob.testNode, ib, 0, preimage)
	settled(alice.testNode, ia, 0)

	alice = alice.restart(t)
	bob = bob.restart(t)
	// Nobody calls Connect: alice marked bob persistent when she opened
	// the channel, and the address was stored with it.
	alice.waitPhase(ia, channel.Normal)
	bob.waitPhase(ib, channel.Normal)
	if got := bob.worker(ib).snapshot().State.LocalCommit.Spec.Balance[channel.Local]; got != 30_000_000 {
		t.Fatalf("bob's balance after restart %s", got)
	}

	closed, err := bob.rt.CloseChannel(ctx, CloseRequest{Channel: ChannelRef{ChannelID: &res.ChannelID}})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitView(ia, "closed", func(v *View) bool { return v.ClosingTx != nil })
	h.mine(1)
	bob.waitView(ib, "funding spent", func(v *View) bool { return v.SpentHeight != 0 })
	if got, want := bob.confirmedBalance(), lnwire.MilliSatoshi(30_000_000).ToSatoshis(); got != want {
		t.Fatalf("bob ends with %s, want %s (closing fee %s paid by alice)", got, want, closed.Fee)
	}
}
