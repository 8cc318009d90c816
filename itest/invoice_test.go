package itest

import (
	"context"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

type invoiceReply struct {
	PaymentHash   string `json:"payment_hash"`
	Bolt11        string `json:"bolt11"`
	PaymentSecret string `json:"payment_secret"`
	ExpiresAt     int64  `json:"expires_at"`
}

type listedInvoice struct {
	Label       string  `json:"label"`
	Bolt11      string  `json:"bolt11"`
	PaymentHash string  `json:"payment_hash"`
	Status      string  `json:"status"`
	Description string  `json:"description"`
	AmountMsat  *uint64 `json:"amount_msat"`
}

func TestInvoicesOverRPCSurviveRestart(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	carol := net.AddNode(t, "carol")
	ctx := context.Background()

	var created invoiceReply
	preimage := "0101010101010101010101010101010101010101010101010101010101010101"
	if err := carol.Call(ctx, "invoice", map[string]any{"amount_msat": "10sat", "label": "cat-1",
		"description": "an ASCII cat", "preimage": preimage}, &created); err != nil {
		t.Fatal(err)
	}
	// sha256 of 32 bytes of 0x01.
	if created.PaymentHash != "72cd6e8422c407fb6d098690f1130b7ded7ec2f7f5e1d30bd9d521f015363793" {
		t.Fatalf("payment_hash %s", created.PaymentHash)
	}
	var decoded struct {
		AmountMsat  uint64 `json:"amount_msat"`
		Description string `json:"description"`
		Currency    string `json:"currency"`
		Payee       string `json:"payee"`
	}
	if err := carol.Call(ctx, "decode", []any{created.Bolt11}, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.AmountMsat != 10000 || decoded.Description != "an ASCII cat" || decoded.Currency != "bcrt" ||
		decoded.Payee != info(t, carol).ID {
		t.Fatalf("decoded %+v", decoded)
	}

	var rerr *rpc.Error
	errCases := []struct {
		name   string
		params map[string]any
		code   int
	}{
		{"duplicate label", map[string]any{"amount_msat": 1000, "label": "cat-1", "description": "x"}, 900},
		{"negative amount", map[string]any{"amount_msat": -5, "label": "n", "description": "x"}, rpc.CodeInvalidParams},
		{"malformed amount", map[string]any{"amount_msat": "lots", "label": "m", "description": "x"}, rpc.CodeInvalidParams},
		{"short preimage", map[string]any{"amount_msat": 1000, "label": "p", "description": "x", "preimage": "abcd"}, rpc.CodeInvalidParams},
		{"long description", map[string]any{"amount_msat": 1000, "label": "d", "description": string(make([]byte, 700))}, rpc.CodeInvalidParams},
		{"reused preimage", map[string]any{"amount_msat": 1000, "label": "r", "description": "x", "preimage": preimage}, 901},
	}
	for _, tc := range errCases {
		if err := carol.Call(ctx, "invoice", tc.params, nil); !errors.As(err, &rerr) || rerr.Code != tc.code {
			t.Errorf("%s: %v, want code %d", tc.name, err, tc.code)
		}
	}
	if err := carol.Call(ctx, "waitinvoice", []any{"nosuch"}, nil); !errors.As(err, &rerr) {
		t.Errorf("waitinvoice unknown label: %v", err)
	}

	var tip invoiceReply
	if err := carol.Call(ctx, "invoice", []any{"any", "tip", "tip jar"}, &tip); err != nil {
		t.Fatal(err)
	}

	if err := carol.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Invoices []listedInvoice `json:"invoices"`
	}
	if err := carol.Call(ctx, "listinvoices", nil, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Invoices) != 2 || list.Invoices[0].Label != "cat-1" || list.Invoices[0].Status != "unpaid" ||
		*list.Invoices[0].AmountMsat != 10000 || list.Invoices[1].AmountMsat != nil {
		t.Fatalf("after restart: %+v", list.Invoices)
	}
	if err := carol.Call(ctx, "listinvoices", map[string]any{"payment_hash": created.PaymentHash}, &list); err != nil ||
		len(list.Invoices) != 1 || list.Invoices[0].Bolt11 != created.Bolt11 {
		t.Fatalf("by payment_hash: %+v %v", list.Invoices, err)
	}
	if err := carol.Call(ctx, "delinvoice", []any{"tip", "paid"}, nil); !errors.As(err, &rerr) || rerr.Code != 906 {
		t.Fatalf("delinvoice wrong status: %v", err)
	}
	if err := carol.Call(ctx, "delinvoice", []any{"tip", "unpaid"}, nil); err != nil {
		t.Fatal(err)
	}
	var timedOut *rpc.Error
	if err := carol.Call(ctx, "waitanyinvoice", map[string]any{"timeout": 1}, nil); !errors.As(err, &timedOut) || timedOut.Code != 904 {
		t.Fatalf("waitanyinvoice timeout: %v", err)
	}
}

func TestWaitInvoiceReturnsOnExpiry(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	carol := net.AddNode(t, "carol")
	ctx := context.Background()
	if err := carol.Call(ctx, "invoice", map[string]any{"amount_msat": 1000, "label": "brief",
		"description": "expires", "expiry": 1}, nil); err != nil {
		t.Fatal(err)
	}
	var rerr *rpc.Error
	if err := carol.Call(ctx, "waitinvoice", []any{"brief"}, nil); !errors.As(err, &rerr) || rerr.Code != -2 {
		t.Fatalf("waitinvoice on expiry: %v", err)
	}
	var list struct {
		Invoices []listedInvoice `json:"invoices"`
	}
	carol.Call(ctx, "listinvoices", []any{"brief"}, &list)
	if len(list.Invoices) != 1 || list.Invoices[0].Status != "expired" {
		t.Fatalf("status after expiry: %+v", list.Invoices)
	}
}
