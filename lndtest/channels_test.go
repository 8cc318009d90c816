package lndtest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const pointTxID = "0c3b8f7f7d1ad1c2a6b8a0a3b2e3f0d1c4b5a69788796a5b4c3d2e1f00112233"

func TestParseChannelPoint(t *testing.T) {
	tests := []struct {
		text  string
		valid bool
		index uint32
	}{
		{pointTxID + ":1", true, 1},
		{pointTxID + ":0", true, 0},
		{pointTxID, false, 0},
		{pointTxID + ":", false, 0},
		{pointTxID + ":-1", false, 0},
		{pointTxID + ":4294967296", false, 0},
		{pointTxID[2:] + ":1", false, 0},
		{"zz" + pointTxID[2:] + ":1", false, 0},
		{"", false, 0},
	}
	for _, tc := range tests {
		p, err := ParseChannelPoint(tc.text)
		if (err == nil) != tc.valid || (err != nil && !errors.Is(err, ErrBadResponse)) {
			t.Errorf("ParseChannelPoint(%q) = %v, valid %v", tc.text, err, tc.valid)
			continue
		}
		if tc.valid && (p.Index != tc.index || p.String() != tc.text) {
			t.Errorf("ParseChannelPoint(%q) = %v", tc.text, p)
		}
	}
}

// txidBase64 is pointTxID in the internal byte order lnd sends, base64.
const txidBase64 = "MyIRAB8uPUxbanmIl6a1xNHw47KjoLimwtEafX+POww="

func TestChannelMethodsSendLndRequests(t *testing.T) {
	const pub = "02f1a8c87607f415c8f22c00593002775941dea48869ce23096af27b0cfdcc0b69"
	routes := map[string]fakeReply{
		"POST /v1/channels": ok(`{"funding_txid_bytes":"` + txidBase64 + `","output_index":1}`),
		"GET /v1/channels": ok(`{"channels":[{"active":true,"remote_pubkey":"` + pub + `","channel_point":"` +
			pointTxID + `:1","chan_id":"587139209297921","capacity":"1000000","local_balance":"396530",
			"remote_balance":"600000","commit_fee":"2810","commit_weight":"1116","fee_per_kw":"2500",
			"unsettled_balance":"0","pending_htlcs":[{"incoming":true,"amount":"1000","hash_lock":"AAAA",
			"expiration_height":600,"htlc_index":"3"}],"initiator":true,"private":false,
			"commitment_type":"ANCHORS","num_updates":"12"}]}`),
		"GET /v1/balance/channels": ok(`{"balance":"396","local_balance":{"sat":"396","msat":"396530123"},
			"remote_balance":{"sat":"600","msat":"600000000"},"unsettled_local_balance":{"sat":"0","msat":"0"},
			"unsettled_remote_balance":{"sat":"1","msat":"1000"}}`),
		"DELETE /v1/channels/" + pointTxID + "/1": ok("{\"result\":{\"close_instant\":{}}}\n" +
			"{\"result\":{\"close_pending\":{\"txid\":\"" + txidBase64 + "\",\"output_index\":0}}}\n"),
	}
	f := newFakeLnd(t, routes)
	n := f.node(fakeMacaroon)
	ctx := context.Background()

	point, err := n.OpenChannel(ctx, OpenChannelRequest{NodePubkey: pub, LocalFunding: 600_000, Push: 1000,
		SatPerVByte: 2, Private: true, CommitmentType: CommitmentStaticRemoteKey})
	if err != nil || point.String() != pointTxID+":1" {
		t.Errorf("OpenChannel = %v, %v", point, err)
	}
	channels, err := n.ListChannels(ctx)
	if err != nil || len(channels) != 1 {
		t.Fatalf("ListChannels = %+v, %v", channels, err)
	}
	c := channels[0]
	if !c.Active || c.RemotePubkey != pub || c.ChanID != 587139209297921 || c.Capacity != 1_000_000 ||
		c.LocalBalance != 396_530 || c.RemoteBalance != 600_000 || c.CommitFee != 2810 || c.FeePerKw != 2500 ||
		!c.Initiator || c.CommitmentType != CommitmentAnchors || c.NumUpdates != 12 || len(c.PendingHTLCs) != 1 ||
		c.PendingHTLCs[0].Amount != 1000 || c.PendingHTLCs[0].HTLCIndex != 3 || !c.PendingHTLCs[0].Incoming {
		t.Errorf("channel %+v", c)
	}
	if p, err := c.Point(); err != nil || p != point {
		t.Errorf("Point = %v, %v", p, err)
	}
	balance, err := n.ChannelBalance(ctx)
	if err != nil || balance != (ChannelBalance{Local: 396_530_123, Remote: 600_000_000, UnsettledRemote: 1000}) {
		t.Errorf("ChannelBalance = %+v, %v", balance, err)
	}
	txid, err := n.CloseChannel(ctx, point, CloseRequest{SatPerVByte: 3})
	if err != nil || txid.String() != pointTxID {
		t.Errorf("CloseChannel = %v, %v", txid, err)
	}

	want := []request{
		{method: "POST", path: "/v1/channels", body: map[string]any{
			"node_pubkey":          "AvGoyHYH9BXI8iwAWTACd1lB3qSIac4jCWryewz9zAtp",
			"local_funding_amount": "600000", "push_sat": "1000", "private": true, "sat_per_vbyte": "2",
			"commitment_type": "STATIC_REMOTE_KEY"}},
		{method: "GET", path: "/v1/channels"},
		{method: "GET", path: "/v1/balance/channels"},
		{method: "DELETE", path: "/v1/channels/" + pointTxID + "/1", query: "sat_per_vbyte=3"},
	}
	if !reflect.DeepEqual(f.seen, want) {
		t.Errorf("requests:\n got %+v\nwant %+v", f.seen, want)
	}
}

