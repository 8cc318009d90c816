package paywall_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/paywall"
)

// FuzzContentLink asks for the content with any ref: only the one paid
// invoice's link may open, and nothing may panic.
func FuzzContentLink(f *testing.F) {
	// Fixed randomness: every fuzzing process makes the same two refs.
	random := bytes.NewReader([]byte("0123456789abcdefghijklmnopqrstuv"))
	s := newShop(f, func(c *paywall.Config) { c.Random = random })
	paid := refOf(s.visit("/", "cat"))
	unpaid := refOf(s.visit("/", "cat"))
	if _, err := s.node.Pay(s.pw.Label(paid)); err != nil {
		f.Fatal(err)
	}
	f.Add(paid)
	f.Add(unpaid)
	f.Add(strings.ToUpper(paid))
	f.Add(paid + "=")
	f.Add("dog" + paid[3:])
	f.Add("cat-" + strings.Repeat("a", 26))
	f.Add("")
	f.Add("-")
	f.Fuzz(func(t *testing.T, ref string) {
		req := httptest.NewRequest(http.MethodGet, "/content/x", nil)
		req.URL.Path = "/content/" + ref
		req.URL.RawPath = "/content/" + url.PathEscape(ref)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK && ref != paid {
			t.Fatalf("ref %q opened the content", ref)
		}
		if ref == paid && rec.Code != http.StatusOK {
			t.Fatalf("the paid link answered %d", rec.Code)
		}
	})
}

// BenchmarkVisitAndPoll is one visitor: the shop page (a new invoice),
// the invoice page and one status request, on the fake node.
func BenchmarkVisitAndPoll(b *testing.B) {
	s := newShop(b, nil)
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/buy/cat", nil)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		page := rec.Header().Get("Location")
		for _, path := range []string{page, page + "/status"} {
			rec := httptest.NewRecorder()
			s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("%s: %d", path, rec.Code)
			}
		}
	}
}
