package lndtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// restClient speaks lnd's REST API: TLS pinned to lnd's own certificate and
// the admin macaroon, hex encoded, in the Grpc-Metadata-macaroon header.
type restClient struct {
	base     string // "https://127.0.0.1:port"
	macaroon string // hex
	http     *http.Client
}

// newRESTClient reads lnd's tls.cert and a macaroon. Either may be missing or
// half written while lnd starts: the caller retries.
func newRESTClient(addr, certFile, macaroonFile string) (*restClient, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		return nil, fmt.Errorf("%w: no certificate in %s", ErrBadResponse, certFile)
	}
	mac, err := os.ReadFile(macaroonFile)
	if err != nil {
		return nil, err
	}
	if len(mac) == 0 {
		return nil, fmt.Errorf("%w: empty macaroon %s", ErrBadResponse, macaroonFile)
	}
	return newRESTClientWith(addr, pool, hex.EncodeToString(mac)), nil
}

// newRESTClientWith trusts roots and sends macaroonHex.
func newRESTClientWith(addr string, roots *x509.CertPool, macaroonHex string) *restClient {
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 4,
	}
	return &restClient{base: "https://" + addr, macaroon: macaroonHex, http: &http.Client{Transport: transport}}
}

// close drops idle connections.
func (c *restClient) close() { c.http.CloseIdleConnections() }

// do sends one request; body, when not nil, is sent as JSON.
func (c *restClient) do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("lndtest: encoding %s %s body: %w", method, path, err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Grpc-Metadata-macaroon", c.macaroon)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lnd %s %s: %w", method, path, err)
	}
	return resp, nil
}

// call makes a unary request and decodes the JSON reply into result (unless
// nil). An error status becomes an *APIError.
func (c *restClient) call(ctx context.Context, method, path string, body, result any) error {
	resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("lnd %s %s: reading reply: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return decodeAPIError(method, path, resp.StatusCode, data)
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(data, result); err != nil {
		return fmt.Errorf("%w: %s %s: %v: %.300s", ErrBadResponse, method, path, err, data)
	}
	return nil
}

// stream makes a request whose reply is grpc-gateway's stream: one JSON
// object a line, {"result": ...} or {"error": ...}. each is called with every
// result until the stream ends, ctx is done, or each returns an error
// (ErrStreamDone ends the stream without one).
func (c *restClient) stream(ctx context.Context, method, path string, body any, each func(json.RawMessage) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return decodeAPIError(method, path, resp.StatusCode, data)
	}
	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 64<<10), 16<<20)
	for scanner.Scan() {
		line := bytes.TrimSpace(scanner.Bytes())
		if len(line) == 0 {
			continue
		}
		var item struct {
			Result json.RawMessage `json:"result"`
			Error  *gatewayError   `json:"error"`
		}
		if err := json.Unmarshal(line, &item); err != nil {
			return fmt.Errorf("%w: %s %s stream: %v: %.300s", ErrBadResponse, method, path, err, line)
		}
		if item.Error != nil {
			return &APIError{Method: method, Path: path, Code: item.Error.Code, Message: item.Error.Message}
		}
		if err := each(item.Result); err != nil {
			if errors.Is(err, ErrStreamDone) {
				return nil
			}
			return err
		}
	}
	if err := scanner.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("lnd %s %s stream: %w", method, path, err)
	}
	return ctx.Err()
}

// gatewayError is grpc-gateway's JSON form of a gRPC status.
type gatewayError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// decodeAPIError turns an error reply into an *APIError, keeping the raw
// body as the message when it is not grpc-gateway's JSON.
func decodeAPIError(method, path string, status int, body []byte) error {
	var g gatewayError
	if err := json.Unmarshal(body, &g); err != nil || (g.Code == 0 && g.Message == "") {
		g = gatewayError{Message: string(bytes.TrimSpace(body))}
	}
	return &APIError{Method: method, Path: path, HTTPStatus: status, Code: g.Code, Message: g.Message}
}
