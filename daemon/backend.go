package daemon

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// rpcBackend is a minimal bitcoind-compatible JSON-RPC client for the two
// calls start-up and tip following need (works with btcd and bitcoind).
type rpcBackend struct {
	url    string
	user   string
	pass   string
	client *http.Client
	nextID atomic.Uint64
}

// errBackendAuth marks a rejected RPC user/password: retrying cannot help.
var errBackendAuth = errors.New("authentication failed (check bitcoin-rpcuser and bitcoin-rpcpassword)")

func newChainBackend(cfg BitcoinRPC) (chainBackend, error) {
	scheme := "http"
	transport := &http.Transport{}
	if cfg.CertFile != "" {
		pem, err := os.ReadFile(cfg.CertFile)
		if err != nil {
			return nil, fmt.Errorf("%w: reading bitcoin-rpccert: %v", errBackend, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: bitcoin-rpccert %s holds no PEM certificate", errBackend, cfg.CertFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}
	return &rpcBackend{
		url:    scheme + "://" + cfg.Host,
		user:   cfg.User,
		pass:   cfg.Password,
		client: &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}, nil
}

func (b *rpcBackend) call(ctx context.Context, method string, result any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": b.nextID.Add(1), "method": method, "params": []any{}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(b.user, b.pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return errBackendAuth
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return fmt.Errorf("%s: bad reply (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("%s: error %d: %s", method, reply.Error.Code, reply.Error.Message)
	}
	return json.Unmarshal(reply.Result, result)
}

func (b *rpcBackend) BlockCount(ctx context.Context) (int64, error) {
	var n int64
	err := b.call(ctx, "getblockcount", &n)
	return n, err
}

// Network maps getblockchaininfo's chain to Core Lightning's names
// (bitcoind: main/test/testnet4/signet/regtest; btcd: mainnet/testnet/
// simnet/signet/regtest).
func (b *rpcBackend) Network(ctx context.Context) (string, error) {
	var info struct {
		Chain string `json:"chain"`
	}
	if err := b.call(ctx, "getblockchaininfo", &info); err != nil {
		return "", err
	}
	switch strings.ToLower(info.Chain) {
	case "main", "mainnet":
		return "bitcoin", nil
	case "test", "testnet", "testnet3":
		return "testnet", nil
	}
	return strings.ToLower(info.Chain), nil
}

// isPermanentBackendError tells failures that waiting cannot cure.
func isPermanentBackendError(err error) bool { return errors.Is(err, errBackendAuth) }
