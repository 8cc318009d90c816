package node

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

// line is alice – bob – carol: alice opened to bob, bob to carol; bob
// and carol decide HTLCs themselves (bob forwards, carol receives).
type line struct {
	h                 *harness
	alice, bob, carol *testNode
	ab, ba, bc, cb    uint64 // channel indexes: ab is alice's with bob...
	scidAB, scidBC    lnwire.ShortChannelID
}

// restartWith restarts the node's runtime on its configuration changed
// by edit.
func (n *testNode) restartWith(edit func(*Config)) {
	n.rt.Stop()
	n.peers.dropAll()
	cfg := n.config()
	edit(&cfg)
	rt, err := New(cfg)
	if err != nil {
		n.h.t.Fatal(err)
	}
	n.rt = rt
	if err := rt.Start(context.Background(), n.peers); err != nil {
		n.h.t.Fatal(err)
	}
}

// channelWith returns the index of the node's only channel with peer.
func (n *testNode) channelWith(peer *testNode) uint64 {
	n.h.t.Helper()
	views := n.rt.List(peer.id)
	if len(views) != 1 {
		n.h.t.Fatalf("%s has %d channels with %s", n.name, len(views), peer.name)
	}
	return views[0].Index
}

// openBetween opens a channel from a to b and waits for normal operation.
func openBetween(t testing.TB, h *harness, a, b *testNode, amount lnwire.Satoshi) (uint64, uint64, lnwire.ShortChannelID) {
	t.Helper()
	if _, err := a.rt.Open(context.Background(), OpenRequest{Peer: b.id, Amount: amount, FundingFeerate: 1000}); err != nil {
		t.Fatalf("open %s→%s: %v", a.name, b.name, err)
	}
	ia, ib := a.channelWith(b), b.channelWith(a)
	h.mine(3)
	v := a.waitPhase(ia, channel.Normal)
	b.waitPhase(ib, channel.Normal)
	return ia, ib, v.State.ShortChannelID
}

// newLine builds the line; carol accepts HTLCs of carolMinimum and more.
func newLine(t testing.TB, carolMinimum lnwire.MilliSatoshi) *line {
	h := newHarness(t)
	l := &line{h: h, alice: h.node("alice", 1_000_000), bob: h.node("bob", 1_000_000), carol: h.node("carol")}
	l.bob.builtin, l.carol.builtin = true, true
	l.bob.restart()
	l.carol.restartWith(func(c *Config) {
		if carolMinimum > 0 {
			c.Funding.HTLCMinimum = carolMinimum
		}
	})
	h.connect(l.alice, l.bob)
	h.connect(l.bob, l.carol)
	l.ab, l.ba, l.scidAB = openBetween(t, h, l.alice, l.bob, 900_000)
	l.bc, l.cb, l.scidBC = openBetween(t, h, l.bob, l.carol, 400_000)
	return l
}

// route is alice's route paying amount to carol through bob, with bob's
// fee and delta (fee and delta let tests get them wrong).
func (l *line) route(amount, fee lnwire.MilliSatoshi, delta uint32) []RouteHop {
	return []RouteHop{
		{NodeID: l.bob.id, ShortChannelID: l.scidAB, Amount: amount + fee, Delay: 20 + delta},
		{NodeID: l.carol.id, ShortChannelID: l.scidBC, Amount: amount, Delay: 20},
	}
}

// bobFee is bob's fee for forwarding amount with the default policy.
func bobFee(amount lnwire.MilliSatoshi) lnwire.MilliSatoshi {
	return forwardPolicy{FeeBase: DefaultFeeBaseMsat, FeeProportional: DefaultFeeProportional}.Fee(amount)
}

// pay sends along route and waits for the outcome.
func (l *line) pay(t testing.TB, hash [32]byte, secret *[32]byte, route []RouteHop) (Payment, error) {
	t.Helper()
	if _, err := l.alice.rt.SendPayment(context.Background(), PaymentRequest{Route: route, PaymentHash: hash, PaymentSecret: secret}); err != nil {
		t.Fatalf("sendpay: %v", err)
	}
	return waitOutcome(t, l.alice, hash)
}

// balances waits for every channel to settle and returns what bob holds
// on each side and what carol holds.
func (l *line) balances(t testing.TB) (bobIn, bobOut, carol lnwire.MilliSatoshi) {
	t.Helper()
	settled(l.alice, l.ab, 0)
	vba := settled(l.bob, l.ba, 0)
	vbc := settled(l.bob, l.bc, 0)
	vcb := settled(l.carol, l.cb, 0)
	return vba.State.LocalCommit.Spec.Balance[channel.Local], vbc.State.LocalCommit.Spec.Balance[channel.Local],
		vcb.State.LocalCommit.Spec.Balance[channel.Local]
}

