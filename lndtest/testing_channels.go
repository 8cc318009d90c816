package lndtest

import (
	"context"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// mustDo runs call with a bounded context and fails tn's test on error.
func mustDo[T any](tn *TestNode, call func(ctx context.Context) (T, error)) T {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	v, err := call(ctx)
	if err != nil {
		tn.t.Fatal(err)
	}
	return v
}

// OpenChannel opens a channel or fails the test.
func (tn *TestNode) OpenChannel(req OpenChannelRequest) ChannelPoint {
	tn.t.Helper()
	return mustDo(tn, func(ctx context.Context) (ChannelPoint, error) { return tn.Node.OpenChannel(ctx, req) })
}

// ListChannels returns lnd's open channels or fails the test.
func (tn *TestNode) ListChannels() []Channel {
	tn.t.Helper()
	return mustDo(tn, tn.Node.ListChannels)
}

// ChannelBalance returns lnd's channel balance or fails the test.
func (tn *TestNode) ChannelBalance() ChannelBalance {
	tn.t.Helper()
	return mustDo(tn, tn.Node.ChannelBalance)
}

// CloseChannel closes a channel (see Node.CloseChannel) or fails the test.
func (tn *TestNode) CloseChannel(point ChannelPoint, req CloseRequest) chainhash.Hash {
	tn.t.Helper()
	return mustDo(tn, func(ctx context.Context) (chainhash.Hash, error) { return tn.Node.CloseChannel(ctx, point, req) })
}

// AddHoldInvoice adds a hold invoice or fails the test.
func (tn *TestNode) AddHoldInvoice(req HoldInvoiceRequest) AddedInvoice {
	tn.t.Helper()
	return mustDo(tn, func(ctx context.Context) (AddedInvoice, error) { return tn.Node.AddHoldInvoice(ctx, req) })
}

// SettleInvoice settles a hold invoice or fails the test.
func (tn *TestNode) SettleInvoice(preimage [32]byte) {
	tn.t.Helper()
	mustDo(tn, func(ctx context.Context) (struct{}, error) { return struct{}{}, tn.Node.SettleInvoice(ctx, preimage) })
}

// CancelInvoice cancels an invoice or fails the test.
func (tn *TestNode) CancelInvoice(paymentHash [32]byte) {
	tn.t.Helper()
	mustDo(tn, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, tn.Node.CancelInvoice(ctx, paymentHash)
	})
}

// LookupInvoice returns an invoice or fails the test.
func (tn *TestNode) LookupInvoice(paymentHash [32]byte) Invoice {
	tn.t.Helper()
	return mustDo(tn, func(ctx context.Context) (Invoice, error) { return tn.Node.LookupInvoice(ctx, paymentHash) })
}

// LookupPayment returns lnd's payment of paymentHash (false when there is
// none) or fails the test.
func (tn *TestNode) LookupPayment(paymentHash [32]byte) (Payment, bool) {
	tn.t.Helper()
	var found bool
	p := mustDo(tn, func(ctx context.Context) (Payment, error) {
		p, ok, err := tn.Node.LookupPayment(ctx, paymentHash)
		found = ok
		return p, err
	})
	return p, found
}
