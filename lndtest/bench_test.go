package lndtest

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/regtest"
)

// sendServer is a TLS server answering POST /v2/router/send with a fixed
// stream body, recording request bodies and counting new connections.
type sendServer struct {
	server *httptest.Server
	conns  atomic.Int64
	mu     sync.Mutex
	bodies []map[string]any
}

func newSendServer(t *testing.T, status int, stream string) *sendServer {
	s := &sendServer{}
	s.server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v2/router/send" || r.Header.Get("Grpc-Metadata-macaroon") != "0201" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			t.Errorf("request body %q: %v", data, err)
		}
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		s.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, stream)
	}))
	s.server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.server.StartTLS()
	t.Cleanup(s.server.Close)
	return s
}

func (s *sendServer) payer(conns int) *Payer {
	pool := x509.NewCertPool()
	pool.AddCert(s.server.Certificate())
	return newPayer(newRESTClientWith(strings.TrimPrefix(s.server.URL, "https://"), pool, "0201"), conns)
}

var (
	benchHash     = strings.Repeat("ab", 32)
	benchPreimage = strings.Repeat("cd", 32)
)

func TestPayerPay(t *testing.T) {
	succeeded := `{"result":{"payment_hash":"` + benchHash + `","payment_preimage":"` + benchPreimage +
		`","status":"SUCCEEDED","fee_msat":"1001","failure_reason":"FAILURE_REASON_NONE"}}` + "\n"
	for _, tc := range []struct {
		name     string
		status   int
		stream   string
		wantErr  error
		apiCode  int
		wantStat string
	}{
		{name: "succeeded", status: 200, stream: succeeded, wantStat: "SUCCEEDED"},
		{name: "in flight first", status: 200,
			stream: `{"result":{"payment_hash":"` + benchHash + `","status":"IN_FLIGHT"}}` + "\n" + succeeded, wantStat: "SUCCEEDED"},
		{name: "failed", status: 200, wantErr: ErrPaymentFailed, wantStat: "FAILED",
			stream: `{"result":{"payment_hash":"` + benchHash + `","status":"FAILED","failure_reason":"FAILURE_REASON_NO_ROUTE"}}` + "\n"},
		{name: "stream error", status: 200, apiCode: 2,
			stream: `{"error":{"code":2,"message":"invoice expired","details":[]}}` + "\n"},
		{name: "http error", status: 500, apiCode: 12, stream: `{"code":12,"message":"unimplemented"}`},
		{name: "http error as a stream item", status: 500, apiCode: 2,
			stream: `{"error":{"code":2,"message":"self-payments not allowed","details":[]}}`},
		{name: "no final state", status: 200, wantErr: ErrBadResponse,
			stream: `{"result":{"payment_hash":"` + benchHash + `","status":"IN_FLIGHT"}}` + "\n"},
		{name: "short preimage", status: 200, wantErr: ErrBadResponse,
			stream: `{"result":{"payment_hash":"` + benchHash + `","payment_preimage":"cd","status":"SUCCEEDED"}}` + "\n"},
		{name: "bad json", status: 200, wantErr: ErrBadResponse, stream: "{\"result\":\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSendServer(t, tc.status, tc.stream)
			p := s.payer(2)
			defer p.Close()
			before := time.Now()
			res, err := p.Pay(context.Background(), PayRequest{Invoice: "lnbcrt10u1x", Timeout: 60 * time.Second, FeeLimit: 100})
			var apiErr *APIError
			switch {
			case tc.apiCode != 0:
				if !errors.As(err, &apiErr) || apiErr.Code != tc.apiCode {
					t.Fatalf("err = %v, want API code %d", err, tc.apiCode)
				}
				return
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			}
			if res.Status != tc.wantStat {
				t.Fatalf("status %q, want %q", res.Status, tc.wantStat)
			}
			if tc.wantStat == "" {
				return
			}
			if hex.EncodeToString(res.PaymentHash) != benchHash || res.Final.Before(before) {
				t.Errorf("result %+v", res)
			}
			if tc.wantStat == "SUCCEEDED" && (hex.EncodeToString(res.Preimage) != benchPreimage || res.FeeMsat != 1001) {
				t.Errorf("result %+v", res)
			}
			if tc.wantStat == "FAILED" && res.FailureReason != "FAILURE_REASON_NO_ROUTE" {
				t.Errorf("failure reason %q", res.FailureReason)
			}
			body := s.bodies[0]
			if body["payment_request"] != "lnbcrt10u1x" || body["no_inflight_updates"] != true ||
				body["fee_limit_sat"] != "100" || body["timeout_seconds"] != float64(60) {
				t.Errorf("request body %v", body)
			}
		})
	}
}

