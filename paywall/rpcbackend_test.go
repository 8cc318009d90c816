package paywall

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/rpc"
)

// scriptedNode is a JSON-RPC server on a Unix socket whose invoice,
// listinvoices and waitinvoice answers the test sets: it checks how
// RPCBackend reads every reply and error a node can give.
type scriptedNode struct {
	mu      sync.Mutex
	reply   map[string]func(rpc.Params) (any, error)
	lastRaw map[string]map[string]json.RawMessage
}

func startScriptedNode(t *testing.T) (*scriptedNode, *RPCBackend) {
	t.Helper()
	dir, err := os.MkdirTemp("", "pw-rpc-") // short: Unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	n := &scriptedNode{reply: map[string]func(rpc.Params) (any, error){}, lastRaw: map[string]map[string]json.RawMessage{}}
	table := rpc.NewTable()
	specs := map[string][]rpc.Param{
		"invoice":      {{Name: "amount_msat"}, {Name: "label"}, {Name: "description"}, {Name: "expiry"}},
		"listinvoices": {{Name: "label"}},
		"waitinvoice":  {{Name: "label"}},
	}
	for name, spec := range specs {
		table.Add(rpc.Method{Name: name, Params: spec, Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			n.mu.Lock()
			raw := map[string]json.RawMessage{}
			for _, s := range spec {
				if v := p.Raw(s.Name); v != nil {
					raw[s.Name] = v
				}
			}
			n.lastRaw[name] = raw
			f := n.reply[name]
			n.mu.Unlock()
			if f == nil {
				<-ctx.Done() // "waits" until the client gives up
				return nil, ctx.Err()
			}
			return f(p)
		}})
	}
	srv := rpc.NewServer(table, slog.New(slog.DiscardHandler))
	path := filepath.Join(dir, "lightning-rpc")
	if err := srv.ListenUnix(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return n, NewRPCBackend(path)
}

func (n *scriptedNode) on(method string, f func(rpc.Params) (any, error)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reply[method] = f
}

func (n *scriptedNode) params(method string) map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]string{}
	for k, v := range n.lastRaw[method] {
		out[k] = string(v)
	}
	return out
}

func answer(v any) func(rpc.Params) (any, error) {
	return func(rpc.Params) (any, error) { return v, nil }
}

func fail(code int, data any) func(rpc.Params) (any, error) {
	return func(rpc.Params) (any, error) { return nil, &rpc.Error{Code: code, Message: "scripted", Data: data} }
}

var (
	hashHex     = strings.Repeat("ab", 32)
	preimageHex = strings.Repeat("01", 32)
)

func TestRPCBackendCreateInvoice(t *testing.T) {
	node, b := startScriptedNode(t)
	ctx := context.Background()
	node.on("invoice", answer(map[string]any{"bolt11": "lnbcrt1x", "payment_hash": hashHex, "expires_at": 1700000000,
		"payment_secret": hashHex, "created_index": 1}))
	inv, err := b.CreateInvoice(ctx, "paywall-cat-x", 10_000, "An ASCII cat", 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Label != "paywall-cat-x" || inv.Bolt11 != "lnbcrt1x" || hex.EncodeToString(inv.PaymentHash[:]) != hashHex ||
		inv.Amount != 10_000 || inv.ExpiresAt != time.Unix(1700000000, 0).UTC() || inv.Status != StatusUnpaid {
		t.Fatalf("invoice %+v", inv)
	}
	got := node.params("invoice")
	want := map[string]string{"amount_msat": "10000", "label": `"paywall-cat-x"`, "description": `"An ASCII cat"`, "expiry": "2"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("param %s = %s, want %s (expiry rounds up to whole seconds)", k, got[k], v)
		}
	}

	cases := []struct {
		name   string
		reply  func(rpc.Params) (any, error)
		expiry time.Duration
		amount uint64
		is     error
		code   int
	}{
		{"duplicate label", fail(900, nil), time.Minute, 1, ErrDuplicateLabel, 900},
		{"other node error", fail(-32602, nil), time.Minute, 1, nil, -32602},
		{"bad payment hash", answer(map[string]any{"bolt11": "lnbcrt1x", "payment_hash": "zz"}), time.Minute, 1, ErrBackendReply, 0},
		{"no bolt11", answer(map[string]any{"payment_hash": hashHex}), time.Minute, 1, ErrBackendReply, 0},
		{"zero expiry", answer(nil), 0, 1, nil, 0},
		{"expiry past ten years", answer(nil), 11 * 365 * 24 * time.Hour, 1, nil, 0},
		{"zero amount", answer(nil), time.Minute, 0, nil, 0},
	}
	for _, tc := range cases {
		node.on("invoice", tc.reply)
		_, err := b.CreateInvoice(ctx, "l", lnwire.MilliSatoshi(tc.amount), "d", tc.expiry)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.is)
		}
		var rerr *rpc.Error
		if tc.code != 0 && (!errors.As(err, &rerr) || rerr.Code != tc.code) {
			t.Errorf("%s: %v does not carry the node's error %d", tc.name, err, tc.code)
		}
		if tc.is == nil && (errors.Is(err, ErrDuplicateLabel) || errors.Is(err, ErrInvoiceNotFound)) {
			t.Errorf("%s: %v misread as a known condition", tc.name, err)
		}
	}
}

