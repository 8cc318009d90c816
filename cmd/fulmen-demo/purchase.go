package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/paywall"
)

// purchase is what alice saw while buying the cat.
type purchase struct {
	InvoicePage string // the URL the shop redirected to
	Bolt11      string
	QRBytes     int // size of the QR code PNG
	ContentURL  string
	// RefusedStatus and RefusedBody: the content link before payment.
	RefusedStatus int
	RefusedBody   string
	// Preimage is what alice's pay returned, checked against the hash.
	Preimage string
	// PaidStatus is the invoice's status the store reported after payment.
	PaidStatus string
	// ContentStatus and Content: the content link after payment.
	ContentStatus int
	Content       string
}

// errPurchase: the store or the payment did not behave as a sale should.
var errPurchase = errors.New("buying the cat")

// statusReply is the part of the store's status JSON the demo reads
// (paywall.StatusReply).
type statusReply struct {
	Status      string `json:"status"`
	AmountMsat  uint64 `json:"amount_msat"`
	Bolt11      string `json:"bolt11"`
	PaymentHash string `json:"payment_hash"`
	ExpiresAt   int64  `json:"expires_at"`
	QRURL       string `json:"qr_url"`
	ContentURL  string `json:"content_url"`
}

// httpTimeout bounds each request; the long poll asks for less.
const httpTimeout = 45 * time.Second

// fetch GETs url without following redirects and returns the status, the
// Location and Content-Type headers, and the body.
func fetch(ctx context.Context, url string) (code int, location, contentType, body string, err error) {
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", "", "", err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", "", "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"), string(data), err
}

// fetchStatus reads the invoice's status JSON; wait > 0 long-polls.
func fetchStatus(ctx context.Context, url string, wait int) (statusReply, error) {
	if wait > 0 {
		url += fmt.Sprintf("?wait=%d", wait)
	}
	code, _, _, body, err := fetch(ctx, url)
	if err != nil {
		return statusReply{}, err
	}
	var reply statusReply
	if code != http.StatusOK {
		return reply, fmt.Errorf("%w: GET %s: %d %s", errPurchase, url, code, body)
	}
	if err := json.Unmarshal([]byte(body), &reply); err != nil {
		return reply, fmt.Errorf("%w: GET %s: %v", errPurchase, url, err)
	}
	return reply, nil
}

