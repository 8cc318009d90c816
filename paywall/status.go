package paywall

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// StatusReply is the JSON of the status endpoint.
type StatusReply struct {
	Status      Status `json:"status"`
	Item        string `json:"item"`
	AmountMsat  uint64 `json:"amount_msat"`
	Bolt11      string `json:"bolt11"`
	PaymentHash string `json:"payment_hash"`
	ExpiresAt   int64  `json:"expires_at"`
	InvoiceURL  string `json:"invoice_url"`
	QRURL       string `json:"qr_url"`
	// ContentURL is set once the invoice is paid.
	ContentURL string `json:"content_url,omitempty"`
	// PreimageRequired: the content link asks for the payment preimage.
	PreimageRequired bool `json:"preimage_required"`
}

// errorReply is the JSON of a failed status request.
type errorReply struct {
	Error string `json:"error"`
}

// serveStatus answers the invoice's status as JSON. With ?wait=N (seconds,
// capped at Config.MaxWait) an unpaid invoice is waited on until it is paid
// or expires or N seconds pass, whichever comes first: a long poll.
func (p *Paywall) serveStatus(w http.ResponseWriter, r *http.Request) {
	var wait time.Duration
	if text := r.URL.Query().Get("wait"); text != "" {
		seconds, err := strconv.ParseUint(text, 10, 32)
		if err != nil {
			p.writeJSONError(w, http.StatusBadRequest, "wait: a whole number of seconds")
			return
		}
		wait = min(time.Duration(seconds)*time.Second, p.cfg.MaxWait)
	}
	it, inv, ref, ok := p.lookup(w, r, true)
	if !ok {
		return
	}
	if inv.Status == StatusUnpaid && wait > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		waited, err := p.cfg.Backend.WaitInvoice(ctx, p.Label(ref))
		waitEnded := ctx.Err() != nil
		cancel()
		switch {
		case err == nil && !waited.Status.known():
			p.logBackendError("waiting for an invoice", it, fmt.Errorf("%w: status %q", ErrBackendReply, waited.Status))
			p.writeJSONError(w, http.StatusBadGateway, "the Lightning node answered nonsense")
			return
		case err == nil:
			inv = waited
		case r.Context().Err() != nil:
			return // the visitor left
		case waitEnded:
			// Still unpaid after the wait: answer what we know.
		case errors.Is(err, ErrInvoiceNotFound):
			p.writeJSONError(w, http.StatusNotFound, "unknown invoice")
			return
		default:
			p.logBackendError("waiting for an invoice", it, err)
			p.writeJSONError(w, http.StatusBadGateway, "the Lightning node is not answering")
			return
		}
	}
	reply := StatusReply{
		Status:           inv.Status,
		Item:             it.ID,
		AmountMsat:       uint64(inv.Amount),
		Bolt11:           inv.Bolt11,
		PaymentHash:      hex.EncodeToString(inv.PaymentHash[:]),
		ExpiresAt:        inv.ExpiresAt.Unix(),
		InvoiceURL:       p.invoicePath(ref),
		QRURL:            p.qrPath(ref),
		PreimageRequired: p.cfg.RequirePreimage,
	}
	if inv.Status == StatusPaid {
		reply.ContentURL = p.contentPath(ref)
	}
	p.writeJSON(w, http.StatusOK, reply)
}

func (p *Paywall) writeJSON(w http.ResponseWriter, code int, v any) {
	setHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (p *Paywall) writeJSONError(w http.ResponseWriter, code int, message string) {
	p.writeJSON(w, code, errorReply{Error: message})
}
