package channel

import (
	"github.com/fulmen-ln/fulmen/lnwire"
	"testing"
)

func TestHTLCDeadlines(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := h.nodes[0], h.nodes[1]
	committedToBob(h, 5_000_000) // cltv_expiry 600
	hash := bob.state.LocalCommit.Spec.HTLCs[0].PaymentHash
	h.step(bob, FulfillHTLC{ID: 0, Preimage: h.preimages[hash]})

	for _, tc := range []struct {
		name   string
		n      *node
		height uint32
		fails  bool
	}{
		// Outgoing: fail G=2 blocks after cltv_expiry.
		{"outgoing before its deadline", alice, 601, false},
		{"outgoing at its deadline", alice, 602, true},
		// Incoming and fulfilled: fail 18 blocks before cltv_expiry.
		{"fulfilled incoming before its deadline", bob, 581, false},
		{"fulfilled incoming at its deadline", bob, 582, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.n.state.Clone()
			next, effects, err := Step(tc.n.state, tc.n.env, NewBlock{Height: lnwire.BlockHeight(tc.height)})
			if !tc.fails {
				if err != nil || len(effects) != 0 {
					t.Fatalf("%v, %d effects", err, len(effects))
				}
				return
			}
			checkProtocolError(t, err, ErrHTLCDeadline, Fail)
			checkActionEffects(t, before, next, effects, Fail)
		})
	}
}

func TestPendingIncoming(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	bob := h.nodes[1]
	committedToBob(h, 5_000_000)
	committedToBob(h, 6_000_000)
	h.step(h.nodes[0], AddHTLC{Amount: 7_000_000, PaymentHash: h.newPayment(), CLTVExpiry: 600})
	h.deliverAll() // not committed yet
	h.step(bob, FailHTLC{ID: 0, Reason: []byte{1}})
	got := bob.state.PendingIncoming()
	if len(got) != 1 || got[0].ID != 1 || got[0].Amount != 6_000_000 || len(got[0].Onion) != 1366 {
		t.Fatalf("pending incoming %+v, want only HTLC 1", got)
	}
	if local, remote := bob.state.Balance(); local != 300_000_000 || remote != 700_000_000-11_000_000 {
		t.Fatalf("balances %s/%s", local, remote)
	}
}
