package channel

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// fuzzActions are what the bytes choose from, for both sides.
const fuzzActions = 16

// runFuzzActions plays the byte string as actions on a fresh channel, then
// settles, and reports broken invariants and any channel failure: between
// two honest nodes the channel must never fail, whatever the interleaving,
// disconnections and restarts.
//
// The flags choose the channel: bit 0 anchors, bit 1 closing with
// fee_range, bit 2 different closing feerates on each side.
func runFuzzActions(t *testing.T, data []byte, flags byte) {
	cfg := defaultConfig()
	if flags&1 != 0 {
		cfg.Type = channeltx.AnchorsZeroFeeHTLC
	}
	policy := DefaultPolicy()
	policy.ShutdownScript = append([]byte{0, 20}, make([]byte, 20)...)
	policy.ClosingFeeRange = flags&2 != 0
	h, err := newHarness(cfg, policy)
	if err != nil {
		t.Fatal(err)
	}
	if flags&4 != 0 {
		h.nodes[0].env.Policy.ClosingFeerate, h.nodes[1].env.Policy.ClosingFeerate = 2000, 300
	}
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	for steps := 0; len(data) > 0 && steps < 200; steps++ {
		op := next()
		n := h.nodes[op&1]
		switch op >> 1 % fuzzActions {
		case 0, 1:
			amount := lnwire.MilliSatoshi(uint64(next())<<8|uint64(next())) * 3_000
			h.step(n, AddHTLC{Amount: amount, PaymentHash: h.newPayment(), CLTVExpiry: 500 + lnwire.BlockHeight(next())})
		case 2, 3:
			h.step(n, SignCommitment{})
		case 4, 5, 6:
			h.deliver(n, 1)
		case 7, 8:
			if x, ok := incomingHTLC(n, next()); ok {
				h.step(n, FulfillHTLC{ID: x.ID, Preimage: h.preimages[x.PaymentHash]})
			}
		case 9:
			if x, ok := incomingHTLC(n, next()); ok {
				h.step(n, FailHTLC{ID: x.ID, Reason: []byte{next()}})
			}
		case 10:
			h.step(n, UpdateFee{Feerate: 253 + lnwire.FeeratePerKW(next())*50})
		case 11:
			h.reconnect()
		case 12:
			if err := h.restartAndReconnect(n); err != nil {
				t.Fatal(err)
			}
		case 13:
			if next()%8 == 0 {
				h.step(n, Shutdown{Script: policy.ShutdownScript})
			}
		default:
			h.deliverAll()
		}
	}
	if !h.connected {
		h.reconnect()
	}
	h.finish()
	if len(h.violations) > 0 {
		t.Fatalf("invariants broken:\n%s\n--- log\n%s", strings.Join(h.violations, "\n"), h.out.String())
	}
	for _, n := range h.nodes {
		if n.failure != nil {
			t.Fatalf("%s failed the channel: %v\n--- log\n%s", n.name, n.failure, h.out.String())
		}
		if len(n.state.LocalCommit.Spec.HTLCs) != 0 {
			t.Fatalf("%s still has HTLCs:\n%s\n--- log\n%s", n.name, h.summary(n), h.out.String())
		}
		// A shutdown, once started, must end in a mutual close.
		if closing := h.nodes[0].state.Phase != Normal || h.nodes[1].state.Phase != Normal; closing && n.state.Phase != Closed {
			t.Fatalf("%s stuck in %s\n--- log\n%s", n.name, n.state.Phase, h.out.String())
		}
	}
}

// incomingHTLC picks an HTLC the peer offered that the node may remove.
func incomingHTLC(n *node, pick byte) (HTLC, bool) {
	var candidates []HTLC
	for _, x := range n.state.LocalCommit.Spec.HTLCs {
		if _, ok := n.state.irrevocablyCommitted(Remote, x.ID); ok && x.Offerer == Remote && !n.state.LocalChanges.removing(x.ID) {
			candidates = append(candidates, x)
		}
	}
	if len(candidates) == 0 {
		return HTLC{}, false
	}
	return candidates[int(pick)%len(candidates)], true
}

func FuzzChannelPair(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 2, 9, 11, 13, 8, 10, 15, 14, 16, 17, 30, 31})
	f.Add([]byte{1, 50, 0, 3, 2, 11, 0, 9, 4, 5, 22, 23, 2, 3, 9, 10, 8, 9, 30})
	f.Add([]byte{0, 200, 1, 7, 0, 2, 0, 4, 2, 8, 9, 24, 25, 2, 3, 8, 9, 14, 15, 3, 8, 9, 26, 0, 30})
	f.Add([]byte{20, 3, 4, 8, 9, 8, 9, 22, 1, 28, 30, 26, 0})
	f.Add([]byte{0, 10, 10, 1, 10, 10, 4, 5, 24, 2, 9, 3, 8, 27, 11, 30, 22, 22, 0, 4, 8, 30})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		runFuzzActions(t, data[1:], data[0])
	})
}

// TestRandomWalks plays seeded random byte strings through the same player
// as FuzzChannelPair, so that every plain `go test` explores a few hundred
// interleavings (the fuzzer's instrumentation makes the real signatures
// slow; this runs them at full speed).
func TestRandomWalks(t *testing.T) {
	walks := 20
	if testing.Short() {
		walks = 5
	}
	r := rand.New(rand.NewSource(11))
	for i := 0; i < walks; i++ {
		data := make([]byte, 50+r.Intn(250))
		r.Read(data)
		t.Run("", func(t *testing.T) {
			runFuzzActions(t, data[1:], data[0])
		})
	}
}