// TestPayerReusesConnections: reading each stream to its end keeps the
// connection for the next payment, so sequential payments share one TLS
// connection, and concurrent payers reuse theirs (Go's transport may dial a
// spare one while another frees up, so the bound is loose: far below one
// connection per payment).
func TestPayerReusesConnections(t *testing.T) {
	stream := `{"result":{"payment_hash":"` + benchHash + `","payment_preimage":"` + benchPreimage + `","status":"SUCCEEDED"}}` + "\n"
	s := newSendServer(t, 200, stream)
	p := s.payer(4)
	defer p.Close()
	ctx := context.Background()
	for range 10 {
		if _, err := p.Pay(ctx, PayRequest{Invoice: "lnbcrt1", Timeout: time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.conns.Load(); got != 1 {
		t.Fatalf("10 sequential payments opened %d connections, want 1", got)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 25 {
				if _, err := p.Pay(ctx, PayRequest{Invoice: "lnbcrt1", Timeout: time.Second}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := s.conns.Load(); got > 50 {
		t.Fatalf("4 concurrent payers making 100 payments opened %d connections in all, want at most 50", got)
	}
}

func TestNewPayerNeedsARunningNode(t *testing.T) {
	if _, err := NewPayer(&Node{}, 1); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("NewPayer of a stopped node: %v", err)
	}
}

// TestRestartTimed restarts a real lnd: its RPC answers before (or when)
// it reports synced, the node id is kept, and a Payer connects to it.
func TestRestartTimed(t *testing.T) {
	t.Parallel()
	bin := RequireBinaries(t)
	chain := regtest.Start(t)
	rpc := chain.RPC()
	lnd := StartT(t, bin, Options{BtcdRPCHost: rpc.Host, BtcdRPCUser: rpc.User, BtcdRPCPass: rpc.Pass,
		BtcdRPCCert: rpc.CertPath, Alias: "lnd-restart-timed"})
	id := lnd.Pubkey()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	before := time.Now()
	timing, err := lnd.Node.RestartTimed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RPC up after %s, synced after %s", timing.RPCUp, timing.Synced)
	if timing.RPCUp <= 0 || timing.RPCUp > timing.Synced || timing.Launched.Before(before) ||
		time.Since(timing.Launched) < timing.Synced {
		t.Fatalf("timing %+v", timing)
	}
	if info := lnd.GetInfo(); info.IdentityPubkey != id || !info.SyncedToChain {
		t.Fatalf("after the restart: %+v", info)
	}
	p, err := NewPayer(lnd.Node, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// A payment of an invoice of its own is refused by lnd itself, which
	// shows the Payer reaches the restarted lnd's router.
	inv := lnd.AddInvoice(InvoiceRequest{Amount: 1000, Memo: "self"})
	_, err = p.Pay(ctx, PayRequest{Invoice: inv.PaymentRequest, Timeout: 10 * time.Second, FeeLimit: 1})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "self-payments") {
		t.Fatalf("paying its own invoice: %v", err)
	}
	t.Logf("lnd paying its own invoice: %v", err)
}
