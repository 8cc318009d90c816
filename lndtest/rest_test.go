package lndtest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

const fakeMacaroon = "0201036c6e64"

// request is what the fake lnd saw.
type request struct {
	method, path, query string
	body                map[string]any
}

// fakeLnd is an HTTPS server answering like lnd's REST API: each route
// ("GET /v1/getinfo") maps to a status and a raw reply body.
type fakeLnd struct {
	t      testing.TB
	server *httptest.Server
	routes map[string]fakeReply
	seen   []request
}

type fakeReply struct {
	status int
	body   string
}

func newFakeLnd(t testing.TB, routes map[string]fakeReply) *fakeLnd {
	f := &fakeLnd{t: t, routes: routes}
	f.server = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeLnd) serve(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Grpc-Metadata-macaroon"); got != fakeMacaroon {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"code":2,"message":"verification failed: signature mismatch after caveat verification","details":[]}`)
		return
	}
	seen := request{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery}
	if data, _ := io.ReadAll(r.Body); len(data) > 0 {
		if err := json.Unmarshal(data, &seen.body); err != nil {
			f.t.Errorf("%s %s: body is not JSON: %q", r.Method, r.URL.Path, data)
		}
	}
	f.seen = append(f.seen, seen)
	reply, ok := f.routes[r.Method+" "+r.URL.Path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":5,"message":"Not Found","details":[]}`)
		return
	}
	w.WriteHeader(reply.status)
	io.WriteString(w, reply.body)
}

// node returns a running Node whose client talks to the fake.
func (f *fakeLnd) node(macaroon string) *Node {
	pool := x509.NewCertPool()
	pool.AddCert(f.server.Certificate())
	addr := strings.TrimPrefix(f.server.URL, "https://")
	return &Node{client: newRESTClientWith(addr, pool, macaroon)}
}

func ok(body string) fakeReply { return fakeReply{status: http.StatusOK, body: body} }

const getInfoReply = `{"version":"0.21.3-beta commit=v0.21.3-beta","commit_hash":"",
"identity_pubkey":"02f1a8c87607f415c8f22c00593002775941dea48869ce23096af27b0cfdcc0b69",
"alias":"lnd-a","color":"#3399ff","num_pending_channels":0,"num_active_channels":1,
"num_inactive_channels":0,"num_peers":2,"block_height":120,"block_hash":"00ab",
"best_header_timestamp":"1700000000","synced_to_chain":true,"synced_to_graph":false,
"testnet":false,"chains":[{"chain":"bitcoin","network":"regtest"}],"uris":[],
"features":{"0":{"name":"data-loss-protect","is_required":true,"is_known":true},
"12":{"name":"static-remote-key","is_required":true,"is_known":true},
"23":{"name":"anchors-zero-fee-htlc-tx","is_required":false,"is_known":true}},
"require_htlc_interceptor":false,"store_final_htlc_resolutions":false,"wallet_synced":true}`

func TestGetInfoDecodesLndJSON(t *testing.T) {
	f := newFakeLnd(t, map[string]fakeReply{"GET /v1/getinfo": ok(getInfoReply)})
	info, err := f.node(fakeMacaroon).GetInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.IdentityPubkey != "02f1a8c87607f415c8f22c00593002775941dea48869ce23096af27b0cfdcc0b69" ||
		info.BlockHeight != 120 || !info.SyncedToChain || info.NumPeers != 2 || info.NumActiveChannels != 1 ||
		info.Alias != "lnd-a" {
		t.Errorf("info = %+v", info)
	}
	want := lnwire.NewFeatureVector(0, 12, 23)
	if got := info.Features.Vector(); !got.Equal(want) {
		t.Errorf("features = %v, want %v", got, want)
	}
	if f := info.Features[0]; f.Name != "data-loss-protect" || !f.IsRequired || !f.IsKnown {
		t.Errorf("feature 0 = %+v", f)
	}
}

