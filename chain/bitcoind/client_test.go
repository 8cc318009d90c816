package bitcoind

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr error
	}{
		{"complete", Config{Host: "127.0.0.1:18443", User: "u", Pass: "p"}, nil},
		{"host without port", Config{Host: "127.0.0.1", User: "u"}, ErrBadConfig},
		{"no host", Config{User: "u"}, ErrBadConfig},
		{"no user", Config{Host: "127.0.0.1:1"}, ErrBadConfig},
		{"negative timeout", Config{Host: "127.0.0.1:1", User: "u", Timeout: -time.Second}, ErrBadConfig},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, err, tt.wantErr)
		}
		if _, err := New(tt.cfg); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: New() = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	missing := Config{Host: "127.0.0.1:1", User: "u", TLSCertPath: filepath.Join(t.TempDir(), "none.cert")}
	if _, err := New(missing); !errors.Is(err, ErrBadConfig) {
		t.Errorf("missing certificate file: %v, want ErrBadConfig", err)
	}
	notPEM := filepath.Join(t.TempDir(), "bad.cert")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Host: "127.0.0.1:1", User: "u", TLSCertPath: notPEM}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("file without PEM: %v, want ErrBadConfig", err)
	}
}

func TestCallRequestShape(t *testing.T) {
	fs, srv := newFakeServer(t, map[string]reply{"getblockcount": okReply("7")})
	c := clientFor(t, srv)
	for range 2 {
		if _, err := c.BlockCount(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	reqs := fs.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, req := range reqs {
		if req.JSONRPC != "1.0" || req.ID == nil || req.Params == nil || len(req.Params) != 0 {
			t.Errorf("request %+v: want jsonrpc 1.0, an id and an empty params array", req)
		}
	}
	if *reqs[0].ID == *reqs[1].ID {
		t.Errorf("two requests share id %d", *reqs[0].ID)
	}
}

func TestCallErrors(t *testing.T) {
	htmlPage := reply{http.StatusBadGateway, "<html>bad gateway</html>"}
	tests := []struct {
		name     string
		reply    reply
		pass     string
		result   any
		wantErr  error
		wantCode int // for *RPCError
	}{
		{name: "wrong password", reply: okReply("1"), pass: "wrong", wantErr: ErrAuth},
		{name: "btcd RPC error", reply: btcdError(-5, "Block not found"), wantCode: -5},
		{name: "bitcoind RPC error", reply: bitcoindError(-8, "Block height out of range"), wantCode: -8},
		{name: "method not found", reply: bitcoindError(CodeMethodNotFound, "Method not found"), wantErr: ErrMethodNotFound, wantCode: CodeMethodNotFound},
		{name: "not JSON", reply: htmlPage, wantErr: ErrBadResponse},
		{name: "error status without error object", reply: reply{http.StatusInternalServerError, `{"result":null,"error":null,"id":1}`}, wantErr: ErrBadResponse},
		{name: "result of the wrong type", reply: okReply(`"seven"`), result: new(int64), wantErr: ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newFakeServer(t, map[string]reply{"m": tt.reply})
			pass := "pass"
			if tt.pass != "" {
				pass = tt.pass
			}
			c, err := New(Config{Host: srv.Listener.Addr().String(), User: "user", Pass: pass})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Call(context.Background(), "m", nil, tt.result)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Call() = %v, want %v", err, tt.wantErr)
			}
			var rpcErr *RPCError
			if gotRPC := errors.As(err, &rpcErr); gotRPC != (tt.wantCode != 0) {
				t.Fatalf("Call() = %v; RPCError %v, want %v", err, gotRPC, tt.wantCode != 0)
			}
			if tt.wantCode != 0 && (rpcErr.Code != tt.wantCode || rpcErr.Method != "m") {
				t.Fatalf("RPCError %+v, want code %d for method m", rpcErr, tt.wantCode)
			}
		})
	}
}

func TestCallUnreachable(t *testing.T) {
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Config{Host: addr, User: "user", Pass: "pass"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BlockCount(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("BlockCount on a closed port = %v, want ErrUnreachable", err)
	}
}

func TestCallTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := New(Config{Host: srv.Listener.Addr().String(), User: "user", Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The client's own timeout: the backend does not answer.
	if _, err := c.BlockCount(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("hung backend: %v, want ErrUnreachable", err)
	}
	// The caller's context: its error, not ErrUnreachable.
	c.cfg.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.BlockCount(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("caller's deadline: %v, want context.DeadlineExceeded only", err)
	}
}

func TestCallTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, _ := r.BasicAuth(); user != "user" || pass != "pass" {
			http.Error(w, "401 Unauthorized.", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"result":12,"error":null,"id":1}`))
	}))
	// The failed handshakes below are expected: keep them out of the log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	certPath := filepath.Join(dir, "rpc.cert")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(certPath, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	host := srv.Listener.Addr().String()
	c, err := New(Config{Host: host, User: "user", Pass: "pass", TLSCertPath: certPath})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := c.BlockCount(context.Background()); err != nil || n != 12 {
		t.Fatalf("over TLS: %d, %v; want 12", n, err)
	}
	// Plain HTTP to a TLS server gets an HTTP 400 page, not JSON.
	plain, err := New(Config{Host: host, User: "user", Pass: "pass"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.BlockCount(context.Background()); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("plain HTTP to TLS: %v, want ErrBadResponse", err)
	}
	// A certificate we do not trust fails the handshake.
	otherPath := filepath.Join(dir, "other.cert")
	if err := os.WriteFile(otherPath, selfSignedPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	untrusting, err := New(Config{Host: host, User: "user", Pass: "pass", TLSCertPath: otherPath})
	if err != nil {
		t.Fatal(err)
	}
	_, err = untrusting.BlockCount(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v, want ErrUnreachable about the certificate", err)
	}
}

// selfSignedPEM makes a certificate that no test server uses.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"other"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// BenchmarkCall measures one JSON-RPC round trip (getblockcount) over
// loopback HTTP with keep-alive, against an in-process server.
func BenchmarkCall(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"result":532,"error":null,"id":1}`))
	}))
	defer srv.Close()
	c, err := New(Config{Host: srv.Listener.Addr().String(), User: "user", Pass: "pass"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for b.Loop() {
		if n, err := c.BlockCount(ctx); err != nil || n != 532 {
			b.Fatalf("BlockCount = %d, %v", n, err)
		}
	}
}