func TestChannelMethodErrors(t *testing.T) {
	point, err := ParseChannelPoint(pointTxID + ":1")
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]fakeReply{
		"POST /v1/channels":                       ok(`{"funding_txid_bytes":"AAAA","output_index":1}`),
		"DELETE /v1/channels/" + pointTxID + "/1": ok("{\"result\":{\"close_instant\":{}}}\n"),
		"DELETE /v1/channels/" + pointTxID + "/2": ok("{\"result\":{\"close_pending\":{\"txid\":\"AAAA\"}}}\n"),
		"POST /v2/router/send":                    ok("{\"result\":{\"status\":\"IN_FLIGHT\"}}\n"),
	}
	n := newFakeLnd(t, routes).node(fakeMacaroon)
	ctx := context.Background()
	if _, err := n.OpenChannel(ctx, OpenChannelRequest{NodePubkey: "02ab"}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("OpenChannel with a short pubkey: %v", err)
	}
	pub := "02" + strings.Repeat("ab", 32)
	if _, err := n.OpenChannel(ctx, OpenChannelRequest{NodePubkey: pub}); !errors.Is(err, ErrBadResponse) {
		t.Errorf("OpenChannel with a short txid: %v", err)
	}
	if _, err := n.CloseChannel(ctx, point, CloseRequest{}); !errors.Is(err, ErrBadResponse) {
		t.Errorf("CloseChannel without close_pending: %v", err)
	}
	point.Index = 2
	if _, err := n.CloseChannel(ctx, point, CloseRequest{Force: true}); !errors.Is(err, ErrBadResponse) {
		t.Errorf("CloseChannel with a short txid: %v", err)
	}
	if p, err := n.SendPayment(ctx, SendPaymentRequest{Invoice: "lnbcrt1"}, nil); !errors.Is(err, ErrBadResponse) ||
		p.Status != PaymentInFlight {
		t.Errorf("SendPayment whose stream ends in flight: %+v, %v", p, err)
	}
}