func (l *line) forwards(t testing.TB) []Forward {
	t.Helper()
	list, err := l.bob.rt.Forwards(context.Background(), ForwardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestForwardSettles(t *testing.T) {
	l := newLine(t, 0)
	const amount = 10_000_000
	hash, terms := l.carol.invoices.add("coffee", msat(amount), 18)
	fee := bobFee(amount)
	before := settled(l.bob, l.bc, 0).State.LocalCommit.Spec.Balance[channel.Local]
	p, err := l.pay(t, hash, &terms.PaymentSecret, l.route(amount, fee, DefaultCLTVExpiryDelta))
	if err != nil || p.Preimage != terms.Preimage || p.Amount != amount || p.AmountSent != amount+fee ||
		!p.Destination.IsEqual(l.carol.id) || len(p.Route) != 2 {
		t.Fatalf("payment %+v, %v", p, err)
	}
	if got, ok := l.carol.invoices.paid(hash); !ok || got != amount {
		t.Fatalf("carol's invoice settled with %s (%v)", got, ok)
	}
	bobIn, bobOut, carol := l.balances(t)
	if bobIn != amount+fee || carol != amount || bobOut != before-amount {
		t.Fatalf("bob holds %s from alice and %s towards carol; carol %s", bobIn, bobOut, carol)
	}
	fw := l.forwards(t)
	if len(fw) != 1 || fw[0].Status != ForwardSettled || fw[0].Fee() != fee || fw[0].InChannel != l.scidAB ||
		fw[0].OutChannel != l.scidBC || fw[0].OutHTLCID == nil || fw[0].ResolvedAt.IsZero() || fw[0].PaymentHash != hash {
		t.Fatalf("bob's forwards %+v", fw)
	}
	// Listed after a restart of bob too.
	l.bob.restart()
	if fw := l.forwards(t); len(fw) != 1 || fw[0].Status != ForwardSettled {
		t.Fatalf("bob's forwards after restart %+v", fw)
	}
}

func TestForwardFailsAtDestination(t *testing.T) {
	l := newLine(t, 0)
	const amount = 5_000_000
	hash, _ := l.carol.invoices.add("book", msat(amount), 18)
	wrong := [32]byte{1}
	_, err := l.pay(t, hash, &wrong, l.route(amount, bobFee(amount), DefaultCLTVExpiryDelta))
	var f *PaymentFailure
	if !errors.As(err, &f) || f.Code != onion.CodeIncorrectOrUnknownPaymentDetails || f.ErringIndex != 1 || f.Message.HTLCMsat != amount {
		t.Fatalf("got %v, want incorrect_or_unknown_payment_details from carol (hop 1)", err)
	}
	if bobIn, _, carol := l.balances(t); bobIn != 0 || carol != 0 {
		t.Fatalf("a failed payment moved money: bob %s, carol %s", bobIn, carol)
	}
	if fw := l.forwards(t); len(fw) != 1 || fw[0].Status != ForwardFailed || fw[0].FailCode != 0 {
		t.Fatalf("bob's forwards %+v", fw)
	}
}

// TestForwardRefusedByTheRelay: each BOLT #4 forwarding rule bob
// enforces, seen by alice as bob's (hop 0) failure, with no money moved.
func TestForwardRefusedByTheRelay(t *testing.T) {
	const carolMinimum = 5_000
	l := newLine(t, carolMinimum)
	const amount = 3_000_000
	fee := bobFee(amount)
	bogus := lnwire.ShortChannelID{BlockHeight: 7, TxIndex: 7, OutputIndex: 7}
	cases := []struct {
		name  string
		route func() []RouteHop
		want  onion.Failure
	}{
		{"unknown next channel", func() []RouteHop {
			r := l.route(amount, fee, DefaultCLTVExpiryDelta)
			r[1].ShortChannelID = bogus
			return r
		}, onion.Failure{Code: onion.CodeUnknownNextPeer}},
		{"below carol's minimum", func() []RouteHop { return l.route(carolMinimum-1, bobFee(carolMinimum-1), DefaultCLTVExpiryDelta) },
			onion.Failure{Code: onion.CodeAmountBelowMinimum, HTLCMsat: carolMinimum - 1}},
		{"fee one short", func() []RouteHop { return l.route(amount, fee-1, DefaultCLTVExpiryDelta) },
			onion.Failure{Code: onion.CodeFeeInsufficient, HTLCMsat: amount + fee - 1}},
		{"delta one short", func() []RouteHop { return l.route(amount, fee, DefaultCLTVExpiryDelta-1) },
			onion.Failure{Code: onion.CodeIncorrectCLTVExpiry}},
		{"too far in the future", func() []RouteHop {
			r := l.route(amount, fee, DefaultCLTVExpiryDelta)
			r[0].Delay, r[1].Delay = MaxHTLCCLTVFuture+100, MaxHTLCCLTVFuture
			return r
		}, onion.Failure{Code: onion.CodeExpiryTooFar}},
		{"more than bob holds towards carol", func() []RouteHop { return l.route(450_000_000, bobFee(450_000_000), DefaultCLTVExpiryDelta) },
			onion.Failure{Code: onion.CodeTemporaryChannelFailure}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hash, terms := l.carol.invoices.add(fmt.Sprintf("refused %d", i), nil, 18)
			route := tc.route()
			_, err := l.pay(t, hash, &terms.PaymentSecret, route)
			var f *PaymentFailure
			if !errors.As(err, &f) || f.Code != tc.want.Code || f.ErringIndex != 0 || f.Message.HTLCMsat != tc.want.HTLCMsat {
				t.Fatalf("got %v (%+v), want %s from bob", err, f, tc.want.Code)
			}
			if tc.want.Code == onion.CodeIncorrectCLTVExpiry {
				// The cltv_expiry of the outgoing HTLC (alice's height + 1
				// + carol's delay).
				if want := l.h.chain.Height() + 1 + lnwire.BlockHeight(route[1].Delay); f.Message.CLTVExpiry != want {
					t.Fatalf("cltv_expiry %d, want %d", f.Message.CLTVExpiry, want)
				}
			}
			fw := l.forwards(t)
			last := fw[len(fw)-1]
			if last.Status != ForwardLocalFailed || last.FailCode != tc.want.Code || last.OutHTLCID != nil || last.PaymentHash != hash {
				t.Fatalf("bob's forward %+v", last)
			}
		})
	}
	if bobIn, _, carol := l.balances(t); bobIn != 0 || carol != 0 {
		t.Fatalf("refused forwards moved money: bob %s, carol %s", bobIn, carol)
	}
}

// laggingChain is the chain seen lag blocks behind its tip.
type laggingChain struct {
	*fakeChain
	lag lnwire.BlockHeight
}

func (c laggingChain) BlockCount(ctx context.Context) (lnwire.BlockHeight, error) {
	h, err := c.fakeChain.BlockCount(ctx)
	return h - c.lag, err
}

// TestForwardRefusedTooSoon: alice's view of the chain lags 40 blocks,
// so the HTLC she sends bob expires within bob's cltv_expiry_delta
// although it leaves him that delta over the outgoing HTLC.
func TestForwardRefusedTooSoon(t *testing.T) {
	l := newLine(t, 0)
	l.alice.restartWith(func(c *Config) { c.Chain = laggingChain{fakeChain: l.h.chain, lag: 40} })
	l.h.connect(l.alice, l.bob)
	l.alice.waitView(l.ab, "re-established", func(v *View) bool { return v.Connected })
	const amount = 2_000_000
	hash, terms := l.carol.invoices.add("late", msat(amount), 18)
	_, err := l.pay(t, hash, &terms.PaymentSecret, l.route(amount, bobFee(amount), DefaultCLTVExpiryDelta))
	var f *PaymentFailure
	if !errors.As(err, &f) || f.Code != onion.CodeExpiryTooSoon || f.ErringIndex != 0 {
		t.Fatalf("got %v, want expiry_too_soon from bob", err)
	}
	if bobIn, _, carol := l.balances(t); bobIn != 0 || carol != 0 {
		t.Fatalf("moved money: bob %s, carol %s", bobIn, carol)
	}
}

// TestForwardAcrossRelayRestart: carol holds the HTLC while bob
// restarts; bob's new process relays her fulfill from the stored forward.
func TestForwardAcrossRelayRestart(t *testing.T) {
	l := newLine(t, 0)
	l.carol.builtin = false // records HTLCs, decides nothing
	l.carol.restart()
	l.h.connect(l.bob, l.carol)
	l.carol.waitView(l.cb, "re-established", func(v *View) bool { return v.Connected })
	const amount = 6_000_000
	hash, terms := l.carol.invoices.add("held", msat(amount), 18)
	fee := bobFee(amount)
	if _, err := l.alice.rt.SendPayment(context.Background(), PaymentRequest{Route: l.route(amount, fee, DefaultCLTVExpiryDelta),
		PaymentHash: hash, PaymentSecret: &terms.PaymentSecret}); err != nil {
		t.Fatal(err)
	}
	settled(l.carol, l.cb, 1)
	if fw := l.forwards(t); len(fw) != 1 || fw[0].Status != ForwardOffered {
		t.Fatalf("bob's forwards while carol holds: %+v", fw)
	}
	l.bob.restart()
	l.carol.builtin = true
	l.carol.restart()
	l.h.connect(l.alice, l.bob)
	l.h.connect(l.bob, l.carol)
	if p, err := waitOutcome(t, l.alice, hash); err != nil || p.Preimage != terms.Preimage {
		t.Fatalf("payment %+v, %v", p, err)
	}
	if bobIn, _, carol := l.balances(t); bobIn != amount+fee || carol != amount {
		t.Fatalf("bob %s, carol %s", bobIn, carol)
	}
	if fw := l.forwards(t); len(fw) != 1 || fw[0].Status != ForwardSettled {
		t.Fatalf("bob's forwards %+v", fw)
	}
}

// BenchmarkForwardedPayment pays carol through bob, one payment at a
// time, on the in-process line (real SQLite stores, fsync on commit).
func BenchmarkForwardedPayment(b *testing.B) {
	l := newLine(b, 0)
	const amount = 10_000
	route := l.route(amount, bobFee(amount), DefaultCLTVExpiryDelta)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hash, terms := l.carol.invoices.add(fmt.Sprintf("bench %d", i), msat(amount), 18)
		if _, err := l.pay(b, hash, &terms.PaymentSecret, route); err != nil {
			b.Fatal(err)
		}
	}
}
