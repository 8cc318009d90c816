package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

// fakeInvoices is an in-memory invoice registry.
type fakeInvoices struct {
	mu       sync.Mutex
	terms    map[[32]byte]InvoiceTerms
	received map[[32]byte]lnwire.MilliSatoshi
}

func newFakeInvoices() *fakeInvoices {
	return &fakeInvoices{terms: make(map[[32]byte]InvoiceTerms), received: make(map[[32]byte]lnwire.MilliSatoshi)}
}

// add creates an invoice; it returns its payment hash.
func (f *fakeInvoices) add(name string, amount *lnwire.MilliSatoshi, minFinalCLTV uint32) ([32]byte, InvoiceTerms) {
	terms := InvoiceTerms{Preimage: sha256.Sum256([]byte("preimage " + name)),
		PaymentSecret: sha256.Sum256([]byte("secret " + name)), Amount: amount, MinFinalCLTV: minFinalCLTV}
	hash := sha256.Sum256(terms.Preimage[:])
	f.mu.Lock()
	defer f.mu.Unlock()
	f.terms[hash] = terms
	return hash, terms
}

func (f *fakeInvoices) Lookup(_ context.Context, hash [32]byte) (InvoiceTerms, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.terms[hash]
	if !ok {
		return InvoiceTerms{}, ErrUnknownInvoice
	}
	return t, nil
}

func (f *fakeInvoices) Settle(_ context.Context, hash [32]byte, received lnwire.MilliSatoshi) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.terms[hash]
	t.Paid = true
	f.terms[hash] = t
	f.received[hash] = received
	return nil
}

func (f *fakeInvoices) paid(hash [32]byte) (lnwire.MilliSatoshi, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	amount, ok := f.received[hash]
	return amount, ok
}

func msat(v lnwire.MilliSatoshi) *lnwire.MilliSatoshi { return &v }

// payingPair is alice with a channel to bob, who decides payments himself.
func payingPair(t *testing.T) (*harness, *testNode, *testNode, uint64, uint64) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	bob.builtin = true
	bob.restart()
	h.connect(alice, bob)
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000})
	return h, alice, bob, ia, ib
}

func TestPayDirect(t *testing.T) {
	_, alice, bob, ia, ib := payingPair(t)
	hash, terms := bob.invoices.add("coffee", msat(25_000_000), 18)
	ctx := context.Background()
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 25_000_000, PaymentHash: hash,
		PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 25_000_000, PaymentHash: hash}); !errors.Is(err, ErrPaymentInProgress) && !errors.Is(err, ErrAlreadyPaid) {
		t.Fatalf("second payment with the same hash: %v", err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := alice.rt.WaitPayment(waitCtx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != PaymentComplete || p.Preimage != terms.Preimage {
		t.Fatalf("payment %+v", p)
	}
	if got, ok := bob.invoices.paid(hash); !ok || got != 25_000_000 {
		t.Fatalf("invoice settled with %s (%v)", got, ok)
	}
	va, vb := settled(alice, ia, 0), settled(bob, ib, 0)
	if vb.State.LocalCommit.Spec.Balance[channel.Local] != 25_000_000 || va.State.LocalCommit.Spec.Balance[channel.Remote] != 25_000_000 {
		t.Fatalf("balances alice %v bob %v", va.State.LocalCommit.Spec.Balance, vb.State.LocalCommit.Spec.Balance)
	}
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 25_000_000, PaymentHash: hash}); !errors.Is(err, ErrAlreadyPaid) {
		t.Fatalf("paying a paid hash again: %v", err)
	}
}

