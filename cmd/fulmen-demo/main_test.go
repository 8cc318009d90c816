package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoCatstoreFirstPurchase runs the README's first command end to end (chain, two
// nodes, a connection, a funded channel to CHANNELD_NORMAL, carol's cat
// store) with -exit: alice's first visit to the cat's link is refused with
// 402, she pays the invoice, and the same link then serves the cat. The
// printed walk-through names the commands and the store's URL.
func TestDemoCatstoreFirstPurchase(t *testing.T) {
	dir, err := os.MkdirTemp("", "fulmen-demo-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var out bytes.Buffer
	bought, err := run(context.Background(), &out, dir, true)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("the demo printed:\n%s", out.String())

	if bought.RefusedStatus != http.StatusPaymentRequired || !strings.Contains(bought.RefusedBody, "not paid yet") ||
		strings.Contains(bought.RefusedBody, "Thank you for paying") {
		t.Errorf("before payment the link answered %d:\n%s", bought.RefusedStatus, bought.RefusedBody)
	}
	if !strings.HasPrefix(bought.Bolt11, "lnbcrt100u1") || bought.QRBytes == 0 || len(bought.Preimage) != 64 {
		t.Errorf("invoice %q, QR %d bytes, preimage %q", bought.Bolt11, bought.QRBytes, bought.Preimage)
	}
	if bought.PaidStatus != "paid" || bought.ContentStatus != http.StatusOK ||
		!strings.Contains(bought.Content, `/\_____/\`) || !strings.Contains(bought.Content, "Thank you for paying with Lightning.") {
		t.Errorf("after payment: status %q, link %d:\n%s", bought.PaidStatus, bought.ContentStatus, bought.Content)
	}
	printed := out.String()
	for _, want := range []string{
		"carol's cat store is open at http://127.0.0.1:",
		"→ 402 Payment Required",
		filepath.Join(dir, "bin", "fulmen-cli") + " --lightning-dir=" + filepath.Join(dir, "alice") + " pay " + bought.Bolt11,
		bought.Content,
		"alice bought the cat",
		"Buy a cat yourself",
		bought.ContentURL[:strings.LastIndex(bought.ContentURL, "/content/")] + "/buy/cat",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("the demo did not print %q", want)
		}
	}
}
