package paywall

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

// maxLabelAttempts bounds the retries when a fresh label is already taken,
// which with 128 random bits means a broken random source.
const maxLabelAttempts = 3

func (p *Paywall) routes() *http.ServeMux {
	mux := http.NewServeMux()
	b := p.cfg.BasePath
	mux.HandleFunc("GET "+b+"{$}", p.serveCatalogue)
	mux.HandleFunc("GET "+b+"buy/{item}", p.serveBuy)
	mux.HandleFunc("POST "+b+"buy/{item}", p.serveBuy)
	mux.HandleFunc("GET "+b+"invoice/{ref}", p.serveInvoice)
	mux.HandleFunc("GET "+b+"invoice/{ref}/qr.png", p.serveQR)
	mux.HandleFunc("GET "+b+"invoice/{ref}/status", p.serveStatus)
	mux.HandleFunc("GET "+b+"content/{ref}", p.serveContent)
	mux.HandleFunc("POST "+b+"content/{ref}", p.serveContent)
	mux.HandleFunc("GET "+b+"paywall.js", p.serveAsset("static/paywall.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET "+b+"paywall.css", p.serveAsset("static/paywall.css", "text/css; charset=utf-8"))
	mux.HandleFunc(b, func(w http.ResponseWriter, r *http.Request) {
		p.refuse(w, http.StatusNotFound, "Not found", "There is nothing here.", "")
	})
	return mux
}

// Paths of the pages of one invoice.
func (p *Paywall) buyPath(item string) string    { return p.cfg.BasePath + "buy/" + item }
func (p *Paywall) invoicePath(ref string) string { return p.cfg.BasePath + "invoice/" + ref }
func (p *Paywall) qrPath(ref string) string      { return p.invoicePath(ref) + "/qr.png" }
func (p *Paywall) statusPath(ref string) string  { return p.invoicePath(ref) + "/status" }
func (p *Paywall) contentPath(ref string) string { return p.cfg.BasePath + "content/" + ref }

// setHeaders sets what every response carries. Links hold the unguessable
// part of a label, so no page may leak its URL as a Referer, be framed, or
// be cached by anyone.
func setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; script-src 'self'; "+
		"style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

func (p *Paywall) serveCatalogue(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		Item    Item
		Price   string
		BuyPath string
	}
	entries := make([]entry, 0, len(p.cfg.Items))
	for _, it := range p.cfg.Items {
		entries = append(entries, entry{Item: it, Price: FormatPrice(it.Price), BuyPath: p.buyPath(it.ID)})
	}
	p.render(w, http.StatusOK, "catalogue", p.page("Catalogue", map[string]any{"Entries": entries}))
}

// serveBuy is the shop page of an item: every visit creates a fresh invoice
// with a new unguessable label, then redirects to it, so that reloading the
// invoice page shows the same invoice.
func (p *Paywall) serveBuy(w http.ResponseWriter, r *http.Request) {
	it, ok := p.items[r.PathValue("item")]
	if !ok {
		p.refuse(w, http.StatusNotFound, "Not for sale", "There is no such item in this shop.", "")
		return
	}
	ref, err := p.createInvoice(r.Context(), it)
	if errors.Is(err, errNoRandomness) {
		p.cfg.Logger.Error("paywall: no randomness for a label", "err", err)
		p.refuse(w, http.StatusInternalServerError, "Internal error", "The shop cannot make an invoice right now.", "")
		return
	}
	if err != nil {
		p.backendFailed(w, "creating an invoice", it, err)
		return
	}
	http.Redirect(w, r, p.invoicePath(ref), http.StatusSeeOther)
}

func (p *Paywall) createInvoice(ctx context.Context, it Item) (string, error) {
	var err error
	for range maxLabelAttempts {
		var ref string
		if ref, err = p.newRef(it.ID); err != nil {
			return "", err
		}
		_, err = p.cfg.Backend.CreateInvoice(ctx, p.Label(ref), it.Price, it.invoiceDescription(), p.cfg.InvoiceExpiry)
		if err == nil {
			return ref, nil
		}
		if !errors.Is(err, ErrDuplicateLabel) {
			return "", err
		}
	}
	return "", err
}

