package paywall_test

import (
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/paywall"
)

// nodeInvoice is an invoice as the node's listinvoices shows it.
type nodeInvoice struct {
	Label       string `json:"label"`
	Bolt11      string `json:"bolt11"`
	Status      string `json:"status"`
	Description string `json:"description"`
	AmountMsat  uint64 `json:"amount_msat"`
}

func listInvoice(t *testing.T, node *devnet.Node, label string) []nodeInvoice {
	t.Helper()
	var reply struct {
		Invoices []nodeInvoice `json:"invoices"`
	}
	if err := node.Call(context.Background(), "listinvoices", map[string]any{"label": label}, &reply); err != nil {
		t.Fatal(err)
	}
	return reply.Invoices
}

// httpGet fetches without following redirects.
func httpGet(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func startPaywall(t *testing.T, backend paywall.Backend, prefix string, expiry time.Duration) (*paywall.Paywall, string) {
	t.Helper()
	pw, err := paywall.New(paywall.Config{Backend: backend, Items: []paywall.Item{catItem()},
		LabelPrefix: prefix, InvoiceExpiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pw.Handler())
	t.Cleanup(srv.Close)
	return pw, srv.URL
}

// buyOver visits the shop page over HTTP and returns the invoice page's path.
func buyOver(t *testing.T, base string) string {
	t.Helper()
	code, header, body := httpGet(t, base+"/buy/cat")
	if code != http.StatusSeeOther {
		t.Fatalf("buy: %d %s", code, body)
	}
	return header.Get("Location")
}

// TestPaywallOnFulmend runs the shop on a real fulmend over its JSON-RPC
// socket. Payments between nodes do not exist yet, so the paid path is
// covered by the fake-node tests; here: invoices made by visits are on the
// node, links stay shut while unpaid, expire, and vanish with delinvoice.
func TestPaywallOnFulmend(t *testing.T) {
	net := devnet.Start(t)
	node := net.AddNode(t, "shop")
	backend := paywall.NewRPCBackend(node.RPCPath())
	ctx := context.Background()

	pw, base := startPaywall(t, backend, "catstore-", time.Hour)
	page := buyOver(t, base)
	ref := refOf(page)
	listed := listInvoice(t, node, pw.Label(ref))
	if len(listed) != 1 || listed[0].Status != "unpaid" || listed[0].AmountMsat != 10_000 ||
		listed[0].Description != "An ASCII cat" {
		t.Fatalf("listinvoices %s: %+v", pw.Label(ref), listed)
	}
	code, _, body := httpGet(t, base+page)
	if m := bolt11InPage.FindStringSubmatch(body); code != http.StatusOK || m == nil || m[1] != listed[0].Bolt11 {
		t.Fatalf("invoice page %d does not show the node's invoice %s:\n%s", code, listed[0].Bolt11, body)
	}
	code, _, body = httpGet(t, base+page+"/qr.png")
	if _, err := png.Decode(strings.NewReader(body)); code != http.StatusOK || err != nil {
		t.Fatalf("QR: %d %v", code, err)
	}
	var status paywall.StatusReply
	code, _, body = httpGet(t, base+page+"/status?wait=1")
	if err := json.Unmarshal([]byte(body), &status); code != http.StatusOK || err != nil ||
		status.Status != paywall.StatusUnpaid || status.Bolt11 != listed[0].Bolt11 || status.ContentURL != "" {
		t.Fatalf("status: %d %s", code, body)
	}
	if code, _, body := httpGet(t, base+"/content/"+ref); code != http.StatusPaymentRequired || strings.Contains(body, "o.o") {
		t.Fatalf("unpaid link: %d %s", code, body)
	}
	if got := buyOver(t, base); got == page {
		t.Fatal("a second visit reused the invoice")
	}

	// A short expiry: the long poll returns when waitinvoice reports the
	// expiry, and the link is refused for good.
	brief, briefBase := startPaywall(t, backend, "brief-", time.Second)
	briefPage := buyOver(t, briefBase)
	briefRef := refOf(briefPage)
	start := time.Now()
	code, _, body = httpGet(t, briefBase+briefPage+"/status?wait=30")
	if err := json.Unmarshal([]byte(body), &status); code != http.StatusOK || err != nil || status.Status != paywall.StatusExpired {
		t.Fatalf("long poll over expiry: %d %s", code, body)
	}
	if waited := time.Since(start); waited > 15*time.Second {
		t.Fatalf("long poll returned after %v, not at the expiry", waited)
	}
	if code, _, body := httpGet(t, briefBase+"/content/"+briefRef); code != http.StatusGone || strings.Contains(body, "o.o") {
		t.Fatalf("expired link: %d %s", code, body)
	}
	if code, _, _ := httpGet(t, briefBase+briefPage); code != http.StatusGone {
		t.Fatalf("expired invoice page: %d", code)
	}
	if l := listInvoice(t, node, brief.Label(briefRef)); len(l) != 1 || l[0].Status != "expired" {
		t.Fatalf("node's view of the expired invoice: %+v", l)
	}

	// delinvoice while a visitor long-polls: the poll ends with 404, and
	// so does the link.
	polled := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + page + "/status?wait=30")
		if err != nil {
			polled <- 0
			return
		}
		resp.Body.Close()
		polled <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond) // let the poll reach waitinvoice; a later start finds the invoice gone: 404 too
	if err := node.Call(ctx, "delinvoice", []any{pw.Label(ref), "unpaid"}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-polled:
		if code != http.StatusNotFound {
			t.Fatalf("long poll on a deleted invoice: %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("long poll did not end with the deletion")
	}
	if code, _, _ := httpGet(t, base+"/content/"+ref); code != http.StatusNotFound {
		t.Fatalf("deleted link: %d", code)
	}

	// The backend's own error mapping against the real node.
	if _, err := backend.CreateInvoice(ctx, brief.Label(briefRef), 1000, "again", time.Minute); !errors.Is(err, paywall.ErrDuplicateLabel) {
		t.Fatalf("reused label: %v", err)
	}
	if _, err := backend.LookupInvoice(ctx, "catstore-nothing"); !errors.Is(err, paywall.ErrInvoiceNotFound) {
		t.Fatalf("unknown label: %v", err)
	}
	if _, err := backend.WaitInvoice(ctx, "catstore-nothing"); !errors.Is(err, paywall.ErrInvoiceNotFound) {
		t.Fatalf("wait on an unknown label: %v", err)
	}
	inv, err := backend.WaitInvoice(ctx, brief.Label(briefRef))
	if err != nil || inv.Status != paywall.StatusExpired || inv.Bolt11 != status.Bolt11 {
		t.Fatalf("wait on an expired invoice: %+v %v", inv, err)
	}
}
