package lndtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// This file serves the Fulmen vs lnd benchmark (tools/lnbench): payments
// over lnd's REST API with the connection reuse a real client would have,
// and a restart that reports when lnd's RPC first answered.

// ErrPaymentFailed reports a payment that lnd ended in the FAILED state;
// PayResult.FailureReason says why.
var ErrPaymentFailed = errors.New("lndtest: payment failed")

// Payer pays invoices through lnd's POST /v2/router/send (routerrpc
// SendPaymentV2) over its own pool of keep-alive TLS connections, one per
// concurrent payer, so that a benchmark measures payments rather than TLS
// handshakes. Safe for concurrent use.
type Payer struct {
	client *restClient
}

// NewPayer connects a Payer to the running node, keeping up to conns idle
// connections (at least 1).
func NewPayer(n *Node, conns int) (*Payer, error) {
	if _, err := n.restClient(); err != nil {
		return nil, err
	}
	client, err := newRESTClient(n.RESTAddress(), n.tlsCertPath(), n.MacaroonPath())
	if err != nil {
		return nil, err
	}
	return newPayer(client, conns), nil
}

// newPayer wraps client, widening its pool of idle connections to conns.
func newPayer(client *restClient, conns int) *Payer {
	if transport, ok := client.http.Transport.(*http.Transport); ok {
		transport.MaxIdleConnsPerHost = max(conns, 1)
		transport.MaxIdleConns = max(conns, transport.MaxIdleConns)
	}
	return &Payer{client: client}
}

// Close drops the idle connections.
func (p *Payer) Close() { p.client.close() }

// PayRequest is one payment of a BOLT 11 invoice.
type PayRequest struct {
	Invoice string
	// Timeout is lnd's timeout_seconds (whole seconds, at least 1).
	Timeout time.Duration
	// FeeLimit is lnd's fee_limit_sat.
	FeeLimit lnwire.Satoshi
}

// PayResult is the final state of a payment.
type PayResult struct {
	Status        string // SUCCEEDED or FAILED
	PaymentHash   []byte
	Preimage      []byte // 32 bytes when SUCCEEDED
	FeeMsat       lnwire.MilliSatoshi
	FailureReason string // FAILURE_REASON_... when FAILED
	// Final is when the final state was read from the stream (monotonic
	// clock), before the stream's end was read.
	Final time.Time
}

// paymentJSON is routerrpc's Payment, the fields Pay reads.
type paymentJSON struct {
	PaymentHash     string              `json:"payment_hash"`
	PaymentPreimage string              `json:"payment_preimage"`
	Status          string              `json:"status"`
	FeeMsat         lnwire.MilliSatoshi `json:"fee_msat,string"`
	FailureReason   string              `json:"failure_reason"`
}

