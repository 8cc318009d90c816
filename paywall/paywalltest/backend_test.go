package paywalltest

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/paywall"
)

// The fake must be a paywall.Backend.
var _ paywall.Backend = (*Backend)(nil)

func TestInvoicesAreSignedBOLT11(t *testing.T) {
	b := NewBackend()
	ctx := context.Background()
	inv, err := b.CreateInvoice(ctx, "l", 12_345, "a cat", 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := bolt11.Decode(inv.Bolt11)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Currency != bolt11.CurrencyRegtest || dec.Amount == nil || *dec.Amount != 12_345 ||
		*dec.Description != "a cat" || dec.PaymentHash != inv.PaymentHash || !dec.Payee.IsEqual(b.PubKey()) ||
		!dec.ExpiresAt().Equal(inv.ExpiresAt) || !inv.ExpiresAt.Equal(Start.Add(90*time.Second)) {
		t.Fatalf("decoded %+v for %+v", dec, inv)
	}
	p := Preimage("l")
	if sha256.Sum256(p[:]) != inv.PaymentHash || inv.Status != paywall.StatusUnpaid {
		t.Fatalf("invoice %+v", inv)
	}
	if _, err := b.CreateInvoice(ctx, "l", 1, "again", time.Minute); !errors.Is(err, paywall.ErrDuplicateLabel) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestPayExpireDeleteAndWait(t *testing.T) {
	b := NewBackend()
	ctx := context.Background()
	for _, l := range []string{"pay", "expire", "delete"} {
		if _, err := b.CreateInvoice(ctx, l, 1000, l, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		inv paywall.Invoice
		err error
	}
	waits := map[string]chan result{}
	for _, l := range []string{"pay", "expire", "delete"} {
		ch := make(chan result, 1)
		waits[l] = ch
		go func() {
			inv, err := b.WaitInvoice(ctx, l)
			ch <- result{inv, err}
		}()
	}
	for b.Waiters() < 3 {
		time.Sleep(time.Millisecond)
	}
	preimage, err := b.Pay("pay")
	if err != nil || preimage != Preimage("pay") {
		t.Fatalf("pay: %x %v", preimage, err)
	}
	if r := <-waits["pay"]; r.err != nil || r.inv.Status != paywall.StatusPaid || r.inv.Preimage != preimage {
		t.Fatalf("wait on paid: %+v", r)
	}
	if err := b.Delete("delete"); err != nil {
		t.Fatal(err)
	}
	if r := <-waits["delete"]; !errors.Is(r.err, paywall.ErrInvoiceNotFound) {
		t.Fatalf("wait on deleted: %+v", r)
	}
	b.Advance(59 * time.Second)
	if inv, _ := b.LookupInvoice(ctx, "expire"); inv.Status != paywall.StatusUnpaid {
		t.Fatalf("a second before expiry: %s", inv.Status)
	}
	b.Advance(time.Second)
	if r := <-waits["expire"]; r.err != nil || r.inv.Status != paywall.StatusExpired || r.inv.Preimage != [32]byte{} {
		t.Fatalf("wait on expired: %+v", r)
	}
	if _, err := b.Pay("expire"); !errors.Is(err, ErrNotUnpaid) {
		t.Fatalf("paying an expired invoice: %v", err)
	}
	if _, err := b.Pay("pay"); !errors.Is(err, ErrNotUnpaid) {
		t.Fatalf("paying twice: %v", err)
	}
	if inv, _ := b.LookupInvoice(ctx, "pay"); inv.Status != paywall.StatusPaid {
		t.Fatalf("paid invoice after its expiry time: %s", inv.Status)
	}
	for _, err := range []error{b.Delete("nope"), func() error { _, err := b.Pay("nope"); return err }(),
		func() error { _, err := b.LookupInvoice(ctx, "nope"); return err }()} {
		if !errors.Is(err, paywall.ErrInvoiceNotFound) {
			t.Errorf("unknown label: %v", err)
		}
	}
	if got := b.Labels(); len(got) != 2 || got[0] != "expire" || got[1] != "pay" || b.Created() != 3 {
		t.Fatalf("labels %v, created %d", got, b.Created())
	}
}

func TestFailAndCancel(t *testing.T) {
	b := NewBackend()
	ctx := context.Background()
	b.CreateInvoice(ctx, "l", 1000, "d", time.Minute)
	down := errors.New("down")
	b.Fail(down)
	if _, err := b.LookupInvoice(ctx, "l"); !errors.Is(err, down) {
		t.Fatalf("lookup while failing: %v", err)
	}
	if _, err := b.CreateInvoice(ctx, "m", 1000, "d", time.Minute); !errors.Is(err, down) {
		t.Fatalf("create while failing: %v", err)
	}
	if _, err := b.WaitInvoice(ctx, "l"); !errors.Is(err, down) {
		t.Fatalf("wait while failing: %v", err)
	}
	b.Fail(nil)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := b.WaitInvoice(short, "l"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: %v", err)
	}
	if b.Waiters() != 0 {
		t.Fatalf("%d waiters left", b.Waiters())
	}
}
