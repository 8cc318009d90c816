package store

import (
	"context"
	"errors"
	"testing"
)

func testInvoice(label string, b byte) *InvoiceRecord {
	amount := uint64(1000 * uint64(b))
	r := &InvoiceRecord{Label: label, Description: "d " + label, Bolt11: "lnbcrt" + label,
		ExpiresAt: 1000, CLTV: 18, AmountMsat: &amount}
	r.PaymentHash[0], r.PaymentPreimage[0], r.PaymentSecret[0] = b, b, b
	return r
}

func TestInvoiceLifecycle(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	a, b := testInvoice("a", 1), testInvoice("b", 2)
	b.AmountMsat = nil
	for _, inv := range []*InvoiceRecord{a, b} {
		if err := s.AddInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	if a.CreatedIndex != 1 || b.CreatedIndex != 2 || b.UpdatedIndex != 2 {
		t.Fatalf("indexes a=%d b=%d/%d", a.CreatedIndex, b.CreatedIndex, b.UpdatedIndex)
	}
	if err := s.AddInvoice(ctx, testInvoice("a", 3)); !errors.Is(err, ErrDuplicateLabel) {
		t.Fatalf("duplicate label: %v", err)
	}
	if err := s.AddInvoice(ctx, testInvoice("c", 1)); !errors.Is(err, ErrDuplicatePaymentHash) {
		t.Fatalf("duplicate hash: %v", err)
	}

	paid, err := s.MarkInvoicePaid(ctx, b.PaymentHash, 777, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !paid.Paid || paid.PayIndex != 1 || paid.AmountReceivedMsat != 777 || paid.PaidAt != 500 || paid.UpdatedIndex != 3 {
		t.Fatalf("paid record %+v", paid)
	}
	if _, err := s.MarkInvoicePaid(ctx, b.PaymentHash, 777, 501); !errors.Is(err, ErrAlreadyPaid) {
		t.Fatalf("second payment: %v", err)
	}
	if _, err := s.MarkInvoicePaid(ctx, [32]byte{9}, 1, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown hash: %v", err)
	}
	s.Close()

	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	label := "b"
	list, err := s.Invoices(ctx, InvoiceFilter{Label: &label})
	if err != nil || len(list) != 1 || !list[0].Paid || list[0].AmountMsat != nil {
		t.Fatalf("after restart: %+v %v", list, err)
	}
	all, _ := s.Invoices(ctx, InvoiceFilter{})
	if len(all) != 2 || all[0].Label != "a" || *all[0].AmountMsat != 1000 {
		t.Fatalf("all: %+v", all)
	}
	page, _ := s.Invoices(ctx, InvoiceFilter{StartCreated: 2, Limit: 1})
	if len(page) != 1 || page[0].Label != "b" {
		t.Fatalf("page: %+v", page)
	}
	after, _ := s.InvoicesPaidAfter(ctx, 0)
	if len(after) != 1 || after[0].Label != "b" {
		t.Fatalf("paid after 0: %+v", after)
	}
	if err := s.DeleteInvoice(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteInvoice(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// A new invoice never reuses a deleted invoice's created_index.
	c := testInvoice("c", 4)
	if err := s.AddInvoice(ctx, c); err != nil || c.CreatedIndex != 3 {
		t.Fatalf("c: %d %v", c.CreatedIndex, err)
	}
}
