package channel

import (
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
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
