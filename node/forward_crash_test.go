package node

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// TestForwardSurvivesRelayCrashAfterEachWrite crashes bob, the relay,
// right after each of his writes during a forwarded payment (both
// channels' steps, the forward row with the outgoing HTLC, its outcome),
// restarts him from the store and checks that the payment completes
// once: carol paid once, bob earning exactly his fee, one settled forward.
// A first run without a crash counts the writes.
func TestForwardSurvivesRelayCrashAfterEachWrite(t *testing.T) {
	kinds := crashForward(t, 0)
	t.Logf("the relay's writes: %v", kinds)
	if len(kinds) < 10 {
		t.Fatalf("only %d writes during the forward: %v", len(kinds), kinds)
	}
	for k := 1; k <= len(kinds); k++ {
		t.Run(fmt.Sprintf("crash after write %d (%s)", k, kinds[k-1]), func(t *testing.T) {
			crashForward(t, k)
		})
	}
}

// crashForward runs one forwarded payment with bob crashing after his
// k-th write (never for k = 0); it returns the kinds of the writes made
// before the restart.
func crashForward(t *testing.T, k int) []string {
	l := newLine(t, 0)
	crashing := newCrashingStore(l.bob.store)
	l.bob.restartOn(crashing)
	_, fromBob := l.h.connect(l.alice, l.bob)
	toCarol, _ := l.h.connect(l.bob, l.carol)
	settled(l.alice, l.ab, 0)
	settled(l.bob, l.ba, 0)
	settled(l.bob, l.bc, 0)
	settled(l.carol, l.cb, 0)
	if k > 0 {
		crashing.arm(k, func() {
			fromBob.dead.Store(true)
			toCarol.dead.Store(true)
		})
	}
	const amount = 8_000_000
	fee := bobFee(amount)
	hash, terms := l.carol.invoices.add("crash", msat(amount), 18)
	ctx := context.Background()
	if _, err := l.alice.rt.SendPayment(ctx, PaymentRequest{Route: l.route(amount, fee, DefaultCLTVExpiryDelta),
		PaymentHash: hash, PaymentSecret: &terms.PaymentSecret}); err != nil {
		t.Fatal(err)
	}
	// Bob is done when both his channels are back to no HTLC and nothing
	// pending, or he crashed.
	quiet := func(v *View) bool {
		s := &v.State
		return v.Halted != nil || len(s.LocalCommit.Spec.HTLCs)+len(s.RemoteCommit.Spec.HTLCs) == 0 &&
			s.RemotePending == nil && !s.HasUnsignedChanges() && len(s.RemoteChanges.Proposed) == 0 &&
			len(s.LocalChanges.Proposed)+len(s.LocalChanges.Signed)+len(s.RemoteChanges.Signed) == 0
	}
	in, out := l.bob.worker(l.ba), l.bob.worker(l.bc)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The incoming HTLC is added before and removed after the
		// outgoing one: waiting for the payment to reach carol first.
		in.waitFor(wctx, func(v *View) bool { return v.Halted != nil || len(v.State.LocalCommit.Spec.HTLCs) > 0 })
		out.waitFor(wctx, quiet)
		in.waitFor(wctx, func(v *View) bool {
			return quiet(v) && (v.Halted != nil || v.State.LocalCommit.Spec.Balance[channel.Local] > 0)
		})
	}()
	select {
	case <-crashing.crashed:
	case <-done:
	}
	crashing.mu.Lock()
	kinds := append([]string(nil), crashing.writeKinds...)
	crashing.mu.Unlock()

	l.bob.restart() // on the plain store: the disk is back
	// Carol first: an incoming HTLC bob decides again once alice's link is
	// up is failed (temporary_channel_failure) if carol's is still down.
	l.h.connect(l.bob, l.carol)
	l.bob.waitView(l.bc, "carol's link up", func(v *View) bool { return v.Connected })
	l.h.connect(l.alice, l.bob)
	if p, err := waitOutcome(t, l.alice, hash); err != nil || p.Preimage != terms.Preimage {
		t.Fatalf("crash after write %d: payment %+v, %v", k, p, err)
	}
	bobIn, bobOut, carol := l.balances(t)
	if bobIn != amount+fee || carol != amount {
		t.Fatalf("crash after write %d: bob got %s (want %s), carol %s (want %s), bob keeps %s towards carol",
			k, bobIn, lnwire.MilliSatoshi(amount+fee), carol, lnwire.MilliSatoshi(amount), bobOut)
	}
	if got, ok := l.carol.invoices.paid(hash); !ok || got != amount {
		t.Fatalf("carol's invoice: %s, %v", got, ok)
	}
	l.bob.restart()
	if fw := l.forwards(t); len(fw) != 1 || fw[0].Status != ForwardSettled || fw[0].Fee() != fee {
		t.Fatalf("crash after write %d: bob's forwards %+v", k, fw)
	}
	return kinds
}
