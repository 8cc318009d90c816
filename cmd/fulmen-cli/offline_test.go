package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"rsc.io/qr"
)

// BOLT 11 "Examples": "Please make a donation of any amount using
// payment_hash 0001020304050607080900010203040506070809000102030405060708090102
// to me @03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad".
const donationInvoice = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql"

func TestOfflineDecode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	handled, code := runOffline("decode", []string{"lightning:" + donationInvoice}, options{}, &stdout, &stderr)
	if !handled || code != 0 {
		t.Fatalf("handled=%v code=%d stderr=%s", handled, code, stderr.String())
	}
	var got map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["payee"] != "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad" ||
		got["description"] != "Please consider supporting this project" || got["currency"] != "bc" {
		t.Fatalf("decoded %v", got)
	}

	stderr.Reset()
	handled, code = runOffline("decodepay", []string{"lnbc1garbage"}, options{}, &stdout, &stderr)
	if !handled || code != exitRPCError || !strings.Contains(stderr.String(), "Invalid bolt11") {
		t.Fatalf("bad invoice: handled=%v code=%d stderr=%s", handled, code, stderr.String())
	}
	if handled, _ := runOffline("getinfo", nil, options{}, &stdout, &stderr); handled {
		t.Fatal("getinfo must go to the daemon")
	}
}

func TestTerminalQRRoundTrips(t *testing.T) {
	text := "LIGHTNING:" + strings.ToUpper(donationInvoice)
	rendered, err := terminalQR(text)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := qr.Encode(text, qr.L)
	lines := strings.Split(strings.TrimSuffix(rendered, "\n"), "\n")
	if want := (code.Size + 8 + 1) / 2; len(lines) != want {
		t.Fatalf("%d lines, want %d", len(lines), want)
	}
	// Read the modules back from the half blocks and compare.
	for row, line := range lines {
		cells := []rune(line)
		if len(cells) != code.Size+8 {
			t.Fatalf("line %d has %d cells", row, len(cells))
		}
		for col, c := range cells {
			top := c == '█' || c == '▀'
			bottom := c == '█' || c == '▄'
			x, y := col-4, 2*row-4
			for i, isLight := range []bool{top, bottom} {
				yy := y + i
				inside := x >= 0 && yy >= 0 && x < code.Size && yy < code.Size
				wantLight := !inside || !code.Black(x, yy)
				if isLight != wantLight {
					t.Fatalf("module (%d,%d): light=%v want %v", x, yy, isLight, wantLight)
				}
			}
		}
	}
}

func TestQRNeedsBolt11(t *testing.T) {
	var out bytes.Buffer
	if err := printInvoiceQR(&out, json.RawMessage(`{"id":"x"}`)); err == nil {
		t.Fatal("want an error for a reply without bolt11")
	}
	if err := printInvoiceQR(&out, json.RawMessage(`{"bolt11":"lnbcrt1x"}`)); err != nil || out.Len() == 0 {
		t.Fatalf("qr of a bolt11: %v", err)
	}
}
