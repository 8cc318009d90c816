package paywall_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/hex"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/paywall"
	"github.com/fulmen-ln/fulmen/paywall/paywalltest"
)

func TestCatalogueLinksToEachShopPage(t *testing.T) {
	s := newShop(t, nil)
	r := s.get("/")
	if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("catalogue: %d %v", r.Code, r.Header)
	}
	for _, want := range []string{`href="/buy/cat"`, "An ASCII cat", "10 sat", `href="/buy/dog"`, "20.5 sat", "Cat store"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("catalogue lacks %q:\n%s", want, r.Body)
		}
	}
	if n := s.node.Created(); n != 0 {
		t.Fatalf("the catalogue created %d invoices", n)
	}
}

func TestShopPageShowsAFreshInvoiceAndQRCode(t *testing.T) {
	s := newShop(t, nil)
	page := s.visit("/", "cat")
	ref := refOf(page)
	labels := s.node.Labels()
	if len(labels) != 1 || labels[0] != "paywall-"+ref {
		t.Fatalf("node labels %v, want [paywall-%s]", labels, ref)
	}
	inv, err := s.node.LookupInvoice(context.Background(), labels[0])
	if err != nil {
		t.Fatal(err)
	}

	r := s.get(page)
	if r.Code != http.StatusOK {
		t.Fatalf("invoice page: %d %s", r.Code, r.Body)
	}
	m := bolt11InPage.FindStringSubmatch(r.Body)
	if m == nil || m[1] != inv.Bolt11 {
		t.Fatalf("page does not show the invoice %s:\n%s", inv.Bolt11, r.Body)
	}
	for _, want := range []string{
		`<img src="` + page + `/qr.png"`,
		`href="lightning:` + inv.Bolt11 + `"`,
		`data-status-url="` + page + `/status"`,
		`<script src="/paywall.js"></script>`,
		"Pay 10 sat for An ASCII cat",
		"reload",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("invoice page lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "/content/") {
		t.Error("an unpaid invoice page shows the content link")
	}
	// The invoice is a real BOLT 11 invoice for the item.
	decoded, err := bolt11.Decode(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if decoded.Amount == nil || *decoded.Amount != 10_000 || decoded.Description == nil ||
		*decoded.Description != "An ASCII cat" || decoded.ExpirySeconds() != uint64(paywall.DefaultInvoiceExpiry/time.Second) {
		t.Fatalf("decoded invoice %+v", decoded)
	}
	// Reloading shows the same invoice and creates no other.
	if again := s.get(page); bolt11InPage.FindStringSubmatch(again.Body)[1] != inv.Bolt11 || s.node.Created() != 1 {
		t.Fatal("reload changed the invoice")
	}
	// Every visit creates a fresh invoice.
	if other := s.visit("/", "cat"); other == page || s.node.Created() != 2 {
		t.Fatalf("second visit: %s (created %d)", other, s.node.Created())
	}

	qr := s.get(page + "/qr.png")
	if qr.Code != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d %v", qr.Code, qr.Header)
	}
	img, err := png.Decode(bytes.NewReader([]byte(qr.Body)))
	if err != nil {
		t.Fatalf("QR is not a PNG: %v", err)
	}
	_, size, err := paywall.QRPNG(inv.Bolt11)
	if err != nil {
		t.Fatal(err)
	}
	side := (size + 2*paywall.QRQuietZone) * paywall.QRScale
	if b := img.Bounds(); b.Dx() != side || b.Dy() != side || size < 21 {
		t.Fatalf("QR image %v, want %dx%d for a %d-module code", b, side, side, size)
	}
}

func TestStatusJSONFollowsTheInvoice(t *testing.T) {
	s := newShop(t, nil)
	page := s.visit("/", "dog")
	ref := refOf(page)
	label := s.pw.Label(ref)
	inv, _ := s.node.LookupInvoice(context.Background(), label)

	got := s.status(page + "/status")
	want := paywall.StatusReply{
		Status:      paywall.StatusUnpaid,
		Item:        "dog",
		AmountMsat:  20_500,
		Bolt11:      inv.Bolt11,
		PaymentHash: hex.EncodeToString(inv.PaymentHash[:]),
		ExpiresAt:   s.node.Now().Add(paywall.DefaultInvoiceExpiry).Unix(),
		InvoiceURL:  page,
		QRURL:       page + "/qr.png",
	}
	if got != want {
		t.Fatalf("unpaid status\n got %+v\nwant %+v", got, want)
	}
	if _, err := s.node.Pay(label); err != nil {
		t.Fatal(err)
	}
	want.Status, want.ContentURL = paywall.StatusPaid, "/content/"+ref
	if got := s.status(page + "/status"); got != want {
		t.Fatalf("paid status\n got %+v\nwant %+v", got, want)
	}
	preimage := paywalltest.Preimage(label)
	if body := s.get(page + "/status").Body; strings.Contains(body, hex.EncodeToString(preimage[:])) {
		t.Fatalf("status shows the preimage: %s", body)
	}
	for _, bad := range []string{"?wait=-1", "?wait=x", "?wait=1.5"} {
		if r := s.get(page + "/status" + bad); r.Code != http.StatusBadRequest || !strings.Contains(r.Body, `"error"`) {
			t.Errorf("status%s: %d %s", bad, r.Code, r.Body)
		}
	}
}

func TestPaidLinkServesTheCat(t *testing.T) {
	s := newShop(t, nil)
	page := s.visit("/", "cat")
	ref := refOf(page)
	if r := s.get("/content/" + ref); r.Code != http.StatusPaymentRequired ||
		!strings.Contains(r.Body, "not paid") || strings.Contains(r.Body, "o.o") ||
		!strings.Contains(r.Body, `href="`+page+`"`) {
		t.Fatalf("unpaid link: %d %s", r.Code, r.Body)
	}
	if _, err := s.node.Pay(s.pw.Label(ref)); err != nil {
		t.Fatal(err)
	}
	r := s.get(page)
	if r.Code != http.StatusOK || !strings.Contains(r.Body, `href="/content/`+ref+`"`) ||
		strings.Contains(r.Body, "paywall.js") {
		t.Fatalf("paid invoice page: %d %s", r.Code, r.Body)
	}
	r = s.get("/content/" + ref)
	if r.Code != http.StatusOK || r.Body != testCat || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("paid link: %d %q %v", r.Code, r.Body, r.Header)
	}
	// The link keeps working, and stays paid past the invoice's expiry.
	s.node.Advance(24 * time.Hour)
	if r := s.get("/content/" + ref); r.Code != http.StatusOK || r.Body != testCat {
		t.Fatalf("paid link a day later: %d", r.Code)
	}
	// A paid invoice for the dog opens the dog, with its content type.
	dog := refOf(s.visit("/", "dog"))
	s.node.Pay(s.pw.Label(dog))
	if r := s.get("/content/" + dog); r.Code != http.StatusOK || r.Body != "<p>woof</p>" ||
		r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("dog: %d %q", r.Code, r.Body)
	}
}

