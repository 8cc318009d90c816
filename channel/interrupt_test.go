package channel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// danceScript is a full exchange, one message at a time: payments both
// ways, crossing commitments, a fee update, fulfills and a fail.
var danceScript = []string{
	"add alice 5000000", "add alice 3000000", "add bob 2000000",
	"sign alice", "deliver bob 1", "deliver bob 1", "deliver bob 1", "deliver bob 1",
	"sign bob", "deliver alice 1", "deliver alice 1", "deliver alice 1",
	"deliver bob 1", "sign alice", "deliver bob 1", "deliver alice 1", "deliver alice 1",
	"fee alice 3000", "fulfill bob 0", "fail bob 1", "fulfill alice 0",
	"sign alice", "sign bob", "deliver bob 1", "deliver bob 1", "deliver bob 1", "deliver bob 1",
	"deliver alice 1", "deliver alice 1", "deliver alice 1", "deliver alice 1", "deliver alice 1",
	"sign alice", "sign bob", "deliver bob 1", "deliver bob 1", "deliver alice 1", "deliver alice 1",
	"deliver bob 1", "deliver alice 1",
}

// interruption is what happens between two steps of the script.
type interruption struct {
	name string
	run  func(h *harness) error
}

var interruptions = []interruption{
	{"reconnect", func(h *harness) error { h.reconnect(); return nil }},
	{"restart alice", func(h *harness) error { return h.restartAndReconnect(h.nodes[:]...) }},
	{"restart bob", func(h *harness) error { return h.restartAndReconnect(h.nodes[:]...) }},
	{"restart both", func(h *harness) error { return h.restartAndReconnect(h.nodes[:]...) }},
}

func (h *harness) restartAndReconnect(nodes ...*node) error {
	for _, n := range nodes {
		if err := h.restart(n); err != nil {
			return err
		}
	}
	h.reconnect()
	return nil
}

// finish settles everything still pending: it signs, then fulfills the
// incoming HTLCs left over (an interruption may have lost a fulfill
// command that was refused), until no HTLC is left.
func (h *harness) finish() {
	for round := 0; round < 20; round++ {
		h.settle()
		left := false
		for _, n := range h.nodes {
			for _, x := range n.state.LocalCommit.Spec.HTLCs {
				left = true
				if x.Offerer == Remote && !n.state.LocalChanges.removing(x.ID) {
					h.step(n, FulfillHTLC{ID: x.ID, Preimage: h.preimages[x.PaymentHash]})
				}
			}
		}
		if !left {
			return
		}
	}
}

// TestInterruptAtEveryStep runs the dance with a disconnection or a restart
// (from the persisted record) between every two steps, and checks that the
// channel recovers to the same final balances without failing.
func TestInterruptAtEveryStep(t *testing.T) {
	reference := runInterrupted(t, -1, interruptions[0])
	for cut := 0; cut <= len(danceScript); cut++ {
		for _, in := range interruptions {
			t.Run(fmt.Sprintf("%s after step %d", in.name, cut), func(t *testing.T) {
				got := runInterrupted(t, cut, in)
				if got != reference {
					t.Errorf("final balances %s, want %s", got, reference)
				}
			})
		}
	}
}

func runInterrupted(t *testing.T, cut int, in interruption) string {
	t.Helper()
	var h *harness
	if _, err := runCommand(&h, "new"); err != nil {
		t.Fatal(err)
	}
	for i, command := range danceScript {
		if i == cut {
			if err := in.run(h); err != nil {
				t.Fatal(err)
			}
			h.deliverAll()
		}
		if _, err := runCommand(&h, command); err != nil {
			t.Fatal(err)
		}
	}
	if cut == len(danceScript) {
		if err := in.run(h); err != nil {
			t.Fatal(err)
		}
	}
	h.finish()
	if len(h.violations) > 0 {
		t.Fatalf("invariants broken:\n%s\n--- log\n%s", strings.Join(h.violations, "\n"), h.out.String())
	}
	for _, n := range h.nodes {
		if n.failure != nil || n.state.Phase != Normal {
			t.Fatalf("%s failed (%v, phase %s)\n--- log\n%s", n.name, n.failure, n.state.Phase, h.out.String())
		}
		if len(n.state.LocalCommit.Spec.HTLCs) != 0 || !n.state.LocalChanges.empty() || !n.state.RemoteChanges.empty() {
			t.Fatalf("%s not settled:\n%s", n.name, h.summary(n))
		}
	}
	a := h.nodes[0].state.LocalCommit.Spec
	return fmt.Sprintf("%s/%s feerate %d", a.Balance[Local], a.Balance[Remote], a.Feerate)
}

// Payments that succeed move exactly their amounts.
func TestInterruptReferenceBalances(t *testing.T) {
	got := runInterrupted(t, -1, interruptions[0])
	// alice paid 5M and 3M (the 3M one failed back), bob paid 2M.
	want := fmt.Sprintf("%s/%s feerate 3000", lnwire.MilliSatoshi(700_000_000-5_000_000+2_000_000), lnwire.MilliSatoshi(300_000_000+5_000_000-2_000_000))
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
