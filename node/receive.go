package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

// Invoices is what the runtime needs of the invoice registry to take a
// payment: the terms of the invoice with a payment hash, and marking it
// paid.
type Invoices interface {
	// Lookup returns the invoice's terms, or an error wrapping
	// ErrUnknownInvoice.
	Lookup(ctx context.Context, paymentHash [32]byte) (InvoiceTerms, error)
	// Settle marks the invoice paid with the amount received; an invoice
	// already paid is not an error for a retry of the same HTLC, the
	// caller decides.
	Settle(ctx context.Context, paymentHash [32]byte, received lnwire.MilliSatoshi) error
}

// ErrUnknownInvoice: no invoice has the payment hash.
var ErrUnknownInvoice = errors.New("node: unknown invoice")

// InvoiceTerms are an invoice's terms for checking a payment.
type InvoiceTerms struct {
	Preimage      [32]byte
	PaymentSecret [32]byte
	// Amount is nil for an "any amount" invoice.
	Amount *lnwire.MilliSatoshi
	// MinFinalCLTV is the invoice's min_final_cltv_expiry_delta.
	MinFinalCLTV uint32
	Expired      bool
	Paid         bool
}

// finalHop is an HTLC that ends here, with its decoded payload.
type finalHop struct {
	HTLC    channel.HTLC
	Payload *onion.HopPayload
	// Height is our current block height.
	Height lnwire.BlockHeight
}

// checkFinalHop applies BOLT #4's final-node rules to an HTLC paying an
// invoice; it returns the failure to send back, or ok. It is pure.
func checkFinalHop(h finalHop, inv *InvoiceTerms) (onion.Failure, bool) {
	details := onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: h.HTLC.Amount, Height: h.Height}
	p := h.Payload
	// BOLT #4: if the payment hash is unknown: MUST fail the HTLC. MUST
	// return an incorrect_or_unknown_payment_details error. (An expired
	// invoice is treated as unknown.)
	if inv == nil || inv.Expired {
		return details, false
	}
	// BOLT #4: if the payment_secret doesn't match the expected value for
	// that payment_hash, or the payment_secret is required and is not
	// present: MUST fail the HTLC. MUST return an
	// incorrect_or_unknown_payment_details error.
	if p.PaymentData == nil || p.PaymentData.PaymentSecret != inv.PaymentSecret {
		return details, false
	}
	// BOLT #4: if the cltv_expiry from the final node's HTLC is below
	// outgoing_cltv_value: MUST return final_incorrect_cltv_expiry error.
	if p.OutgoingCLTV == nil || h.HTLC.CLTVExpiry < *p.OutgoingCLTV {
		return onion.Failure{Code: onion.CodeFinalIncorrectCLTVExpiry, CLTVExpiry: h.HTLC.CLTVExpiry}, false
	}
	// BOLT #4: if amount_msat from the final node's HTLC is below
	// amt_to_forward: MUST return a final_incorrect_htlc_amount error.
	if p.AmountToForward == nil || h.HTLC.Amount < *p.AmountToForward {
		return onion.Failure{Code: onion.CodeFinalIncorrectHTLCAmount, HTLCMsat: h.HTLC.Amount}, false
	}
	// BOLT #4: if it does not support basic_mpp: MUST fail the HTLC if
	// total_msat is not exactly equal to amt_to_forward.
	if p.PaymentData.TotalMsat != *p.AmountToForward {
		return details, false
	}
	// BOLT #4: if the cltv_expiry value is unreasonably near the present:
	// MUST fail the HTLC. MUST return an
	// incorrect_or_unknown_payment_details error.
	if h.HTLC.CLTVExpiry < h.Height+lnwire.BlockHeight(inv.MinFinalCLTV) {
		return details, false
	}
	if inv.Amount != nil {
		// BOLT #4: if the amount paid is less than the amount expected:
		// MUST fail the HTLC. MUST return an
		// incorrect_or_unknown_payment_details error.
		if p.PaymentData.TotalMsat < *inv.Amount {
			return details, false
		}
		// BOLT #4: if the amount paid is more than twice the amount
		// expected: SHOULD fail the HTLC.
		if p.PaymentData.TotalMsat > 2**inv.Amount {
			return details, false
		}
	}
	return onion.Failure{}, true
}