func TestRefusedLinks(t *testing.T) {
	s := newShop(t, nil)
	expired := refOf(s.visit("/", "cat"))
	s.node.Advance(paywall.DefaultInvoiceExpiry - time.Second)
	unpaid := refOf(s.visit("/", "cat"))
	deleted := refOf(s.visit("/", "cat"))
	s.node.Advance(2 * time.Second) // past the first invoice's expiry only
	if err := s.node.Delete(s.pw.Label(deleted)); err != nil {
		t.Fatal(err)
	}
	// An invoice of the node that the paywall did not make.
	s.node.CreateInvoice(context.Background(), "cat-1", 1000, "not the shop's", time.Hour)

	cases := []struct {
		name, path string
		code       int
		says       string
	}{
		{"unpaid", "/content/" + unpaid, http.StatusPaymentRequired, "not paid yet"},
		{"expired", "/content/" + expired, http.StatusGone, "expired"},
		{"deleted", "/content/" + deleted, http.StatusNotFound, "no invoice"},
		{"unknown token", "/content/cat-" + strings.Repeat("a", 26), http.StatusNotFound, "no invoice"},
		{"node's own label", "/content/cat-1", http.StatusNotFound, "no invoice"},
		{"label given whole", "/content/paywall-" + unpaid, http.StatusNotFound, "no invoice"},
		{"short token", "/content/" + unpaid[:len(unpaid)-1], http.StatusNotFound, "no invoice"},
		{"other item", "/content/dog" + unpaid[len("cat"):], http.StatusNotFound, "no invoice"},
		{"unknown item", "/content/cow" + unpaid[len("cat"):], http.StatusNotFound, "no invoice"},
		{"no dash", "/content/cat", http.StatusNotFound, "no invoice"},
		{"expired invoice page", "/invoice/" + expired, http.StatusGone, `href="/buy/cat"`},
		{"deleted invoice page", "/invoice/" + deleted, http.StatusNotFound, "no invoice"},
		{"deleted QR", "/invoice/" + deleted + "/qr.png", http.StatusNotFound, "no invoice"},
		{"unknown item to buy", "/buy/cow", http.StatusNotFound, "no such item"},
		{"no such page", "/admin", http.StatusNotFound, "nothing here"},
	}
	for _, tc := range cases {
		r := s.get(tc.path)
		if r.Code != tc.code || !strings.Contains(r.Body, tc.says) || strings.Contains(r.Body, "o.o") {
			t.Errorf("%s: GET %s = %d, want %d saying %q:\n%s", tc.name, tc.path, r.Code, tc.code, tc.says, r.Body)
		}
	}
	if r := s.get("/invoice/" + deleted + "/status"); r.Code != http.StatusNotFound || !strings.Contains(r.Body, `"error"`) {
		t.Errorf("deleted status: %d %s", r.Code, r.Body)
	}
	if got := s.status("/invoice/" + expired + "/status"); got.Status != paywall.StatusExpired || got.ContentURL != "" {
		t.Errorf("expired status: %+v", got)
	}
	if _, err := s.node.Pay(s.pw.Label(expired)); err == nil {
		t.Error("the fake paid an expired invoice")
	}
}

