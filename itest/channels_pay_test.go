package itest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

type newInvoice struct {
	PaymentHash   string `json:"payment_hash"`
	PaymentSecret string `json:"payment_secret"`
	Bolt11        string `json:"bolt11"`
}

type paymentReply struct {
	PaymentHash     string `json:"payment_hash"`
	Status          string `json:"status"`
	AmountMsat      uint64 `json:"amount_msat"`
	PaymentPreimage string `json:"payment_preimage"`
	Destination     string `json:"destination"`
}

func makeInvoice(t *testing.T, n *devnet.Node, msat uint64, label string) newInvoice {
	t.Helper()
	var inv newInvoice
	if err := n.Call(context.Background(), "invoice", map[string]any{"amount_msat": msat, "label": label,
		"description": "itest " + label}, &inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func checkPreimage(t *testing.T, p paymentReply) {
	t.Helper()
	pre, err := hex.DecodeString(p.PaymentPreimage)
	sum := sha256.Sum256(pre)
	if err != nil || hex.EncodeToString(sum[:]) != p.PaymentHash || p.Status != "complete" {
		t.Fatalf("payment %+v: preimage does not match the hash", p)
	}
}

func invoiceStatus(t *testing.T, n *devnet.Node, label string) (string, uint64) {
	t.Helper()
	var list struct {
		Invoices []struct {
			Status             string `json:"status"`
			AmountReceivedMsat uint64 `json:"amount_received_msat"`
		} `json:"invoices"`
	}
	if err := n.Call(context.Background(), "listinvoices", map[string]any{"label": label}, &list); err != nil || len(list.Invoices) != 1 {
		t.Fatalf("listinvoices %s: %v", label, err)
	}
	return list.Invoices[0].Status, list.Invoices[0].AmountReceivedMsat
}

// TestChannelPayments pays over one channel: pay with a bolt11 invoice,
// sendpay/waitsendpay along a one-hop route, a payment the recipient
// refuses, then a restart after which the payer still lists its payments
// and pays a paid invoice without moving money, and a close whose on-chain
// balances include the payments.
func TestChannelPayments(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	a, b, _, bID := channelPair(t, net, "pay", 2_000_000)
	const capacity = 1_000_000
	if err := a.Call(ctx, "fundchannel", map[string]any{"id": bID, "amount": capacity}, nil); err != nil {
		t.Fatal(err)
	}
	mine(t, net.Chain, 3)
	ca := waitChannel(t, a, "CHANNELD_NORMAL")
	waitChannel(t, b, "CHANNELD_NORMAL")

	// pay: a bolt11 invoice of bob's.
	coffee := makeInvoice(t, b, 30_000_000, "coffee")
	var paid paymentReply
	if err := a.Call(ctx, "pay", []any{coffee.Bolt11}, &paid); err != nil {
		t.Fatalf("pay: %v", err)
	}
	checkPreimage(t, paid)
	if paid.AmountMsat != 30_000_000 || paid.Destination != bID {
		t.Fatalf("pay reply %+v", paid)
	}
	if status, got := invoiceStatus(t, b, "coffee"); status != "paid" || got != 30_000_000 {
		t.Fatalf("bob's invoice %s with %d msat", status, got)
	}

	// sendpay + waitsendpay along the one-hop route.
	tea := makeInvoice(t, b, 12_345_000, "tea")
	route := []map[string]any{{"id": bID, "channel": ca.ShortChannelID, "amount_msat": 12_345_000, "delay": 18}}
	var pending paymentReply
	if err := a.Call(ctx, "sendpay", map[string]any{"route": route, "payment_hash": tea.PaymentHash,
		"payment_secret": tea.PaymentSecret, "label": "tea for two"}, &pending); err != nil {
		t.Fatalf("sendpay: %v", err)
	}
	if pending.Status != "pending" {
		t.Fatalf("sendpay reply %+v", pending)
	}
	var done paymentReply
	if err := a.Call(ctx, "waitsendpay", map[string]any{"payment_hash": tea.PaymentHash, "timeout": 30}, &done); err != nil {
		t.Fatalf("waitsendpay: %v", err)
	}
	checkPreimage(t, done)

	// A payment bob refuses: the wrong payment secret.
	cake := makeInvoice(t, b, 5_000_000, "cake")
	wrong := hex.EncodeToString(make([]byte, 32))
	route[0]["amount_msat"] = 5_000_000
	if err := a.Call(ctx, "sendpay", map[string]any{"route": route, "payment_hash": cake.PaymentHash,
		"payment_secret": wrong}, nil); err != nil {
		t.Fatal(err)
	}
	err := a.Call(ctx, "waitsendpay", map[string]any{"payment_hash": cake.PaymentHash, "timeout": 30}, nil)
	var rerr *rpc.Error
	if !errors.As(err, &rerr) || rerr.Code != 203 {
		t.Fatalf("refused payment: %v", err)
	}
	if status, _ := invoiceStatus(t, b, "cake"); status != "unpaid" {
		t.Fatalf("refused payment left the invoice %s", status)
	}
	if err := a.Call(ctx, "waitsendpay", map[string]any{"payment_hash": hex.EncodeToString(make([]byte, 32))}, nil); !errors.As(err, &rerr) || rerr.Code != 208 {
		t.Fatalf("waitsendpay for a payment never sent: %v", err)
	}

	// listsendpays and listpays show the three attempts; filters work.
	var sendpays struct {
		Payments []paymentReply `json:"payments"`
	}
	if err := a.Call(ctx, "listsendpays", nil, &sendpays); err != nil || len(sendpays.Payments) != 3 {
		t.Fatalf("listsendpays: %+v %v", sendpays, err)
	}
	if err := a.Call(ctx, "listsendpays", map[string]any{"bolt11": coffee.Bolt11}, &sendpays); err != nil ||
		len(sendpays.Payments) != 1 || sendpays.Payments[0].PaymentHash != coffee.PaymentHash ||
		sendpays.Payments[0].Status != "complete" {
		t.Fatalf("listsendpays bolt11: %+v %v", sendpays, err)
	}
	var pays struct {
		Pays []struct {
			PaymentHash string `json:"payment_hash"`
			Status      string `json:"status"`
			Preimage    string `json:"preimage"`
		} `json:"pays"`
	}
	if err := a.Call(ctx, "listpays", map[string]any{"status": "failed"}, &pays); err != nil ||
		len(pays.Pays) != 1 || pays.Pays[0].PaymentHash != cake.PaymentHash {
		t.Fatalf("listpays failed: %+v %v", pays, err)
	}
	if err := a.Call(ctx, "listpays", map[string]any{"payment_hash": tea.PaymentHash}, &pays); err != nil ||
		len(pays.Pays) != 1 || pays.Pays[0].Status != "complete" || pays.Pays[0].Preimage == "" {
		t.Fatalf("listpays by hash: %+v %v", pays, err)
	}
	if err := a.Call(ctx, "listpays", map[string]any{"status": "lost"}, nil); !errors.As(err, &rerr) || rerr.Code != rpc.CodeInvalidParams {
		t.Fatalf("listpays bad status: %v", err)
	}

	// The balances survive a restart of both.
	const sent = 30_000_000 + 12_345_000
	if err := a.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	ca = waitChannel(t, a, "CHANNELD_NORMAL")
	cb := waitChannel(t, b, "CHANNELD_NORMAL")
	if ca.ToUsMsat != capacity*1000-sent || cb.ToUsMsat != sent {
		t.Fatalf("after restart: alice %d, bob %d", ca.ToUsMsat, cb.ToUsMsat)
	}

	// So do alice's payments: listpays, listsendpays, waitsendpay, and
	// paying a paid invoice again (which moves no money).
	var afterPays struct {
		Pays []struct {
			PaymentHash string `json:"payment_hash"`
			Status      string `json:"status"`
			Preimage    string `json:"preimage"`
			Bolt11      string `json:"bolt11"`
			AmountMsat  uint64 `json:"amount_msat"`
		} `json:"pays"`
	}
	if err := a.Call(ctx, "listpays", nil, &afterPays); err != nil || len(afterPays.Pays) != 3 {
		t.Fatalf("listpays after restart: %+v %v", afterPays, err)
	}
	for i, want := range []struct {
		hash, status string
		msat         uint64
	}{{coffee.PaymentHash, "complete", 30_000_000}, {tea.PaymentHash, "complete", 12_345_000}, {cake.PaymentHash, "failed", 5_000_000}} {
		got := afterPays.Pays[i]
		if got.PaymentHash != want.hash || got.Status != want.status || got.AmountMsat != want.msat ||
			(want.status == "complete") != (got.Preimage != "") {
			t.Fatalf("listpays[%d] after restart: %+v, want %+v", i, got, want)
		}
	}
	if afterPays.Pays[0].Bolt11 != coffee.Bolt11 {
		t.Fatalf("pay's bolt11 not kept: %q", afterPays.Pays[0].Bolt11)
	}
	var labelled struct {
		Payments []struct {
			Label  string `json:"label"`
			Status string `json:"status"`
		} `json:"payments"`
	}
	if err := a.Call(ctx, "listsendpays", map[string]any{"payment_hash": tea.PaymentHash}, &labelled); err != nil ||
		len(labelled.Payments) != 1 || labelled.Payments[0].Label != "tea for two" || labelled.Payments[0].Status != "complete" {
		t.Fatalf("listsendpays tea after restart: %+v %v", labelled, err)
	}
	var waited paymentReply
	if err := a.Call(ctx, "waitsendpay", map[string]any{"payment_hash": tea.PaymentHash, "timeout": 5}, &waited); err != nil {
		t.Fatalf("waitsendpay after restart: %v", err)
	}
	checkPreimage(t, waited)
	if err := a.Call(ctx, "waitsendpay", map[string]any{"payment_hash": cake.PaymentHash, "timeout": 5}, nil); !errors.As(err, &rerr) || rerr.Code != 203 {
		t.Fatalf("waitsendpay of the refused payment after restart: %v", err)
	}
	var repaid paymentReply
	if err := a.Call(ctx, "pay", []any{coffee.Bolt11}, &repaid); err != nil {
		t.Fatalf("paying coffee again after restart: %v", err)
	}
	checkPreimage(t, repaid)
	if ca = waitChannel(t, a, "CHANNELD_NORMAL"); ca.ToUsMsat != capacity*1000-sent {
		t.Fatalf("paying again moved money: alice %d", ca.ToUsMsat)
	}

	// Bob closes; he ends with what he was paid, alice pays the fee.
	var closed struct {
		Tx string `json:"tx"`
	}
	if err := b.Call(ctx, "close", []any{ca.ChannelID}, &closed); err != nil {
		t.Fatalf("close: %v", err)
	}
	mine(t, net.Chain, 1)
	waitChannel(t, a, "ONCHAIN")
	waitFor(t, 30e9, "bob's closing output", func() bool { return confirmedSat(t, b) == sent/1000 })
}