func TestPaymentRefusedByRecipient(t *testing.T) {
	_, alice, bob, ia, ib := payingPair(t)
	ctx := context.Background()
	hash, terms := bob.invoices.add("book", msat(40_000_000), 18)
	otherSecret := sha256.Sum256([]byte("not the secret"))
	unknown := sha256.Sum256([]byte("nobody's hash"))
	farHash, farTerms := bob.invoices.add("far", nil, 500)
	expiredHash, expiredTerms := bob.invoices.add("expired", nil, 18)
	bob.invoices.mu.Lock()
	expiredTerms.Expired = true
	bob.invoices.terms[expiredHash] = expiredTerms
	bob.invoices.mu.Unlock()
	cases := []struct {
		name string
		req  PaymentRequest
		want onion.FailureCode
	}{
		{"unknown payment hash", PaymentRequest{Amount: 1_000_000, PaymentHash: unknown, PaymentSecret: &otherSecret, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
		{"wrong payment secret", PaymentRequest{Amount: 40_000_000, PaymentHash: hash, PaymentSecret: &otherSecret, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
		{"no payment secret", PaymentRequest{Amount: 40_000_000, PaymentHash: hash, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
		{"amount below the invoice", PaymentRequest{Amount: 39_999_999, PaymentHash: hash, PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
		{"more than twice the invoice", PaymentRequest{Amount: 80_000_001, PaymentHash: hash, PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
		{"cltv too near", PaymentRequest{Amount: 1_000_000, PaymentHash: farHash, PaymentSecret: &farTerms.PaymentSecret, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
		{"expired invoice", PaymentRequest{Amount: 1_000_000, PaymentHash: expiredHash, PaymentSecret: &expiredTerms.PaymentSecret, FinalCLTVDelta: 18},
			onion.CodeIncorrectOrUnknownPaymentDetails},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Destination = bob.id
			if _, err := alice.rt.SendPayment(ctx, tc.req); err != nil {
				t.Fatal(err)
			}
			waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err := alice.rt.WaitPayment(waitCtx, tc.req.PaymentHash)
			var f *PaymentFailure
			if !errors.As(err, &f) || f.Code != tc.want || f.ErringIndex != 0 {
				t.Fatalf("got %v, want %s from the destination", err, tc.want)
			}
			if tc.want == onion.CodeIncorrectOrUnknownPaymentDetails && f.Message.HTLCMsat != tc.req.Amount {
				t.Fatalf("htlc_msat %s, want %s", f.Message.HTLCMsat, tc.req.Amount)
			}
		})
	}
	va, vb := settled(alice, ia, 0), settled(bob, ib, 0)
	if vb.State.LocalCommit.Spec.Balance[channel.Local] != 0 || va.State.LocalCommit.Spec.Balance[channel.Remote] != 0 {
		t.Fatal("a refused payment moved money")
	}
	if _, ok := bob.invoices.paid(hash); ok {
		t.Fatal("a refused payment settled the invoice")
	}
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: alice.id, Amount: 1, PaymentHash: unknown}); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("paying a node without a channel: %v", err)
	}
}

// TestIncomingHTLCDecidedAfterRestart: bob's process learned of the HTLC
// but died before deciding it; the restarted process decides it once the
// channel is re-established.
func TestIncomingHTLCDecidedAfterRestart(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob") // records HTLC events, decides nothing
	h.connect(alice, bob)
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000})
	hash, terms := bob.invoices.add("tea", msat(7_000_000), 18)
	ctx := context.Background()
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 7_000_000, PaymentHash: hash,
		PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18}); err != nil {
		t.Fatal(err)
	}
	settled(bob, ib, 1)
	if accepted, _, _ := bob.payments.counts(); accepted != 1 {
		t.Fatalf("bob saw %d HTLCs", accepted)
	}
	bob.builtin = true
	bob.restart()
	h.connect(alice, bob)
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if p, err := alice.rt.WaitPayment(waitCtx, hash); err != nil || p.Preimage != terms.Preimage {
		t.Fatalf("payment %+v, %v", p, err)
	}
	settled(alice, ia, 0)
	if got, ok := bob.invoices.paid(hash); !ok || got != 7_000_000 {
		t.Fatal("invoice not settled")
	}
}

func TestCheckFinalHop(t *testing.T) {
	secret := [32]byte{1}
	amount := lnwire.MilliSatoshi(10_000)
	inv := InvoiceTerms{PaymentSecret: secret, Amount: &amount, MinFinalCLTV: 18}
	payload := func(amt lnwire.MilliSatoshi, cltv lnwire.BlockHeight, total lnwire.MilliSatoshi, s [32]byte) *onion.HopPayload {
		return onion.NewFinalPayload(amt, cltv, &onion.PaymentData{PaymentSecret: s, TotalMsat: total})
	}
	hop := func(htlcAmt lnwire.MilliSatoshi, htlcCLTV lnwire.BlockHeight, p *onion.HopPayload) finalHop {
		return finalHop{HTLC: channel.HTLC{Amount: htlcAmt, CLTVExpiry: htlcCLTV}, Payload: p, Height: 100}
	}
	cases := []struct {
		name string
		hop  finalHop
		inv  *InvoiceTerms
		want onion.FailureCode // 0: accepted
	}{
		{"exact", hop(10_000, 118, payload(10_000, 118, 10_000, secret)), &inv, 0},
		{"overpaid within twice", hop(20_000, 130, payload(20_000, 130, 20_000, secret)), &inv, 0},
		{"unknown hash", hop(10_000, 118, payload(10_000, 118, 10_000, secret)), nil, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"wrong secret", hop(10_000, 118, payload(10_000, 118, 10_000, [32]byte{2})), &inv, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"no secret", hop(10_000, 118, onion.NewFinalPayload(10_000, 118, nil)), &inv, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"htlc cltv below the onion's", hop(10_000, 117, payload(10_000, 118, 10_000, secret)), &inv, onion.CodeFinalIncorrectCLTVExpiry},
		{"htlc amount below the onion's", hop(9_999, 118, payload(10_000, 118, 10_000, secret)), &inv, onion.CodeFinalIncorrectHTLCAmount},
		{"multi-part total", hop(10_000, 118, payload(10_000, 118, 20_000, secret)), &inv, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"cltv too near", hop(10_000, 117, payload(10_000, 117, 10_000, secret)), &inv, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"underpaid", hop(9_999, 118, payload(9_999, 118, 9_999, secret)), &inv, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"more than twice", hop(20_001, 118, payload(20_001, 118, 20_001, secret)), &inv, onion.CodeIncorrectOrUnknownPaymentDetails},
		{"any amount", hop(1, 118, payload(1, 118, 1, secret)), &InvoiceTerms{PaymentSecret: secret, MinFinalCLTV: 18}, 0},
		{"expired", hop(10_000, 118, payload(10_000, 118, 10_000, secret)), &InvoiceTerms{PaymentSecret: secret, Amount: &amount, Expired: true},
			onion.CodeIncorrectOrUnknownPaymentDetails},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := checkFinalHop(tc.hop, tc.inv)
			if ok != (tc.want == 0) || (!ok && f.Code != tc.want) {
				t.Fatalf("got %v %s, want %s", ok, f.Code, tc.want)
			}
			if f.Code == onion.CodeIncorrectOrUnknownPaymentDetails && (f.HTLCMsat != tc.hop.HTLC.Amount || f.Height != 100) {
				t.Fatalf("details %+v", f)
			}
		})
	}
}