func TestLabelsAreUniqueAndUnguessable(t *testing.T) {
	s := newShop(t, nil)
	const visits = 300
	seen := make(map[string]bool, visits)
	for i := 0; i < visits; i++ {
		ref := refOf(s.visit("/", "cat"))
		token := strings.TrimPrefix(ref, "cat-")
		if len(token) != 26 || strings.Trim(token, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("token %q is not 26 base32 characters (128 bits)", token)
		}
		if seen[token] {
			t.Fatalf("token %q drawn twice", token)
		}
		seen[token] = true
	}
	if len(s.node.Labels()) != visits {
		t.Fatalf("%d labels on the node, want %d", len(s.node.Labels()), visits)
	}
	// The token is the random source's bytes: nothing else (a clock, a
	// counter) goes into it.
	fixed := bytes.Repeat([]byte{0xff}, 16)
	det := newShop(t, func(c *paywall.Config) { c.Random = bytes.NewReader(fixed) })
	want := "cat-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(fixed))
	if ref := refOf(det.visit("/", "cat")); ref != want {
		t.Fatalf("ref from 16 bytes of 0xff: %s", ref)
	}
	// An exhausted random source makes no invoice.
	if r := det.get("/buy/cat"); r.Code != http.StatusInternalServerError || det.node.Created() != 1 {
		t.Fatalf("no randomness: %d, %d invoices", r.Code, det.node.Created())
	}
}