func listed(status, amount any, extra map[string]any) map[string]any {
	inv := map[string]any{"label": "l", "bolt11": "lnbcrt1x", "payment_hash": hashHex, "status": status,
		"expires_at": 1700000000, "amount_msat": amount}
	for k, v := range extra {
		inv[k] = v
	}
	return inv
}

func TestRPCBackendLookupInvoice(t *testing.T) {
	node, b := startScriptedNode(t)
	ctx := context.Background()
	cases := []struct {
		name     string
		invoices []any
		status   Status
		amount   uint64
		preimage bool
		is       error
	}{
		{"unpaid", []any{listed("unpaid", 5000, nil)}, StatusUnpaid, 5000, false, nil},
		{"paid with preimage", []any{listed("paid", 5000, map[string]any{"payment_preimage": preimageHex})}, StatusPaid, 5000, true, nil},
		{"older Core Lightning amount", []any{listed("expired", "5000msat", nil)}, StatusExpired, 5000, false, nil},
		{"any amount", []any{listed("unpaid", nil, nil)}, StatusUnpaid, 0, false, nil},
		{"not found", []any{}, "", 0, false, ErrInvoiceNotFound},
		{"another label only", []any{map[string]any{"label": "other", "status": "paid", "payment_hash": hashHex}}, "", 0, false, ErrInvoiceNotFound},
		{"unknown status", []any{listed("pending", 5000, nil)}, "", 0, false, ErrBackendReply},
		{"bad amount", []any{listed("unpaid", "lots", nil)}, "", 0, false, nil},
		{"bad preimage", []any{listed("paid", 5000, map[string]any{"payment_preimage": "00"})}, "", 0, false, ErrBackendReply},
		{"bad hash", []any{listed("paid", 5000, map[string]any{"payment_hash": "00"})}, "", 0, false, ErrBackendReply},
	}
	for _, tc := range cases {
		node.on("listinvoices", answer(map[string]any{"invoices": tc.invoices}))
		inv, err := b.LookupInvoice(ctx, "l")
		if tc.status == "" {
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("%s: %+v, %v; want error %v", tc.name, inv, err, tc.is)
			}
			continue
		}
		if err != nil || inv.Status != tc.status || uint64(inv.Amount) != tc.amount ||
			(inv.Preimage != [32]byte{}) != tc.preimage || hex.EncodeToString(inv.PaymentHash[:]) != hashHex {
			t.Errorf("%s: %+v, %v", tc.name, inv, err)
		}
	}
	if got := node.params("listinvoices"); got["label"] != `"l"` {
		t.Errorf("listinvoices params %v", got)
	}
}

func TestRPCBackendWaitInvoice(t *testing.T) {
	node, b := startScriptedNode(t)
	ctx := context.Background()
	node.on("listinvoices", answer(map[string]any{"invoices": []any{listed("expired", 5000, nil)}}))
	cases := []struct {
		name   string
		reply  func(rpc.Params) (any, error)
		status Status
		is     error
	}{
		{"paid", answer(listed("paid", 5000, map[string]any{"payment_preimage": preimageHex})), StatusPaid, nil},
		{"expired, invoice in the error", fail(-2, listed("expired", 5000, nil)), StatusExpired, nil},
		{"expired, bare error", fail(-2, nil), StatusExpired, nil},
		{"deleted", fail(-1, nil), "", ErrInvoiceNotFound},
		{"other error", fail(-32602, nil), "", nil},
	}
	for _, tc := range cases {
		node.on("waitinvoice", tc.reply)
		inv, err := b.WaitInvoice(ctx, "l")
		if tc.status == "" {
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || (tc.is == nil && errors.Is(err, ErrInvoiceNotFound)) {
				t.Errorf("%s: %+v, %v; want error %v", tc.name, inv, err, tc.is)
			}
			continue
		}
		if err != nil || inv.Status != tc.status {
			t.Errorf("%s: %+v, %v", tc.name, inv, err)
		}
	}
	// The node never answers: the context ends the wait.
	node.on("waitinvoice", nil)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.WaitInvoice(short, "l"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait past the deadline: %v", err)
	}
}

func TestRPCBackendUnreachable(t *testing.T) {
	b := NewRPCBackend(filepath.Join(t.TempDir(), "nothing-here"))
	ctx := context.Background()
	if _, err := b.LookupInvoice(ctx, "l"); err == nil || errors.Is(err, ErrInvoiceNotFound) {
		t.Fatalf("lookup on no node: %v", err)
	}
	if _, err := b.CreateInvoice(ctx, "l", 1, "d", time.Minute); err == nil {
		t.Fatal("create on no node worked")
	}
	if _, err := b.WaitInvoice(ctx, "l"); err == nil || errors.Is(err, ErrInvoiceNotFound) {
		t.Fatalf("wait on no node: %v", err)
	}
}