func TestInvoiceAndPaymentMethodsSendLndRequests(t *testing.T) {
	hash := [32]byte{1, 2, 3}
	preimage := [32]byte{9}
	const hashHex = "0102030000000000000000000000000000000000000000000000000000000000"
	routes := map[string]fakeReply{
		"POST /v2/invoices/hodl":   ok(`{"payment_request":"lnbcrt1hold","add_index":"4","payment_addr":"AQ=="}`),
		"POST /v2/invoices/settle": ok(`{}`),
		"POST /v2/invoices/cancel": ok(`{}`),
		"GET /v1/invoice/" + hashHex: ok(`{"memo":"m","r_hash":"AQID","value_msat":"5000","state":"ACCEPTED",
			"amt_paid_msat":"5000","is_keysend":false}`),
		"POST /v2/router/send": ok("{\"result\":{\"payment_hash\":\"" + hashHex + "\",\"status\":\"IN_FLIGHT\",\"htlcs\":[{\"status\":\"IN_FLIGHT\"}]}}\n" +
			"{\"result\":{\"payment_hash\":\"" + hashHex + "\",\"status\":\"SUCCEEDED\",\"value_msat\":\"5000\",\"fee_msat\":\"0\"," +
			"\"payment_preimage\":\"09\",\"htlcs\":[{\"status\":\"SUCCEEDED\"}]}}\n"),
		"GET /v1/payments": ok(`{"payments":[{"payment_hash":"ff","status":"FAILED"},{"payment_hash":"` + hashHex +
			`","status":"FAILED","failure_reason":"FAILURE_REASON_TIMEOUT","value_msat":"5000"}]}`),
	}
	f := newFakeLnd(t, routes)
	n := f.node(fakeMacaroon)
	ctx := context.Background()

	added, err := n.AddHoldInvoice(ctx, HoldInvoiceRequest{PaymentHash: hash, Amount: 5000, Memo: "m",
		Expiry: time.Minute, CLTVExpiry: 40})
	if err != nil || added.PaymentRequest != "lnbcrt1hold" || added.AddIndex != 4 || !bytes.Equal(added.PaymentHash, hash[:]) {
		t.Errorf("AddHoldInvoice = %+v, %v", added, err)
	}
	if err := n.SettleInvoice(ctx, preimage); err != nil {
		t.Errorf("SettleInvoice: %v", err)
	}
	if err := n.CancelInvoice(ctx, hash); err != nil {
		t.Errorf("CancelInvoice: %v", err)
	}
	inv, err := n.LookupInvoice(ctx, hash)
	if err != nil || inv != (Invoice{State: InvoiceAccepted, ValueMsat: 5000, AmountPaid: 5000}) {
		t.Errorf("LookupInvoice = %+v, %v", inv, err)
	}
	var seen []PaymentStatus
	p, err := n.SendPayment(ctx, SendPaymentRequest{Invoice: "lnbcrt1x", Timeout: 30 * time.Second, FeeLimit: 10},
		func(p Payment) { seen = append(seen, p.Status) })
	if err != nil || p.Status != PaymentSucceeded || p.Preimage != "09" || p.ValueMsat != 5000 ||
		!reflect.DeepEqual(seen, []PaymentStatus{PaymentInFlight, PaymentSucceeded}) {
		t.Errorf("SendPayment = %+v, %v, updates %v", p, err, seen)
	}
	found, ok, err := n.LookupPayment(ctx, hash)
	if err != nil || !ok || found.Status != PaymentFailed || found.FailureReason != "FAILURE_REASON_TIMEOUT" ||
		!found.Status.Final() {
		t.Errorf("LookupPayment = %+v, %v, %v", found, ok, err)
	}
	if _, ok, err := n.LookupPayment(ctx, [32]byte{7}); ok || err != nil {
		t.Errorf("LookupPayment of an unknown hash: %v, %v", ok, err)
	}

	hashB64, preimageB64 := "AQIDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "CQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	want := []request{
		{method: "POST", path: "/v2/invoices/hodl", body: map[string]any{"hash": hashB64, "value_msat": "5000",
			"memo": "m", "expiry": "60", "cltv_expiry": "40"}},
		{method: "POST", path: "/v2/invoices/settle", body: map[string]any{"preimage": preimageB64}},
		{method: "POST", path: "/v2/invoices/cancel", body: map[string]any{"payment_hash": hashB64}},
		{method: "GET", path: "/v1/invoice/" + hashHex},
		{method: "POST", path: "/v2/router/send", body: map[string]any{"payment_request": "lnbcrt1x",
			"timeout_seconds": float64(30), "fee_limit_sat": "10"}},
		{method: "GET", path: "/v1/payments", query: "include_incomplete=true"},
		{method: "GET", path: "/v1/payments", query: "include_incomplete=true"},
	}
	if !reflect.DeepEqual(f.seen, want) {
		t.Errorf("requests:\n got %+v\nwant %+v", f.seen, want)
	}
}