// buyTheCat has alice buy the cat from carol's store, as a browser and a
// wallet would, printing each step.
func (d *demo) buyTheCat(ctx context.Context) (purchase, error) {
	var p purchase
	base := d.store.URL

	// 1. The shop page makes a fresh invoice and redirects to it.
	code, location, _, body, err := fetch(ctx, d.store.ShopURL)
	if err != nil {
		return p, err
	}
	ref, ok := strings.CutPrefix(location, "/invoice/")
	if code != http.StatusSeeOther || !ok {
		return p, fmt.Errorf("%w: the shop page answered %d (Location %q): %s", errPurchase, code, location, body)
	}
	p.InvoicePage = base + location
	d.step("alice visits the shop: GET %s → %d %s, to her own invoice", d.store.ShopURL, code, http.StatusText(code))
	d.detail("(in a browser: open %s/ and choose the cat)", base)

	// 2. The invoice page shows the invoice text and its QR code.
	code, _, _, page, err := fetch(ctx, p.InvoicePage)
	if err != nil {
		return p, err
	}
	status, err := fetchStatus(ctx, p.InvoicePage+"/status", 0)
	if err != nil {
		return p, err
	}
	if code != http.StatusOK || status.Status != "unpaid" || !strings.Contains(page, status.Bolt11) {
		return p, fmt.Errorf("%w: the invoice page answered %d, status %q, and does not show the invoice", errPurchase, code, status.Status)
	}
	p.Bolt11 = status.Bolt11
	code, _, contentType, png, err := fetch(ctx, base+status.QRURL)
	if err != nil {
		return p, err
	}
	if code != http.StatusOK || contentType != "image/png" || !strings.HasPrefix(png, "\x89PNG") {
		return p, fmt.Errorf("%w: the QR code answered %d %q", errPurchase, code, contentType)
	}
	p.QRBytes = len(png)
	d.step("the invoice page %s shows the invoice (%s, payable until %s) and its QR code (%s%s, %d-byte PNG):",
		p.InvoicePage, paywall.FormatPrice(lnwire.MilliSatoshi(status.AmountMsat)), time.Unix(status.ExpiresAt, 0).Format("15:04:05"), base, status.QRURL, p.QRBytes)
	d.detail("%s", p.Bolt11)
	d.detail("(what it asks: %s decode <the invoice>)", d.alice.CLI())

	// 3. The content link is refused while the invoice is unpaid.
	p.ContentURL = base + "/content/" + ref
	if p.RefusedStatus, _, _, p.RefusedBody, err = fetch(ctx, p.ContentURL); err != nil {
		return p, err
	}
	d.step("before payment the cat's link is refused: GET %s → %d %s", p.ContentURL, p.RefusedStatus, http.StatusText(p.RefusedStatus))
	if p.RefusedStatus != http.StatusPaymentRequired {
		return p, fmt.Errorf("%w: the unpaid link answered %d, not 402", errPurchase, p.RefusedStatus)
	}

	// 4. Alice pays over her RPC socket.
	if err := d.pay(ctx, &p, status.PaymentHash); err != nil {
		return p, err
	}

	// 5. The store learns of the payment (what the page's script polls for).
	paid, err := fetchStatus(ctx, p.InvoicePage+"/status", 30)
	if err != nil {
		return p, err
	}
	p.PaidStatus = paid.Status
	d.step("the store sees the payment (carol's waitinvoice returns): GET %s/status?wait=30 → %q", p.InvoicePage, paid.Status)
	if paid.Status != "paid" || base+paid.ContentURL != p.ContentURL {
		return p, fmt.Errorf("%w: after payment the store says %q, content link %q", errPurchase, paid.Status, paid.ContentURL)
	}

	// 6. The content link now serves the cat.
	if p.ContentStatus, _, _, p.Content, err = fetch(ctx, p.ContentURL); err != nil {
		return p, err
	}
	d.step("alice follows the link: GET %s → %d %s", p.ContentURL, p.ContentStatus, http.StatusText(p.ContentStatus))
	if p.ContentStatus != http.StatusOK {
		return p, fmt.Errorf("%w: the paid link answered %d: %s", errPurchase, p.ContentStatus, p.Content)
	}
	fmt.Fprintln(d.out, p.Content)
	d.step("alice bought the cat")
	return p, nil
}

// pay has alice pay p.Bolt11 with `pay` and checks the preimage against the
// invoice's payment hash.
func (d *demo) pay(ctx context.Context, p *purchase, paymentHash string) error {
	var paid struct {
		Status          string `json:"status"`
		AmountSentMsat  uint64 `json:"amount_sent_msat"`
		PaymentPreimage string `json:"payment_preimage"`
	}
	if err := d.alice.Call(ctx, "pay", []any{p.Bolt11}, &paid); err != nil {
		return fmt.Errorf("alice pay: %w", err)
	}
	preimage, err := hex.DecodeString(paid.PaymentPreimage)
	sum := sha256.Sum256(preimage)
	if err != nil || paid.Status != "complete" || hex.EncodeToString(sum[:]) != paymentHash {
		return fmt.Errorf("%w: pay answered %+v, whose preimage does not match the hash %s", errPurchase, paid, paymentHash)
	}
	p.Preimage = paid.PaymentPreimage
	d.step("alice pays the invoice over the channel: %s, %s sent, preimage %s (her proof of payment)",
		paid.Status, paywall.FormatPrice(lnwire.MilliSatoshi(paid.AmountSentMsat)), paid.PaymentPreimage)
	d.detail("$ %s pay %s", d.alice.CLI(), p.Bolt11)
	return nil
}