func TestMethodsSendLndRequests(t *testing.T) {
	const pub = "03aa11"
	routes := map[string]fakeReply{
		"GET /v1/newaddress": ok(`{"address":"bcrt1qqqqsyqcyq5rqwzqfpg9scrgwpugpzysnard0ew"}`),
		"GET /v1/balance/blockchain": ok(`{"total_balance":"150000","confirmed_balance":"100000",
			"unconfirmed_balance":"50000","locked_balance":"0","reserved_balance_anchor_chan":"0","account_balance":{}}`),
		"POST /v1/peers":          ok(`{"status":""}`),
		"GET /v1/peers":           ok(`{"peers":[{"pub_key":"03aa11","address":"127.0.0.1:9735","bytes_sent":"10","bytes_recv":"20","sat_sent":"0","sat_recv":"0","inbound":true,"ping_time":"150","sync_type":"ACTIVE_SYNC","features":{"1":{"name":"data-loss-protect","is_required":false,"is_known":true}},"errors":[],"flap_count":1,"last_flap_ns":"0","last_ping_payload":""}]}`),
		"DELETE /v1/peers/" + pub: ok(`{"status":""}`),
		"POST /v1/invoices":       ok(`{"r_hash":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","payment_request":"lnbcrt1...","add_index":"7","payment_addr":"ISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISE="}`),
	}
	f := newFakeLnd(t, routes)
	n := f.node(fakeMacaroon)
	ctx := context.Background()

	addr, err := n.NewAddress(ctx, AddressP2WKH)
	if err != nil || addr != "bcrt1qqqqsyqcyq5rqwzqfpg9scrgwpugpzysnard0ew" {
		t.Errorf("NewAddress = %q, %v", addr, err)
	}
	bal, err := n.WalletBalance(ctx)
	if err != nil || bal != (Balance{Total: 150000, Confirmed: 100000, Unconfirmed: 50000}) {
		t.Errorf("WalletBalance = %+v, %v", bal, err)
	}
	if err := n.ConnectPeer(ctx, pub, "127.0.0.1:9735"); err != nil {
		t.Errorf("ConnectPeer: %v", err)
	}
	peers, err := n.ListPeers(ctx)
	if err != nil || len(peers) != 1 || peers[0].PubKey != pub || !peers[0].Inbound ||
		peers[0].BytesRecv != 20 || peers[0].PingTime != 150 || !peers[0].Features.Vector().IsSet(1) {
		t.Errorf("ListPeers = %+v, %v", peers, err)
	}
	if err := n.Disconnect(ctx, pub); err != nil {
		t.Errorf("Disconnect: %v", err)
	}
	preimage := bytes.Repeat([]byte{9}, 32)
	added, err := n.AddInvoice(ctx, InvoiceRequest{Amount: 1500, Memo: "coffee", Expiry: time.Hour, Preimage: preimage})
	if err != nil || added.AddIndex != 7 || added.PaymentHash[31] != 31 || len(added.PaymentAddr) != 32 ||
		added.PaymentRequest != "lnbcrt1..." {
		t.Errorf("AddInvoice = %+v, %v", added, err)
	}

	want := []request{
		{method: "GET", path: "/v1/newaddress", query: "type=WITNESS_PUBKEY_HASH"},
		{method: "GET", path: "/v1/balance/blockchain"},
		{method: "POST", path: "/v1/peers", body: map[string]any{
			"addr": map[string]any{"pubkey": pub, "host": "127.0.0.1:9735"}, "perm": false}},
		{method: "GET", path: "/v1/peers"},
		{method: "DELETE", path: "/v1/peers/" + pub},
		{method: "POST", path: "/v1/invoices", body: map[string]any{"memo": "coffee", "value_msat": "1500",
			"private": false, "expiry": "3600", "r_preimage": "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk="}},
	}
	if !reflect.DeepEqual(f.seen, want) {
		t.Errorf("requests:\n got %+v\nwant %+v", f.seen, want)
	}
}

func TestErrorReplies(t *testing.T) {
	routes := map[string]fakeReply{
		"POST /v1/peers":     {status: 500, body: `{"code":2,"message":"already connected to peer: 03aa@127.0.0.1:1","details":[]}`},
		"GET /v1/getinfo":    {status: 502, body: "bad gateway\n"},
		"GET /v1/newaddress": ok(`{"address":`),
	}
	f := newFakeLnd(t, routes)
	ctx := context.Background()
	tests := []struct {
		name     string
		call     func(n *Node) error
		macaroon string
		wantAPI  *APIError
		wantIs   error
	}{
		{name: "grpc status", macaroon: fakeMacaroon,
			call:    func(n *Node) error { return n.ConnectPeer(ctx, "03aa", "127.0.0.1:1") },
			wantAPI: &APIError{Method: "POST", Path: "/v1/peers", HTTPStatus: 500, Code: 2, Message: "already connected to peer: 03aa@127.0.0.1:1"}},
		{name: "not JSON", macaroon: fakeMacaroon,
			call:    func(n *Node) error { _, err := n.GetInfo(ctx); return err },
			wantAPI: &APIError{Method: "GET", Path: "/v1/getinfo", HTTPStatus: 502, Message: "bad gateway"}},
		{name: "unknown path", macaroon: fakeMacaroon,
			call:    func(n *Node) error { return n.Call(ctx, "GET", "/v9/nothing", nil, nil) },
			wantAPI: &APIError{Method: "GET", Path: "/v9/nothing", HTTPStatus: 404, Code: 5, Message: "Not Found"}},
		{name: "wrong macaroon", macaroon: "00",
			call: func(n *Node) error { _, err := n.WalletBalance(ctx); return err },
			wantAPI: &APIError{Method: "GET", Path: "/v1/balance/blockchain", HTTPStatus: 500, Code: 2,
				Message: "verification failed: signature mismatch after caveat verification"}},
		{name: "truncated JSON", macaroon: fakeMacaroon,
			call:   func(n *Node) error { _, err := n.NewAddress(ctx, AddressP2TR); return err },
			wantIs: ErrBadResponse},
		{name: "stopped node",
			call:   func(*Node) error { _, err := (&Node{}).GetInfo(ctx); return err },
			wantIs: ErrNotRunning},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(f.node(tc.macaroon))
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Fatalf("error %v, want %v", err, tc.wantIs)
			}
			if tc.wantAPI != nil {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || *apiErr != *tc.wantAPI {
					t.Fatalf("error %#v, want %#v", err, tc.wantAPI)
				}
			}
		})
	}
}

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		address string
		kind    AddressType
		valid   bool
	}{
		{"bcrt1qqqqsyqcyq5rqwzqfpg9scrgwpugpzysnard0ew", AddressP2WKH, true},
		{"bcrt1pszqc9quyskrg0zyf329cervw37gfry5njj2ed9ucnxdfh8yan60svnq3hr", AddressP2TR, true},
		{"bcrt1qqqqsyqcyq5rqwzqfpg9scrgwpugpzysnard0ew", AddressP2TR, false},
		{"bcrt1pszqc9quyskrg0zyf329cervw37gfry5njj2ed9ucnxdfh8yan60svnq3hr", AddressP2WKH, false},
		{"bc1qqqqsyqcyq5rqwzqfpg9scrgwpugpzysn4v0345", AddressP2WKH, false}, // mainnet
		{"not an address", AddressP2WKH, false},
	}
	for _, tc := range tests {
		err := checkAddress(tc.address, tc.kind)
		if (err == nil) != tc.valid || (err != nil && !errors.Is(err, ErrBadResponse)) {
			t.Errorf("checkAddress(%s, %s) = %v, valid %v", tc.address, tc.kind, err, tc.valid)
		}
	}
}

