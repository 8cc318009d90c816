package bitcoind

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds one call when Config.Timeout is zero and the
// caller's context has no earlier deadline.
const DefaultTimeout = 60 * time.Second

// maxResponseBytes bounds a reply: a 4 MWU block is at most 8 MB of hex.
const maxResponseBytes = 64 << 20

// Config says how to reach the backend's JSON-RPC server.
type Config struct {
	// Host is the server's host:port, e.g. "127.0.0.1:18443".
	Host string
	// User and Pass are the RPC credentials (HTTP basic auth). bitcoind's
	// cookie file holds "user:pass" too: split it and pass both.
	User string
	Pass string
	// TLSCertPath, when set, is a PEM file of the certificate (or CA) to
	// trust for a TLS connection, such as btcd's rpc.cert. Empty means
	// plain HTTP, which is what bitcoind serves.
	TLSCertPath string
	// Timeout bounds each call; DefaultTimeout when zero.
	Timeout time.Duration
}

// ErrBadConfig: the Config cannot be used.
var ErrBadConfig = errors.New("bitcoind: bad config")

// Validate checks the config without touching the network.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Host); err != nil {
		return fmt.Errorf("%w: host %q is not host:port: %w", ErrBadConfig, c.Host, err)
	}
	if c.User == "" {
		return fmt.Errorf("%w: no RPC user", ErrBadConfig)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("%w: negative timeout", ErrBadConfig)
	}
	return nil
}

// Client is a JSON-RPC client for btcd and bitcoind. It is safe for
// concurrent use.
type Client struct {
	cfg    Config
	url    string
	http   *http.Client
	nextID atomic.Uint64
	// feeMethod remembers which fee estimation call the backend answers:
	// 0 not yet known, feeSmart (bitcoind) or feeLegacy (btcd).
	feeMethod atomic.Int32
}

// New builds a client; it reads TLSCertPath but does not connect.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	transport := &http.Transport{
		Proxy:               nil, // the backend is never reached through a proxy
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     60 * time.Second,
	}
	scheme := "http"
	if cfg.TLSCertPath != "" {
		pem, err := os.ReadFile(cfg.TLSCertPath)
		if err != nil {
			return nil, fmt.Errorf("%w: reading TLS certificate: %w", ErrBadConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: no PEM certificate in %s", ErrBadConfig, cfg.TLSCertPath)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		transport.ForceAttemptHTTP2 = false
		scheme = "https"
	}
	return &Client{
		cfg:  cfg,
		url:  scheme + "://" + cfg.Host + "/",
		http: &http.Client{Transport: transport},
	}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Host returns the host:port the client talks to.
func (c *Client) Host() string { return c.cfg.Host }

type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type response struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Call sends one JSON-RPC 1.0 request with positional params and decodes
// the result into result (skipped when result is nil). Errors wrap
// ErrUnreachable, ErrAuth or ErrBadResponse, or are an *RPCError, or the
// caller's context error.
func (c *Client) Call(ctx context.Context, method string, params []any, result any) error {
	if params == nil {
		params = []any{} // btcd wants an array, even empty
	}
	body, err := json.Marshal(request{JSONRPC: "1.0", ID: c.nextID.Add(1), Method: method, Params: params})
	if err != nil {
		return fmt.Errorf("bitcoind: %s: encoding params: %w", method, err)
	}
	callCtx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadConfig, method, err)
	}
	req.SetBasicAuth(c.cfg.User, c.cfg.Pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("bitcoind: %s: %w", method, ctx.Err())
		}
		return fmt.Errorf("%w: %s at %s: %w", ErrUnreachable, method, c.cfg.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%w: %s: HTTP %d from %s", ErrAuth, method, resp.StatusCode, c.cfg.Host)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("bitcoind: %s: %w", method, ctx.Err())
		}
		return fmt.Errorf("%w: %s: reading reply: %w", ErrUnreachable, method, err)
	}
	if len(raw) > maxResponseBytes {
		return fmt.Errorf("%w: %s: reply larger than %d bytes", ErrBadResponse, method, maxResponseBytes)
	}
	// bitcoind answers errors with HTTP 404 or 500 and a JSON body; btcd
	// with HTTP 200. Either way the body tells.
	var reply response
	if err := json.Unmarshal(raw, &reply); err != nil {
		return fmt.Errorf("%w: %s: HTTP %d, %s: %w", ErrBadResponse, method, resp.StatusCode, snippet(raw), err)
	}
	if reply.Error != nil {
		return &RPCError{Method: method, Code: reply.Error.Code, Message: reply.Error.Message}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s: HTTP %d without an error object", ErrBadResponse, method, resp.StatusCode)
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(reply.Result, result); err != nil {
		return fmt.Errorf("%w: %s: result %s: %w", ErrBadResponse, method, snippet(reply.Result), err)
	}
	return nil
}

// snippet quotes the start of a reply for an error message.
func snippet(raw []byte) string {
	const max = 120
	if len(raw) > max {
		return strconv.Quote(string(raw[:max])) + "..."
	}
	return strconv.Quote(string(raw))
}
