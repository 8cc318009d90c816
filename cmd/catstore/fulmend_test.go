package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
)

// store is a catstore run in-process.
type store struct {
	shopURL string
	stop    context.CancelFunc
	exited  chan int
}

// startStore runs catstore with args and waits for the URL it prints.
func startStore(t *testing.T, args ...string) *store {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	var errOut strings.Builder
	s := &store{stop: cancel, exited: make(chan int, 1)}
	go func() {
		s.exited <- run(ctx, args, w, &errOut)
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if url, ok := strings.CutPrefix(lines.Text(), "shop: "); ok {
			s.shopURL = url
			break
		}
	}
	go io.Copy(io.Discard, out)
	if s.shopURL == "" {
		t.Fatalf("catstore printed no shop URL (exit %d): %s", <-s.exited, errOut.String())
	}
	t.Cleanup(func() {
		cancel()
		<-s.exited
	})
	return s
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

type listedInvoice struct {
	Label       string `json:"label"`
	Status      string `json:"status"`
	AmountMsat  uint64 `json:"amount_msat"`
	Description string `json:"description"`
}

func listInvoices(t *testing.T, node *devnet.Node) []listedInvoice {
	t.Helper()
	var reply struct {
		Invoices []listedInvoice `json:"invoices"`
	}
	if err := node.Call(context.Background(), "listinvoices", nil, &reply); err != nil {
		t.Fatal(err)
	}
	return reply.Invoices
}

// TestCatstoreOnFulmend runs the command against a real fulmend: the
// socket is found from --lightning-dir and the node's config file, a visit
// makes an invoice on the node, the link is refused while unpaid, and a
// short-lived invoice's link is refused once it has expired.
func TestCatstoreOnFulmend(t *testing.T) {
	net := devnet.Start(t)
	node := net.AddNode(t, "carol")

	s := startStore(t, "--lightning-dir", node.LightningDir, "--price", "21sat")
	root := strings.TrimSuffix(s.shopURL, "/buy/cat")
	code, location, body := get(t, s.shopURL)
	if code != http.StatusSeeOther || !strings.HasPrefix(location, "/invoice/cat-") {
		t.Fatalf("shop page: %d %q %s", code, location, body)
	}
	ref := strings.TrimPrefix(location, "/invoice/")
	invoices := listInvoices(t, node)
	if len(invoices) != 1 || invoices[0].Label != "catstore-"+ref || invoices[0].Status != "unpaid" ||
		invoices[0].AmountMsat != 21_000 || invoices[0].Description != "An ASCII cat from the Fulmen cat store" {
		t.Fatalf("node's invoices after one visit: %+v", invoices)
	}
	if code, _, body := get(t, root+location); code != http.StatusOK || !strings.Contains(body, "lnbcrt210n1") {
		t.Fatalf("invoice page: %d\n%s", code, body)
	}
	if code, _, body := get(t, root+"/content/"+ref); code != http.StatusPaymentRequired || strings.Contains(body, "Purr") ||
		strings.Contains(body, "Thank you for paying") {
		t.Fatalf("unpaid link: %d\n%s", code, body)
	}

	// A second store on the same node, through --rpc-file, with invoices
	// that expire after a second.
	brief := startStore(t, "--lightning-dir", node.LightningDir, "--network", "regtest",
		"--rpc-file", node.RPCPath(), "--expiry", "1s")
	briefRoot := strings.TrimSuffix(brief.shopURL, "/buy/cat")
	_, briefLocation, _ := get(t, brief.shopURL)
	briefRef := strings.TrimPrefix(briefLocation, "/invoice/")
	code, _, body = get(t, briefRoot+briefLocation+"/status?wait=30")
	var status struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(body), &status); code != http.StatusOK || err != nil || status.Status != "expired" {
		t.Fatalf("status over the expiry: %d %s", code, body)
	}
	if code, _, body := get(t, briefRoot+"/content/"+briefRef); code != http.StatusGone || !strings.Contains(body, "expired") {
		t.Fatalf("expired link: %d\n%s", code, body)
	}
	if code, _, _ := get(t, root+"/content/"+briefRef); code != http.StatusGone {
		t.Fatalf("the first store refuses the expired link with %d", code)
	}

	// Stopping ends a visitor's long poll instead of waiting for it.
	polled := make(chan struct{})
	go func() {
		resp, err := http.Get(root + location + "/status?wait=60")
		if err == nil {
			resp.Body.Close()
		}
		close(polled)
	}()
	time.Sleep(200 * time.Millisecond) // let the poll start; stopping first is fine too
	start := time.Now()
	s.stop()
	if code := <-s.exited; code != exitOK {
		t.Fatalf("exit status %d after stop", code)
	}
	s.exited <- exitOK // for the cleanup
	<-polled
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("stopping took %v", took)
	}
}