// receiveHTLC decides on an HTLC the peer offered that is now irrevocably
// committed: an onion that does not end here is relayed (forward_relay.go);
// one that does must pay one of our invoices, and the HTLC is fulfilled
// with the invoice's preimage, or failed with the reason encrypted for the
// sender.
func (w *worker) receiveHTLC(ctx context.Context, h channel.HTLC, dustExceeded bool) {
	rt := w.rt
	if w.decided[h.ID] {
		return
	}
	if rt.cfg.NodeKey == nil || rt.cfg.Invoices == nil {
		w.log.Warn("an HTLC arrived but payments are not configured; failing it", "id", h.ID)
		w.failHTLC(ctx, h.ID, nil, onion.Failure{Code: onion.CodeTemporaryNodeFailure})
		return
	}
	packet, err := onion.ParsePacket(h.Onion)
	var peeled *onion.Peeled
	if err == nil {
		if h.PathKey != nil {
			var key *btcec.PublicKey
			if key, err = h.PathKey.PubKey(); err == nil {
				peeled, err = onion.PeelBlinded(packet, h.PaymentHash[:], rt.cfg.NodeKey, key)
			}
		} else {
			peeled, err = onion.Peel(packet, h.PaymentHash[:], rt.cfg.NodeKey)
		}
	}
	var bad *onion.BadOnionError
	var invalid *onion.InvalidPayloadError
	switch {
	case errors.As(err, &bad):
		w.failMalformed(ctx, h.ID, bad)
		return
	case errors.As(err, &invalid) && peeled != nil:
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, invalid.Failure())
		return
	case err != nil:
		w.log.Warn("unreadable onion", "id", h.ID, "err", err)
		w.failMalformed(ctx, h.ID, &onion.BadOnionError{Code: onion.CodeInvalidOnionVersion, OnionHash: sha256Of(h.Onion)})
		return
	}
	// BOLT #2: if the amount_msat plus the dust balance [...] is greater
	// than max_dust_htlc_exposure_msat: SHOULD fail this HTLC once it's
	// committed.
	if dustExceeded {
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, onion.Failure{Code: onion.CodeTemporaryChannelFailure})
		return
	}
	if !peeled.IsFinal() {
		w.forwardHTLC(ctx, h, peeled)
		return
	}
	payload, err := onion.DecodeHopPayload(peeled.Payload, onion.HopContext{Final: true, IncomingPathKey: h.PathKey != nil})
	if errors.As(err, &invalid) {
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, invalid.Failure())
		return
	}
	height, err := rt.cfg.Chain.BlockCount(ctx)
	if err != nil {
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, onion.Failure{Code: onion.CodeTemporaryNodeFailure})
		return
	}
	var terms *InvoiceTerms
	if inv, err := rt.cfg.Invoices.Lookup(ctx, h.PaymentHash); err == nil {
		terms = &inv
	} else if !errors.Is(err, ErrUnknownInvoice) {
		w.log.Warn("invoice lookup failed", "err", err)
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, onion.Failure{Code: onion.CodeTemporaryNodeFailure})
		return
	}
	failure, ok := checkFinalHop(finalHop{HTLC: h, Payload: payload, Height: height}, terms)
	if !ok {
		w.log.Info("refusing a payment", "id", h.ID, "payment_hash", fmt.Sprintf("%x", h.PaymentHash), "failure", failure.String())
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, failure)
		return
	}
	// BOLT #4: if the payment hash has already been paid: MAY succeed in
	// accepting the HTLC. (A restart re-decides HTLCs not yet removed.)
	if !terms.Paid {
		if err := rt.cfg.Invoices.Settle(ctx, h.PaymentHash, h.Amount); err != nil {
			w.log.Warn("settling the invoice failed", "err", err)
			w.failHTLC(ctx, h.ID, &peeled.SharedSecret, onion.Failure{Code: onion.CodeTemporaryNodeFailure})
			return
		}
	}
	if err := w.step(ctx, channel.FulfillHTLC{ID: h.ID, Preimage: terms.Preimage}); err != nil {
		w.log.Warn("fulfilling the HTLC", "id", h.ID, "err", err)
		return
	}
	w.decided[h.ID] = true
	w.log.Info("payment received", "id", h.ID, "amount", h.Amount, "payment_hash", fmt.Sprintf("%x", h.PaymentHash))
}

