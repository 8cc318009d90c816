package itest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

// TestManyPaymentsBothWaysWholeBalance pays 100 invoices of varied amounts
// across one channel, alternating direction, restarts both nodes half-way,
// then spends the opener's whole spendable balance and closes: the
// balances are exact at every check, and the closing output of the
// accepter holds exactly its channel balance (rounded down to the
// satoshi, BOLT 3).
func TestManyPaymentsBothWaysWholeBalance(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	a, b, _, bID := channelPair(t, net, "many", 2_000_000)
	const capacity = 1_000_000 // sat
	const push = 300_000_000   // msat, so that bob can pay back from the start
	if err := a.Call(ctx, "fundchannel", map[string]any{"id": bID, "amount": capacity, "push_msat": push}, nil); err != nil {
		t.Fatal(err)
	}
	mine(t, net.Chain, 3)
	waitChannel(t, a, "CHANNELD_NORMAL")
	waitChannel(t, b, "CHANNELD_NORMAL")

	toA, toB := uint64(capacity*1000-push), uint64(push)
	// A payer's pay returns once it has the preimage; the payee's balance
	// moves when the settlement's commitment dance completes a moment later.
	checkBalances := func(when string) {
		t.Helper()
		var ca, cb peerChannel
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			ca, cb = listPeerChannels(t, a)[0], listPeerChannels(t, b)[0]
			if ca.ToUsMsat == toA && cb.ToUsMsat == toB {
				return
			}
		}
		t.Fatalf("%s: alice %d (want %d), bob %d (want %d)", when, ca.ToUsMsat, toA, cb.ToUsMsat, toB)
	}
	pay := func(from, to *testingNode, msat uint64, label string) {
		t.Helper()
		inv := makeInvoice(t, to.Node, msat, label)
		var paid paymentReply
		if err := from.Call(ctx, "pay", []any{inv.Bolt11}, &paid); err != nil {
			t.Fatalf("%s: pay %d msat: %v", label, msat, err)
		}
		checkPreimage(t, paid)
		if status, got := invoiceStatus(t, to.Node, label); status != "paid" || got != msat {
			t.Fatalf("%s: invoice %s with %d msat", label, status, got)
		}
	}
	alice, bob := &testingNode{a}, &testingNode{b}
	for i := 0; i < 100; i++ {
		msat := uint64(1_000 + i*7_919 + (i%7)*100_003) // varied, not round
		if i%2 == 0 {
			pay(alice, bob, msat, fmt.Sprintf("a2b-%d", i))
			toA, toB = toA-msat, toB+msat
		} else {
			pay(bob, alice, msat, fmt.Sprintf("b2a-%d", i))
			toA, toB = toA+msat, toB-msat
		}
		if i == 49 {
			checkBalances("after 50 payments")
			if err := a.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			waitChannel(t, a, "CHANNELD_NORMAL")
			waitChannel(t, b, "CHANNELD_NORMAL")
			checkBalances("after restarting both")
		}
	}
	checkBalances("after 100 payments")

	// Alice spends everything she can: spendable_msat, exactly.
	spendable := listPeerChannels(t, a)[0].SpendableMsat
	if spendable == 0 || spendable >= toA {
		t.Fatalf("spendable %d with %d msat to alice", spendable, toA)
	}
	pay(alice, bob, spendable, "everything")
	toA, toB = toA-spendable, toB+spendable
	checkBalances("after spending the whole balance")
	if left := listPeerChannels(t, a)[0].SpendableMsat; left >= 1000 {
		t.Fatalf("alice can still spend %d msat", left)
	}
	if err := a.Call(ctx, "pay", []any{makeInvoice(t, b, 5_000_000, "too-much").Bolt11}, nil); err == nil {
		t.Fatal("alice paid beyond her spendable balance")
	}
	checkBalances("after a refused payment")

	// Paying an invoice twice returns the first payment, as Core Lightning
	// does, without paying again; an expired invoice is refused (code 207)
	// before any HTLC is offered.
	var rerr *rpc.Error
	paidOnce := makeInvoice(t, a, 2_000_000, "twice")
	if err := b.Call(ctx, "pay", []any{paidOnce.Bolt11}, nil); err != nil {
		t.Fatal(err)
	}
	toA, toB = toA+2_000_000, toB-2_000_000
	var again paymentReply
	if err := b.Call(ctx, "pay", []any{paidOnce.Bolt11}, &again); err != nil || again.Status != "complete" {
		t.Fatalf("paying twice: %+v %v", again, err)
	}
	var brief newInvoice
	if err := a.Call(ctx, "invoice", map[string]any{"amount_msat": 1_000_000, "label": "brief",
		"description": "expires", "expiry": 1}, &brief); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := b.Call(ctx, "pay", []any{brief.Bolt11}, nil); !errors.As(err, &rerr) || rerr.Code != 207 {
		t.Fatalf("paying an expired invoice: %v", err)
	}
	checkBalances("after refused repeat and expired payments")

	// Close: bob's output is his balance in whole satoshis.
	bobBefore := confirmedSat(t, b)
	if err := a.Call(ctx, "close", []any{bID}, nil); err != nil {
		t.Fatalf("close: %v", err)
	}
	mine(t, net.Chain, 1)
	waitChannel(t, a, "ONCHAIN")
	waitFor(t, 30e9, "bob's closing output", func() bool { return confirmedSat(t, b) == bobBefore+toB/1000 })
}

// testingNode lets pay() take either side.
type testingNode struct{ *devnet.Node }
