package paywall_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/paywall"
	"github.com/fulmen-ln/fulmen/paywall/paywalltest"
)

// testCat is the item the tests sell.
const testCat = `
 /\_/\
( o.o )
 > ^ <
`

// catItem is the catalogue entry for testCat at 10 sat.
func catItem() paywall.Item {
	return paywall.Item{ID: "cat", Name: "An ASCII cat", Price: 10_000, Content: []byte(testCat)}
}

// shop is a paywall on a fake node, driven through its http.Handler.
type shop struct {
	t       testing.TB
	node    *paywalltest.Backend
	pw      *paywall.Paywall
	handler http.Handler
}

// newShop builds a paywall selling the cat (and a dog) on a fake node;
// tweak changes the configuration first.
func newShop(t testing.TB, tweak func(*paywall.Config)) *shop {
	t.Helper()
	node := paywalltest.NewBackend()
	cfg := paywall.Config{
		Backend: node,
		Title:   "Cat store",
		Items: []paywall.Item{catItem(), {ID: "dog", Name: "A dog", Price: 20_500,
			ContentType: "text/html; charset=utf-8", Content: []byte("<p>woof</p>")}},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	pw, err := paywall.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &shop{t: t, node: node, pw: pw, handler: pw.Handler()}
}

// response is a finished request.
type response struct {
	Code   int
	Header http.Header
	Body   string
}

func (s *shop) do(method, target string, body io.Reader) response {
	s.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

func (s *shop) get(target string) response { s.t.Helper(); return s.do(http.MethodGet, target, nil) }

func (s *shop) post(target string, form url.Values) response {
	s.t.Helper()
	return s.do(http.MethodPost, target, strings.NewReader(form.Encode()))
}

// visit opens the shop page of item and follows its redirect; it returns
// the invoice page's path.
func (s *shop) visit(base, item string) string {
	s.t.Helper()
	r := s.get(base + "buy/" + item)
	if r.Code != http.StatusSeeOther {
		s.t.Fatalf("buy %s: %d %s", item, r.Code, r.Body)
	}
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, base+"invoice/"+item+"-") {
		s.t.Fatalf("buy %s redirected to %q", item, loc)
	}
	return loc
}

// refOf is the ref in an invoice path.
func refOf(invoicePath string) string { return invoicePath[strings.LastIndex(invoicePath, "/")+1:] }

func (s *shop) status(target string) paywall.StatusReply {
	s.t.Helper()
	r := s.get(target)
	if r.Code != http.StatusOK {
		s.t.Fatalf("status %s: %d %s", target, r.Code, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		s.t.Fatalf("status Content-Type %q", ct)
	}
	var reply paywall.StatusReply
	dec := json.NewDecoder(bytes.NewReader([]byte(r.Body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reply); err != nil {
		s.t.Fatalf("status JSON %q: %v", r.Body, err)
	}
	return reply
}

var bolt11InPage = regexp.MustCompile(`<textarea class="bolt11"[^>]*>(lnbcrt[0-9a-z]+)</textarea>`)
