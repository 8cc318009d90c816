package paywall_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/paywall"
	"github.com/fulmen-ln/fulmen/paywall/paywalltest"
)

// waitForWaiters blocks until n long polls are waiting on the fake node.
func waitForWaiters(t *testing.T, node *paywalltest.Backend, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for node.Waiters() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters, want %d", node.Waiters(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLongPollReturnsOnPaymentAndOnExpiry(t *testing.T) {
	s := newShop(t, nil)
	paid := s.visit("/", "cat")
	expires := s.visit("/", "cat")

	results := make(chan paywall.StatusReply, 2)
	for _, page := range []string{paid, expires} {
		go func() { results <- s.status(page + "/status?wait=600") }()
	}
	waitForWaiters(t, s.node, 2)
	if _, err := s.node.Pay(s.pw.Label(refOf(paid))); err != nil {
		t.Fatal(err)
	}
	if got := <-results; got.Status != paywall.StatusPaid || got.ContentURL != "/content/"+refOf(paid) {
		t.Fatalf("after payment: %+v", got)
	}
	waitForWaiters(t, s.node, 1)
	s.node.Advance(paywall.DefaultInvoiceExpiry)
	if got := <-results; got.Status != paywall.StatusExpired || got.InvoiceURL != expires {
		t.Fatalf("after expiry: %+v", got)
	}
}

func TestLongPollEndsWithTheWaitAndOnDeletion(t *testing.T) {
	s := newShop(t, func(c *paywall.Config) { c.MaxWait = 50 * time.Millisecond })
	page := s.visit("/", "cat")
	start := time.Now()
	// ?wait=30 is capped at MaxWait: the reply comes, still unpaid.
	if got := s.status(page + "/status?wait=30"); got.Status != paywall.StatusUnpaid {
		t.Fatalf("after the wait: %+v", got)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || waited > 10*time.Second {
		t.Fatalf("long poll took %v, want MaxWait (50ms)", waited)
	}

	s2 := newShop(t, nil)
	deleted := s2.visit("/", "cat")
	codes := make(chan int, 1)
	go func() { codes <- s2.get(deleted + "/status?wait=60").Code }()
	waitForWaiters(t, s2.node, 1)
	s2.node.Delete(s2.pw.Label(refOf(deleted)))
	if code := <-codes; code != http.StatusNotFound {
		t.Fatalf("long poll on a deleted invoice: %d", code)
	}
}

func TestConcurrentVisitors(t *testing.T) {
	s := newShop(t, nil)
	const visitors = 40
	type outcome struct {
		ref     string
		payer   bool
		content int
		body    string
		polled  paywall.Status
	}
	out := make([]outcome, visitors)
	var wg sync.WaitGroup
	for i := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &out[i]
			page := s.visit("/", "cat")
			o.ref, o.payer = refOf(page), i%2 == 0
			if r := s.get("/content/" + o.ref); r.Code != http.StatusPaymentRequired {
				t.Errorf("visitor %d before paying: %d", i, r.Code)
			}
			if o.payer {
				polled := make(chan paywall.Status, 1)
				go func() { polled <- s.status(page + "/status?wait=60").Status }()
				if _, err := s.node.Pay(s.pw.Label(o.ref)); err != nil {
					t.Errorf("visitor %d: %v", i, err)
				}
				o.polled = <-polled
			}
			r := s.get("/content/" + o.ref)
			o.content, o.body = r.Code, r.Body
		}()
	}
	wg.Wait()
	refs := map[string]bool{}
	for i, o := range out {
		refs[o.ref] = true
		switch {
		case o.payer && (o.content != http.StatusOK || o.body != testCat || o.polled != paywall.StatusPaid):
			t.Errorf("paying visitor %d: %d %q, poll %s", i, o.content, o.body, o.polled)
		case !o.payer && o.content != http.StatusPaymentRequired:
			t.Errorf("visitor %d who did not pay got %d", i, o.content)
		}
	}
	if len(refs) != visitors || s.node.Created() != visitors {
		t.Fatalf("%d distinct invoices for %d visitors (%d created)", len(refs), visitors, s.node.Created())
	}
}

