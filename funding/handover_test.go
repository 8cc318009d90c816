package funding

import (
	"crypto/sha256"
	"testing"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// channelNode runs a handed-over channel.State the way the runtime would.
type channelNode struct {
	name     string
	env      channel.Env
	state    channel.State
	inbox    []lnwire.Message
	accepted []channel.HTLC
	settled  [][32]byte
}

func (n *channelNode) step(t *testing.T, peer *channelNode, ev channel.Event) {
	t.Helper()
	next, effects, err := channel.Step(n.state, n.env, ev)
	if err != nil {
		t.Fatalf("%s: %T: %v", n.name, ev, err)
	}
	n.state = next
	for _, e := range effects {
		switch e := e.(type) {
		case channel.SendMessage:
			peer.inbox = append(peer.inbox, e.Msg)
		case channel.HTLCAccepted:
			n.accepted = append(n.accepted, e.HTLC)
		case channel.HTLCSettled:
			n.settled = append(n.settled, e.Preimage)
		case channel.FailChannel:
			t.Fatalf("%s: channel failed: %v", n.name, e.Err)
		}
	}
}

// settle delivers messages and signs pending changes until both are idle.
func settle(t *testing.T, a, b *channelNode) {
	t.Helper()
	for range 100 {
		busy := false
		for _, pair := range [][2]*channelNode{{a, b}, {b, a}} {
			n, peer := pair[0], pair[1]
			if len(n.inbox) > 0 {
				msg := n.inbox[0]
				n.inbox = n.inbox[1:]
				n.step(t, peer, channel.PeerMessage{Msg: msg})
				busy = true
			}
			if n.state.CanSign() {
				n.step(t, peer, channel.SignCommitment{})
				busy = true
			}
		}
		if !busy {
			return
		}
	}
	t.Fatal("channels never settled")
}

// TestHandOverCarriesAnHTLC proves the two channel.States the negotiation
// produces are consistent: they exchange channel_ready, then one HTLC goes
// from the opener to the accepter and is fulfilled.
func TestHandOverCarriesAnHTLC(t *testing.T) {
	for name, features := range map[string]lnwire.FeatureVector{"static_remotekey": basicFeatures(), "anchors": fullFeatures()} {
		t.Run(name, func(t *testing.T) {
			p := newPair(features, features)
			if err := p.open(defaultOpen()); err != nil {
				t.Fatal(err)
			}
			a := &channelNode{name: "alice", env: p.opener.env.Channel, state: p.opener.handOver.Channel}
			b := &channelNode{name: "bob", env: p.accepter.env.Channel, state: p.accepter.handOver.Channel}
			scid := lnwire.ShortChannelID{BlockHeight: 103, TxIndex: 1, OutputIndex: uint16(p.opener.watch.Outpoint.Index)}
			a.step(t, b, channel.FundingLocked{ShortChannelID: scid})
			b.step(t, a, channel.FundingLocked{ShortChannelID: scid})
			settle(t, a, b)
			if a.state.Phase != channel.Normal || b.state.Phase != channel.Normal {
				t.Fatalf("phases %s / %s after channel_ready", a.state.Phase, b.state.Phase)
			}

			preimage := sha256.Sum256([]byte("preimage"))
			const amount lnwire.MilliSatoshi = 50_000_000
			a.step(t, b, channel.AddHTLC{Amount: amount, PaymentHash: sha256.Sum256(preimage[:]), CLTVExpiry: 500})
			settle(t, a, b)
			if len(b.accepted) != 1 || b.accepted[0].Amount != amount {
				t.Fatalf("bob accepted %v", b.accepted)
			}
			b.step(t, a, channel.FulfillHTLC{ID: b.accepted[0].ID, Preimage: preimage})
			settle(t, a, b)
			if len(a.settled) != 1 || a.settled[0] != preimage {
				t.Fatalf("alice settled %v", a.settled)
			}
			push := defaultOpen().PushMsat
			capacity := defaultOpen().Funding.ToMilliSatoshis()
			for _, n := range []*channelNode{a, b} {
				if len(n.state.LocalCommit.Spec.HTLCs) != 0 || n.state.LocalCommit.Number != 2 {
					t.Errorf("%s: commitment %d with %d HTLCs", n.name, n.state.LocalCommit.Number, len(n.state.LocalCommit.Spec.HTLCs))
				}
			}
			if got := b.state.LocalCommit.Spec.Balance[channel.Local]; got != push+amount {
				t.Errorf("bob's balance %s, want %s", got, push+amount)
			}
			if got := a.state.LocalCommit.Spec.Balance[channel.Local]; got != capacity-push-amount {
				t.Errorf("alice's balance %s, want %s", got, capacity-push-amount)
			}
		})
	}
}