func TestStream(t *testing.T) {
	routes := map[string]fakeReply{
		"GET /v1/invoices/subscribe": ok("{\"result\":{\"add_index\":\"1\"}}\n\n{\"result\":{\"add_index\":\"2\"}}\n{\"result\":{\"add_index\":\"3\"}}\n"),
		"POST /v2/router/send":       ok("{\"result\":{\"status\":\"IN_FLIGHT\"}}\n{\"error\":{\"code\":2,\"message\":\"no route\",\"details\":[]}}\n"),
		"GET /v1/bad":                ok("{\"result\":{}}\nnot json\n"),
		"GET /v1/failing":            {status: 500, body: `{"code":12,"message":"unimplemented"}`},
	}
	f := newFakeLnd(t, routes)
	n := f.node(fakeMacaroon)
	ctx := context.Background()
	collect := func(stopAt int, got *[]string) func(json.RawMessage) error {
		return func(r json.RawMessage) error {
			*got = append(*got, string(r))
			if len(*got) == stopAt {
				return ErrStreamDone
			}
			return nil
		}
	}

	var all []string
	if err := n.Stream(ctx, "GET", "/v1/invoices/subscribe", nil, collect(0, &all)); err != nil || len(all) != 3 {
		t.Errorf("full stream: %v, %q", err, all)
	}
	var two []string
	if err := n.Stream(ctx, "GET", "/v1/invoices/subscribe", nil, collect(2, &two)); err != nil || len(two) != 2 {
		t.Errorf("stopped stream: %v, %q", err, two)
	}
	var sent []string
	err := n.Stream(ctx, "POST", "/v2/router/send", map[string]any{"payment_request": "lnbcrt1"}, collect(0, &sent))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "no route" || apiErr.Code != 2 || len(sent) != 1 {
		t.Errorf("stream error: %v, %q", err, sent)
	}
	var bad []string
	if err := n.Stream(ctx, "GET", "/v1/bad", nil, collect(0, &bad)); !errors.Is(err, ErrBadResponse) {
		t.Errorf("bad stream: %v", err)
	}
	if err := n.Stream(ctx, "GET", "/v1/failing", nil, collect(0, &bad)); !errors.As(err, &apiErr) || apiErr.Code != 12 {
		t.Errorf("failing stream: %v", err)
	}
	boom := errors.New("boom")
	if err := n.Stream(ctx, "GET", "/v1/invoices/subscribe", nil, func(json.RawMessage) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("callback error: %v", err)
	}
}

// FuzzDecodeAPIError: any error body gives an *APIError that keeps the
// request and status, and a non-blank body is never lost.
func FuzzDecodeAPIError(f *testing.F) {
	f.Add(500, []byte(`{"code":2,"message":"boom","details":[]}`))
	f.Add(404, []byte(`{"code":5}`))
	f.Add(502, []byte("bad gateway"))
	f.Add(500, []byte(`{}`))
	f.Add(500, []byte(""))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := decodeAPIError("GET", "/v1/x", status, body)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatus != status || apiErr.Path != "/v1/x" {
			t.Fatalf("decodeAPIError = %#v", err)
		}
		if len(bytes.TrimSpace(body)) > 0 && apiErr.Code == 0 && apiErr.Message == "" {
			t.Fatalf("body %q lost", body)
		}
	})
}

func BenchmarkGetInfo(b *testing.B) {
	f := newFakeLnd(b, map[string]fakeReply{"GET /v1/getinfo": ok(getInfoReply)})
	n := f.node(fakeMacaroon)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.GetInfo(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