// Pay sends the payment and waits for its final state. It asks lnd for no
// in-flight updates, so the stream carries one result, and reads the
// stream to its end so the connection is reused. A FAILED payment returns
// its result with an error wrapping ErrPaymentFailed.
func (p *Payer) Pay(ctx context.Context, req PayRequest) (PayResult, error) {
	body := map[string]any{
		"payment_request":     req.Invoice,
		"timeout_seconds":     max(int64(req.Timeout/time.Second), 1),
		"fee_limit_sat":       fmt.Sprint(int64(req.FeeLimit)),
		"no_inflight_updates": true,
	}
	const path = "/v2/router/send"
	resp, err := p.client.do(ctx, "POST", path, body)
	if err != nil {
		return PayResult{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		// A stream refused at once carries its status as a stream item:
		// {"error":{"code":2,"message":"self-payments not allowed"}}.
		var item struct {
			Error *gatewayError `json:"error"`
		}
		if json.Unmarshal(data, &item) == nil && item.Error != nil {
			return PayResult{}, &APIError{Method: "POST", Path: path, HTTPStatus: resp.StatusCode,
				Code: item.Error.Code, Message: item.Error.Message}
		}
		return PayResult{}, decodeAPIError("POST", path, resp.StatusCode, data)
	}
	var final *PayResult
	dec := json.NewDecoder(resp.Body)
	for {
		var item struct {
			Result *paymentJSON  `json:"result"`
			Error  *gatewayError `json:"error"`
		}
		err := dec.Decode(&item)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if final != nil && ctx.Err() == nil {
				break // the final state is known; the stream's tail is not
			}
			return PayResult{}, fmt.Errorf("%w: POST %s stream: %v", ErrBadResponse, path, err)
		}
		if item.Error != nil {
			return PayResult{}, &APIError{Method: "POST", Path: path, Code: item.Error.Code, Message: item.Error.Message}
		}
		if item.Result == nil || (item.Result.Status != "SUCCEEDED" && item.Result.Status != "FAILED") {
			continue
		}
		result, err := item.Result.decode()
		if err != nil {
			return PayResult{}, err
		}
		result.Final = time.Now()
		final = &result
	}
	if final == nil {
		return PayResult{}, fmt.Errorf("%w: POST %s: stream ended without a final payment state", ErrBadResponse, path)
	}
	if final.Status == "FAILED" {
		return *final, fmt.Errorf("%w: %s", ErrPaymentFailed, final.FailureReason)
	}
	return *final, nil
}

// decode checks and converts a final payment.
func (j *paymentJSON) decode() (PayResult, error) {
	r := PayResult{Status: j.Status, FeeMsat: j.FeeMsat, FailureReason: j.FailureReason}
	var err error
	if r.PaymentHash, err = hex.DecodeString(j.PaymentHash); err != nil || len(r.PaymentHash) != 32 {
		return PayResult{}, fmt.Errorf("%w: payment_hash %q", ErrBadResponse, j.PaymentHash)
	}
	if j.Status == "SUCCEEDED" {
		if r.Preimage, err = hex.DecodeString(j.PaymentPreimage); err != nil || len(r.Preimage) != 32 {
			return PayResult{}, fmt.Errorf("%w: payment_preimage %q", ErrBadResponse, j.PaymentPreimage)
		}
	}
	return r, nil
}

// RestartTiming is how long a timed restart took, from the moment the new
// process was launched.
type RestartTiming struct {
	Launched time.Time     // when the process was started (monotonic)
	RPCUp    time.Duration // GET /v1/getinfo first answered
	Synced   time.Duration // GetInfo reported synced_to_chain
}

// RestartTimed is Restart that also measures, polling every 10ms from its
// own connection, when lnd's RPC first answers GetInfo.
func (n *Node) RestartTimed(ctx context.Context) (RestartTiming, error) {
	if err := n.Stop(ctx); err != nil {
		return RestartTiming{}, err
	}
	// The certificate and macaroon are those of the last run.
	probe, err := newRESTClient(n.RESTAddress(), n.tlsCertPath(), n.MacaroonPath())
	if err != nil {
		return RestartTiming{}, err
	}
	defer probe.close()
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	up := make(chan time.Duration, 1)
	launched := time.Now()
	go func() {
		for {
			callCtx, cancel := context.WithTimeout(pollCtx, time.Second)
			err := probe.call(callCtx, "GET", "/v1/getinfo", nil, nil)
			cancel()
			if err == nil {
				up <- time.Since(launched)
				return
			}
			select {
			case <-pollCtx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	if err := n.launch(ctx); err != nil {
		return RestartTiming{}, err
	}
	timing := RestartTiming{Launched: launched, Synced: time.Since(launched)}
	select {
	case timing.RPCUp = <-up:
		return timing, nil
	case <-time.After(5 * time.Second):
		return RestartTiming{}, fmt.Errorf("%w: GetInfo answered the start-up wait but not the timing probe", ErrBadResponse)
	case <-ctx.Done():
		return RestartTiming{}, ctx.Err()
	}
}
