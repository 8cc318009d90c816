package channel

import (
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func TestForceClose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T) (*harness, *node)
		want    error
		action  Action
	}{
		{"normal channel", func(t *testing.T) (*harness, *node) {
			h, err := newHarness(defaultConfig(), DefaultPolicy())
			if err != nil {
				t.Fatal(err)
			}
			return h, h.nodes[0]
		}, ErrForceClosed, Fail},
		{"with an HTLC in flight", func(t *testing.T) (*harness, *node) {
			h, err := newHarness(defaultConfig(), DefaultPolicy())
			if err != nil {
				t.Fatal(err)
			}
			committedToBob(h, 5_000_000)
			return h, h.nodes[1]
		}, ErrForceClosed, Fail},
		{"while negotiating the closing fee", func(t *testing.T) (*harness, *node) {
			h := negotiatingPair(t, false)
			return h, h.nodes[1]
		}, ErrForceClosed, Fail},
		{"after the mutual close was signed", func(t *testing.T) (*harness, *node) {
			h := negotiatingPair(t, true)
			h.deliverAll()
			if h.nodes[0].state.Phase != Closed {
				t.Fatalf("not closed: %s", h.nodes[0].state.Phase)
			}
			return h, h.nodes[0]
		}, ErrAlreadyClosed, Reject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, n := tc.prepare(t)
			before := n.state.Clone()
			next, effects, err := Step(n.state, n.env, ForceClose{Reason: "user asked"})
			checkProtocolError(t, err, tc.want, tc.action)
			checkActionEffects(t, before, next, effects, tc.action)
		})
	}
}

func TestForceClosedChannelIgnoresFurtherCommands(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	alice := h.nodes[0]
	h.step(alice, ForceClose{})
	if alice.state.Phase != Failed || alice.failure == nil || !errors.Is(alice.failure, ErrForceClosed) {
		t.Fatalf("phase %s, failure %v", alice.state.Phase, alice.failure)
	}
	_, effects, err := Step(alice.state, alice.env, ForceClose{})
	if !errors.Is(err, ErrChannelFailed) || len(effects) != 0 {
		t.Fatalf("second ForceClose: %v, %d effects", err, len(effects))
	}
	// The failure survives a restart and is retransmitted on reconnection.
	if err := h.restart(alice); err != nil {
		t.Fatal(err)
	}
	_, effects, _ = Step(alice.state, alice.env, Reconnected{})
	if len(effects) != 1 {
		t.Fatalf("after restart: %d effects, want the error retransmitted", len(effects))
	}
	if m, ok := effects[0].(SendMessage); !ok || m.Msg.MsgType() != lnwire.MsgError {
		t.Fatalf("after restart: %#v", effects[0])
	}
}

func TestCommitFeerate(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := h.nodes[0], h.nodes[1]
	start := alice.state.CommitFeerate()
	if start == 0 || bob.state.CommitFeerate() != start {
		t.Fatalf("initial feerates %d and %d", start, bob.state.CommitFeerate())
	}
	h.step(alice, UpdateFee{Feerate: start * 2})
	if got := alice.state.CommitFeerate(); got != start*2 {
		t.Fatalf("after proposing: %d, want %d", got, start*2)
	}
	// A newer proposal replaces the unsigned one.
	h.step(alice, UpdateFee{Feerate: start * 3})
	if got := alice.state.CommitFeerate(); got != start*3 {
		t.Fatalf("after a second proposal: %d, want %d", got, start*3)
	}
	h.settle()
	for _, n := range h.nodes {
		if got := n.state.CommitFeerate(); got != start*3 || n.state.LocalCommit.Spec.Feerate != start*3 {
			t.Fatalf("%s after signing: next %d, current %d, want %d", n.name, got, n.state.LocalCommit.Spec.Feerate, start*3)
		}
	}
	if len(h.violations) > 0 {
		t.Fatalf("violations: %v", h.violations)
	}
}
