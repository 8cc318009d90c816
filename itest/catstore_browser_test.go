package itest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fulmen-ln/fulmen/devnet"
)

// browserTimeout bounds the whole browser part of a test.
const browserTimeout = 3 * time.Minute

// qrImage is what the page's QR code <img> reports once loaded.
type qrImage struct {
	Found    bool   `json:"found"`
	Complete bool   `json:"complete"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Src      string `json:"src"`
}

const qrImageJS = `(() => {
  const img = document.querySelector("p.qr img");
  if (!img) return {found: false};
  return {found: true, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight, src: img.src};
})()`

// pageText is the visible text of the tab's page ("" while it is between
// documents).
func pageText(ctx context.Context) string {
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return ""
	}
	return text
}

// waitPage polls the tab until its text holds want (the page's own script
// may reload it meanwhile), and returns the text and the tab's URL.
func waitPage(t *testing.T, ctx context.Context, want string, timeout time.Duration) (string, string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		text := pageText(ctx)
		if strings.Contains(text, want) {
			url, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			return text, url
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("the page never showed %q; it shows:\n%s", want, text)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// visit opens url in the tab and returns the HTTP status of the document
// (after redirects) and the page's text.
func visit(t *testing.T, ctx context.Context, url string) (int, string) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	return int(resp.Status), pageText(ctx)
}

// invoiceLabel is the label on the node of the store's invoice page url
// (catstore's labels are "catstore-" + the ref in the page's URL), and the
// page's content link.
func invoiceLabel(t *testing.T, url string) (label, contentURL string) {
	t.Helper()
	root, ref, ok := strings.Cut(url, "/invoice/")
	if !ok || !strings.HasPrefix(ref, "cat-") || strings.Contains(ref, "/") {
		t.Fatalf("the shop led to %s, not an invoice page", url)
	}
	return "catstore-" + ref, root + "/content/" + ref
}

// TestCatstoreBrowserBuysTheCat is the first sale in a real browser:
// headless Chromium loads carol's cat store, sees the invoice and its QR
// code; alice pays the invoice from her node over a real channel; the
// page's own script notices and offers the cat's link, which shows the cat.
// The link is refused while unpaid (402), and the link of an invoice of a
// store whose invoices expire after five seconds is refused once expired
// (410); a link the store never made is unknown (404).
func TestCatstoreBrowserBuysTheCat(t *testing.T) {
	requireChromium(t)
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	alice, carol, _, carolID := channelPair(t, net, "shop", 2_000_000)
	if err := alice.Call(ctx, "fundchannel", map[string]any{"id": carolID, "amount": 1_000_000}, nil); err != nil {
		t.Fatal(err)
	}
	mine(t, net.Chain, 3)
	waitChannel(t, alice, "CHANNELD_NORMAL")
	waitChannel(t, carol, "CHANNELD_NORMAL")
	store := net.StartStore(t, carol, "catstore", "--price=10000sat")
	briefStore := net.StartStore(t, carol, "catstore-brief", "--expiry=5s")

	browser := startChromium(t)
	browser, cancel := context.WithTimeout(browser, browserTimeout)
	defer cancel()
	shop, closeShop := chromedp.NewContext(browser)
	defer closeShop()
	other, closeOther := chromedp.NewContext(browser)
	defer closeOther()

	// The shop page makes a fresh invoice and shows it: text and QR code.
	code, text := visit(t, shop, store.ShopURL)
	if code != http.StatusOK || !strings.Contains(text, "Pay 10,000 sat for An ASCII cat") ||
		!strings.Contains(text, "Waiting for your payment") {
		t.Fatalf("the shop page answered %d:\n%s", code, text)
	}
	invoiceURL, err := chromedp.Run(shop, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	label, contentURL := invoiceLabel(t, invoiceURL)
	bolt11, err := chromedp.Run(shop, chromedp.Value("textarea.bolt11"))
	if err != nil {
		t.Fatal(err)
	}
	listed := listInvoice(t, carol, label)
	if !strings.HasPrefix(bolt11, "lnbcrt100u1") || listed.Bolt11 != bolt11 || listed.Status != "unpaid" {
		t.Fatalf("the page shows invoice %q; carol has %+v under %s", bolt11, listed, label)
	}
	qr, err := chromedp.Run(shop, chromedp.Evaluate[qrImage](qrImageJS))
	if err != nil {
		t.Fatal(err)
	}
	// The PNG loaded and decoded: a broken image has a natural size of 0.
	if !qr.Found || !qr.Complete || qr.Width < 100 || qr.Width != qr.Height || qr.Src != invoiceURL+"/qr.png" {
		t.Fatalf("the QR code did not load: %+v", qr)
	}

	// Before payment the link is refused.
	code, text = visit(t, other, contentURL)
	if code != http.StatusPaymentRequired || !strings.Contains(text, "402 Payment Required") ||
		!strings.Contains(text, "not paid yet") || strings.Contains(text, "Thank you for paying") {
		t.Fatalf("the unpaid link answered %d:\n%s", code, text)
	}

	// Alice pays what the page shows; the page notices by itself.
	var paid paymentReply
	if err := alice.Call(ctx, "pay", []any{bolt11}, &paid); err != nil {
		t.Fatalf("alice pays the shop's invoice: %v", err)
	}
	checkPreimage(t, paid)
	if _, url := waitPage(t, shop, "Paid. Thank you!", time.Minute); url != invoiceURL {
		t.Fatalf("the paid page is %s, not the invoice's %s", url, invoiceURL)
	}
	if err := chromedp.Do(shop, chromedp.Click("p.content-link a")); err != nil {
		t.Fatalf("following the page's link: %v", err)
	}
	text, url := waitPage(t, shop, "Thank you for paying with Lightning.", 30*time.Second)
	if url != contentURL || !strings.Contains(text, `/\_____/\`) {
		t.Fatalf("the link led to %s:\n%s", url, text)
	}
	if listed := listInvoice(t, carol, label); listed.Status != "paid" {
		t.Fatalf("carol's invoice is %q", listed.Status)
	}
	// The same link, opened anew, now answers 200 with the cat.
	if code, text := visit(t, other, contentURL); code != http.StatusOK || !strings.Contains(text, `/\_____/\`) {
		t.Fatalf("the paid link answered %d:\n%s", code, text)
	}

	// An invoice left unpaid expires: the page says so, the link is gone,
	// and alice can no longer pay it.
	brief, closeBrief := chromedp.NewContext(browser)
	defer closeBrief()
	if code, text := visit(t, brief, briefStore.ShopURL); code != http.StatusOK || !strings.Contains(text, "Waiting for your payment") {
		t.Fatalf("the brief shop answered %d:\n%s", code, text)
	}
	briefInvoiceURL, err := chromedp.Run(brief, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	briefLabel, briefContentURL := invoiceLabel(t, briefInvoiceURL)
	briefBolt11 := listInvoice(t, carol, briefLabel).Bolt11
	waitPage(t, brief, "This invoice expired", 30*time.Second)
	code, text = visit(t, other, briefContentURL)
	if code != http.StatusGone || !strings.Contains(text, "410 Gone") || !strings.Contains(text, "expired before it was paid") {
		t.Fatalf("the expired link answered %d:\n%s", code, text)
	}
	if err := alice.Call(ctx, "pay", []any{briefBolt11}, nil); err == nil {
		t.Fatal("alice paid an expired invoice")
	}
	if code, _ := visit(t, other, briefContentURL); code != http.StatusGone {
		t.Fatalf("after a refused payment the expired link answered %d", code)
	}

	// A link the store never made.
	unknown := store.URL + "/content/cat-" + strings.Repeat("a", 26)
	if code, text := visit(t, other, unknown); code != http.StatusNotFound || !strings.Contains(text, "404 Not Found") {
		t.Fatalf("an unknown link answered %d:\n%s", code, text)
	}
}

// storeInvoice is one of carol's invoices as listinvoices shows it.
type storeInvoice struct {
	Bolt11 string `json:"bolt11"`
	Status string `json:"status"`
}

// listInvoice is carol's invoice under label, or fails the test.
func listInvoice(t *testing.T, node *devnet.Node, label string) storeInvoice {
	t.Helper()
	var reply struct {
		Invoices []storeInvoice `json:"invoices"`
	}
	if err := node.Call(context.Background(), "listinvoices", map[string]any{"label": label}, &reply); err != nil {
		t.Fatal(err)
	}
	if len(reply.Invoices) != 1 {
		t.Fatalf("%s has %d invoices labelled %s", node.Name, len(reply.Invoices), label)
	}
	return reply.Invoices[0]
}