// lookup finds the invoice of ref. ok is false when a response has been
// written: 404 for a ref this paywall did not make or an invoice the node
// does not have, 502 when the node fails.
func (p *Paywall) lookup(w http.ResponseWriter, r *http.Request, asJSON bool) (Item, Invoice, string, bool) {
	ref := r.PathValue("ref")
	it, ok := p.parseRef(ref)
	var inv Invoice
	var err error
	if ok {
		inv, err = p.cfg.Backend.LookupInvoice(r.Context(), p.Label(ref))
		if err == nil && !inv.Status.known() {
			err = fmt.Errorf("%w: invoice status %q", ErrBackendReply, inv.Status)
		}
	}
	switch {
	case !ok || errors.Is(err, ErrInvoiceNotFound):
		if asJSON {
			p.writeJSONError(w, http.StatusNotFound, "unknown invoice")
		} else {
			p.refuse(w, http.StatusNotFound, "Unknown invoice",
				"This shop has no invoice at this address: it was never made here, or it was deleted.", "")
		}
		return Item{}, Invoice{}, "", false
	case err != nil:
		if asJSON {
			p.logBackendError("looking up an invoice", it, err)
			p.writeJSONError(w, http.StatusBadGateway, "the Lightning node is not answering")
		} else {
			p.backendFailed(w, "looking up an invoice", it, err)
		}
		return Item{}, Invoice{}, "", false
	}
	return it, inv, ref, true
}

// serveInvoice shows the invoice in its current state; it is the page
// visitors reload, and the one the script polls for.
func (p *Paywall) serveInvoice(w http.ResponseWriter, r *http.Request) {
	it, inv, ref, ok := p.lookup(w, r, false)
	if !ok {
		return
	}
	data := map[string]any{
		"Item":           it,
		"Price":          FormatPrice(inv.Amount),
		"Invoice":        inv,
		"ExpiresAt":      inv.ExpiresAt.UTC().Format(time.RFC1123),
		"QRPath":         p.qrPath(ref),
		"StatusPath":     p.statusPath(ref),
		"ContentPath":    p.contentPath(ref),
		"BuyPath":        p.buyPath(it.ID),
		"PreimageNeeded": p.cfg.RequirePreimage,
		"WalletLink":     walletLink(inv.Bolt11),
	}
	switch inv.Status {
	case StatusPaid:
		p.render(w, http.StatusOK, "paid", p.page("Paid", data))
	case StatusExpired:
		p.render(w, http.StatusGone, "expired", p.page("Invoice expired", data))
	default:
		page := p.page("Pay for "+it.Name, data)
		page.Poll = true
		p.render(w, http.StatusOK, "unpaid", page)
	}
}

// walletLink is the lightning: URI of the invoice as a link target, or ""
// if the invoice holds anything but bech32 characters (then it is shown,
// escaped, but not linked).
func walletLink(bolt11 string) template.URL {
	for _, c := range bolt11 {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return template.URL(QRScheme + bolt11)
}

func (p *Paywall) serveQR(w http.ResponseWriter, r *http.Request) {
	_, inv, _, ok := p.lookup(w, r, false)
	if !ok {
		return
	}
	png, _, err := QRPNG(inv.Bolt11)
	if err != nil {
		p.refuse(w, http.StatusInternalServerError, "No QR code", "This invoice does not fit in a QR code.", "")
		return
	}
	setHeaders(w)
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (p *Paywall) serveAsset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := assets.ReadFile(name)
		if err != nil {
			panic("paywall: embedded asset missing: " + name) // the embed directive guarantees it
		}
		setHeaders(w)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("Content-Type", contentType)
		w.Write(data)
	}
}

func (p *Paywall) logBackendError(doing string, it Item, err error) {
	p.cfg.Logger.Warn("paywall: Lightning node failed", "while", doing, "item", it.ID, "err", err)
}

// backendFailed answers 502: the node is down or refused.
func (p *Paywall) backendFailed(w http.ResponseWriter, doing string, it Item, err error) {
	p.logBackendError(doing, it, err)
	p.refuse(w, http.StatusBadGateway, "Lightning node unavailable",
		"The shop's Lightning node is not answering. Please try again in a moment.", "")
}