func TestPreimageRequired(t *testing.T) {
	s := newShop(t, func(c *paywall.Config) { c.RequirePreimage = true })
	page := s.visit("/", "cat")
	ref := refOf(page)
	label := s.pw.Label(ref)
	// Knowing the preimage opens nothing before the invoice is paid.
	early := paywalltest.Preimage(label)
	if r := s.get(fmt.Sprintf("/content/%s?preimage=%x", ref, early)); r.Code != http.StatusPaymentRequired {
		t.Fatalf("unpaid with preimage: %d", r.Code)
	}
	preimage, err := s.node.Pay(label)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.status(page + "/status"); !got.PreimageRequired || got.ContentURL != "/content/"+ref {
		t.Fatalf("status: %+v", got)
	}
	if r := s.get(page); !strings.Contains(r.Body, `<form method="post" action="/content/`+ref+`">`) ||
		!strings.Contains(r.Body, `name="preimage"`) {
		t.Fatalf("paid page has no preimage form:\n%s", r.Body)
	}
	otherPreimage := paywalltest.Preimage("someone else")
	cases := []struct {
		name string
		r    func() response
		code int
		says string
	}{
		{"no preimage", func() response { return s.get("/content/" + ref) }, http.StatusForbidden, "payment preimage"},
		{"malformed", func() response { return s.get("/content/" + ref + "?preimage=abc") }, http.StatusBadRequest, "64 hex digits"},
		{"another preimage", func() response { return s.get(fmt.Sprintf("/content/%s?preimage=%x", ref, otherPreimage)) },
			http.StatusForbidden, "not the one"},
		{"the payment hash instead", func() response {
			inv, _ := s.node.LookupInvoice(t.Context(), label)
			return s.get(fmt.Sprintf("/content/%s?preimage=%x", ref, inv.PaymentHash))
		}, http.StatusForbidden, "not the one"},
		{"query", func() response { return s.get(fmt.Sprintf("/content/%s?preimage=%x", ref, preimage)) }, http.StatusOK, "o.o"},
		{"form, upper case", func() response {
			return s.post("/content/"+ref, url.Values{"preimage": {strings.ToUpper(fmt.Sprintf("%x", preimage))}})
		}, http.StatusOK, "o.o"},
	}
	for _, tc := range cases {
		r := tc.r()
		if r.Code != tc.code || !strings.Contains(r.Body, tc.says) {
			t.Errorf("%s: %d, want %d saying %q:\n%s", tc.name, r.Code, tc.code, tc.says, r.Body)
		}
	}
}

func TestNodeFailuresAnswer502(t *testing.T) {
	s := newShop(t, nil)
	page := s.visit("/", "cat")
	ref := refOf(page)
	s.node.Fail(errors.New("connection refused"))
	for _, path := range []string{"/buy/cat", page, page + "/qr.png", "/content/" + ref} {
		if r := s.get(path); r.Code != http.StatusBadGateway || !strings.Contains(r.Body, "not answering") {
			t.Errorf("GET %s with the node down: %d %s", path, r.Code, r.Body)
		}
	}
	if r := s.get(page + "/status"); r.Code != http.StatusBadGateway || !strings.Contains(r.Body, `"error"`) {
		t.Errorf("status with the node down: %d %s", r.Code, r.Body)
	}
	s.node.Fail(nil)
	if r := s.get(page); r.Code != http.StatusOK {
		t.Fatalf("node back: %d", r.Code)
	}
}

func TestMountedUnderABasePath(t *testing.T) {
	s := newShop(t, func(c *paywall.Config) { c.BasePath = "/shop/"; c.LabelPrefix = "catstore-" })
	mux := http.NewServeMux()
	mux.Handle("/shop/", s.pw.Handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("the site")) })
	s.handler = mux

	if r := s.get("/"); r.Body != "the site" {
		t.Fatalf("site root: %q", r.Body)
	}
	if r := s.get("/shop/"); !strings.Contains(r.Body, `href="/shop/buy/cat"`) || !strings.Contains(r.Body, `href="/shop/paywall.css"`) {
		t.Fatalf("catalogue under /shop/:\n%s", r.Body)
	}
	page := s.visit("/shop/", "cat")
	if labels := s.node.Labels(); len(labels) != 1 || !strings.HasPrefix(labels[0], "catstore-cat-") {
		t.Fatalf("labels %v", labels)
	}
	r := s.get(page)
	if !strings.Contains(r.Body, `src="/shop/paywall.js"`) || !strings.Contains(r.Body, `data-status-url="`+page+`/status"`) {
		t.Fatalf("invoice page under /shop/:\n%s", r.Body)
	}
	for _, asset := range []string{"/shop/paywall.js", "/shop/paywall.css"} {
		if r := s.get(asset); r.Code != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("%s: %d", asset, r.Code)
		}
	}
	if r := s.get("/buy/cat"); r.Body != "the site" {
		t.Fatal("the paywall answered outside its base path")
	}
}

func TestEveryResponseKeepsLinksPrivate(t *testing.T) {
	s := newShop(t, nil)
	page := s.visit("/", "cat")
	s.node.Pay(s.pw.Label(refOf(page)))
	for _, path := range []string{"/", page, page + "/qr.png", page + "/status", "/content/" + refOf(page), "/nope"} {
		r := s.get(path)
		if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") ||
			!strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("GET %s headers: %v", path, r.Header)
		}
	}
	if r := s.do(http.MethodDelete, page, nil); r.Code != http.StatusNotFound {
		t.Errorf("DELETE: %d", r.Code)
	}
}