// failHTLC fails an HTLC with a failure onion for its sender (secret nil:
// no onion could be read, the reason is unencrypted filler).
func (w *worker) failHTLC(ctx context.Context, id uint64, secret *[32]byte, failure onion.Failure) {
	var reason []byte
	if secret != nil {
		var err error
		if reason, err = onion.NewFailureOnion(*secret, failure); err != nil {
			w.log.Error("building the failure onion", "err", err)
		}
	}
	if reason == nil {
		reason = make([]byte, 256)
	}
	if err := w.step(ctx, channel.FailHTLC{ID: id, Reason: reason}); err != nil {
		w.log.Warn("failing the HTLC", "id", id, "err", err)
		return
	}
	w.decided[id] = true
}

// failMalformed fails an HTLC whose onion we could not authenticate.
//
// BOLT #2: update_fail_malformed_htlc [...] failure_code: the BADONION
// bit MUST be set.
func (w *worker) failMalformed(ctx context.Context, id uint64, bad *onion.BadOnionError) {
	ev := channel.FailMalformedHTLC{ID: id, SHA256OfOnion: bad.OnionHash, FailureCode: uint16(bad.Code)}
	if err := w.step(ctx, ev); err != nil {
		w.log.Warn("failing the malformed HTLC", "id", id, "err", err)
		return
	}
	w.decided[id] = true
}

// redecide queues the HTLCs pendingIncoming finds, once the link is up
// again: they were reported to a process that is gone, or their decision
// could not be sent.
func (w *worker) redecide(ctx context.Context) {
	if w.rt.cfg.Payments != nil {
		return // someone else decides
	}
	for _, h := range pendingIncoming(&w.state) {
		if !w.decided[h.ID] {
			h := h
			w.inbox.push(item{kind: itemCommand, cmd: func() { w.receiveHTLC(ctx, h, false) }})
		}
	}
}

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }

// pendingIncoming lists the HTLCs the peer offered that are in both
// current commitments and that we have not started to remove: after a
// restart they are decided again, since HTLCAccepted was reported only to
// the process that died.
func pendingIncoming(s *channel.State) []channel.HTLC {
	removing := make(map[uint64]bool)
	for _, batch := range [][]channel.Update{s.LocalChanges.Proposed, s.LocalChanges.Signed, s.LocalChanges.Acked} {
		for _, u := range batch {
			switch m := u.Msg.(type) {
			case *lnwire.UpdateFulfillHTLC:
				removing[m.ID] = true
			case *lnwire.UpdateFailHTLC:
				removing[m.ID] = true
			case *lnwire.UpdateFailMalformedHTLC:
				removing[m.ID] = true
			}
		}
	}
	inRemote := make(map[uint64]bool)
	for _, h := range s.RemoteCommit.Spec.HTLCs {
		if h.Offerer == channel.Remote {
			inRemote[h.ID] = true
		}
	}
	var out []channel.HTLC
	for _, h := range s.LocalCommit.Spec.HTLCs {
		if h.Offerer == channel.Remote && inRemote[h.ID] && !removing[h.ID] {
			out = append(out, h)
		}
	}
	return out
}
