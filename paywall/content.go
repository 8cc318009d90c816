package paywall

import (
	"net/http"
)

// serveContent delivers the item of a paid invoice, and refuses every other
// case with a page saying why:
//
//	404  the link is not one of this shop's invoices (unknown or deleted)
//	402  the invoice is not paid yet (with a link to pay it)
//	410  the invoice expired unpaid (with a link to a new one)
//	403  Config.RequirePreimage and the preimage is missing or does not
//	     match the payment hash
//	400  the preimage given is not 64 hex digits
//
// The preimage comes as ?preimage=hex or from the page's POST form.
func (p *Paywall) serveContent(w http.ResponseWriter, r *http.Request) {
	it, inv, ref, ok := p.lookup(w, r, false)
	if !ok {
		return
	}
	switch inv.Status {
	case StatusExpired:
		p.refuse(w, http.StatusGone, "Invoice expired",
			"This invoice expired before it was paid, so this link will never open.", p.buyPath(it.ID))
		return
	case StatusUnpaid:
		p.refuse(w, http.StatusPaymentRequired, "Payment required",
			"This invoice is not paid yet. Pay it, then come back to this link.", p.invoicePath(ref))
		return
	}
	if p.cfg.RequirePreimage {
		text := r.FormValue("preimage")
		if text == "" {
			p.askPreimage(w, http.StatusForbidden, it, ref, "")
			return
		}
		preimage, err := ParsePreimage(text)
		if err != nil {
			p.askPreimage(w, http.StatusBadRequest, it, ref, "That is not a payment preimage: it has 64 hex digits.")
			return
		}
		if !PreimageMatches(inv.PaymentHash, preimage) {
			p.askPreimage(w, http.StatusForbidden, it, ref, "That preimage is not the one of this invoice's payment.")
			return
		}
	}
	setHeaders(w)
	w.Header().Set("Content-Type", it.contentType())
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(it.Content)
}

// askPreimage shows the form that asks for the payment preimage.
func (p *Paywall) askPreimage(w http.ResponseWriter, code int, it Item, ref, problem string) {
	p.render(w, code, "preimage", p.page("Proof of payment", map[string]any{
		"Item":        it,
		"ContentPath": p.contentPath(ref),
		"Problem":     problem,
	}))
}
