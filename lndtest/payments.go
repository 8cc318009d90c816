package lndtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// HoldInvoiceRequest is what AddHoldInvoice asks lnd for: an invoice for a
// payment hash whose preimage lnd does not know, so that an incoming
// payment stays pending (ACCEPTED) until SettleInvoice or CancelInvoice.
type HoldInvoiceRequest struct {
	PaymentHash [32]byte
	Amount      lnwire.MilliSatoshi
	Memo        string
	Expiry      time.Duration // zero: lnd's default (24h); whole seconds
	CLTVExpiry  uint32        // min_final_cltv_expiry; zero: lnd's default
}

// AddHoldInvoice calls POST /v2/invoices/hodl.
func (n *Node) AddHoldInvoice(ctx context.Context, req HoldInvoiceRequest) (AddedInvoice, error) {
	body := map[string]any{
		"hash":       req.PaymentHash[:],
		"value_msat": strconv.FormatUint(uint64(req.Amount), 10),
		"memo":       req.Memo,
	}
	if req.Expiry > 0 {
		body["expiry"] = strconv.FormatInt(int64(req.Expiry/time.Second), 10)
	}
	if req.CLTVExpiry > 0 {
		body["cltv_expiry"] = strconv.FormatUint(uint64(req.CLTVExpiry), 10)
	}
	var added AddedInvoice
	if err := n.Call(ctx, "POST", "/v2/invoices/hodl", body, &added); err != nil {
		return AddedInvoice{}, err
	}
	if added.PaymentRequest == "" {
		return AddedInvoice{}, fmt.Errorf("%w: AddHoldInvoice reply without payment request", ErrBadResponse)
	}
	added.PaymentHash = append([]byte(nil), req.PaymentHash[:]...)
	return added, nil
}

// SettleInvoice calls POST /v2/invoices/settle: lnd fulfils the HTLCs
// paying the hold invoice of sha256(preimage).
func (n *Node) SettleInvoice(ctx context.Context, preimage [32]byte) error {
	return n.Call(ctx, "POST", "/v2/invoices/settle", map[string]any{"preimage": preimage[:]}, nil)
}

// CancelInvoice calls POST /v2/invoices/cancel: lnd fails the HTLCs paying
// the invoice back and refuses later payments.
func (n *Node) CancelInvoice(ctx context.Context, paymentHash [32]byte) error {
	return n.Call(ctx, "POST", "/v2/invoices/cancel", map[string]any{"payment_hash": paymentHash[:]}, nil)
}

// InvoiceState is lnd's Invoice.InvoiceState enum, by name.
type InvoiceState string

// The states of an lnd invoice.
const (
	InvoiceOpen     InvoiceState = "OPEN"
	InvoiceAccepted InvoiceState = "ACCEPTED" // a hold invoice's HTLCs are locked in
	InvoiceSettled  InvoiceState = "SETTLED"
	InvoiceCanceled InvoiceState = "CANCELED"
)

// Invoice is lnd's Invoice, the fields the tests use.
type Invoice struct {
	State      InvoiceState        `json:"state"`
	ValueMsat  lnwire.MilliSatoshi `json:"value_msat,string"`
	AmountPaid lnwire.MilliSatoshi `json:"amt_paid_msat,string"`
	IsKeysend  bool                `json:"is_keysend"`
}

// LookupInvoice calls GET /v1/invoice/{payment hash in hex}.
func (n *Node) LookupInvoice(ctx context.Context, paymentHash [32]byte) (Invoice, error) {
	var inv Invoice
	err := n.Call(ctx, "GET", "/v1/invoice/"+hex.EncodeToString(paymentHash[:]), nil, &inv)
	return inv, err
}

// PaymentStatus is lnd's Payment.PaymentStatus enum, by name.
type PaymentStatus string

// The states of an lnd payment.
const (
	PaymentInitiated PaymentStatus = "INITIATED"
	PaymentInFlight  PaymentStatus = "IN_FLIGHT"
	PaymentSucceeded PaymentStatus = "SUCCEEDED"
	PaymentFailed    PaymentStatus = "FAILED"
)

// Final reports whether the payment will not change any more.
func (s PaymentStatus) Final() bool { return s == PaymentSucceeded || s == PaymentFailed }

// PaymentAttempt is one HTLC attempt of an lnd payment.
type PaymentAttempt struct {
	Status string `json:"status"` // IN_FLIGHT, SUCCEEDED, FAILED
}

// Payment is lnd's Payment, the fields the tests use.
type Payment struct {
	PaymentHash   string              `json:"payment_hash"`     // hex
	Preimage      string              `json:"payment_preimage"` // hex, zeros until it succeeds
	ValueMsat     lnwire.MilliSatoshi `json:"value_msat,string"`
	FeeMsat       lnwire.MilliSatoshi `json:"fee_msat,string"`
	Status        PaymentStatus       `json:"status"`
	FailureReason string              `json:"failure_reason"`
	Attempts      []PaymentAttempt    `json:"htlcs"`
}

// SendPaymentRequest is what SendPayment asks lnd to pay.
type SendPaymentRequest struct {
	Invoice  string        // BOLT 11 payment request
	Timeout  time.Duration // how long lnd keeps trying; zero means 60s
	FeeLimit lnwire.Satoshi
}

// SendPayment calls POST /v2/router/send and follows the payment's stream
// until it succeeds or fails, calling update (when not nil) with every
// state lnd reports on the way. A payment that fails is returned with a
// nil error: its Status and FailureReason say why.
func (n *Node) SendPayment(ctx context.Context, req SendPaymentRequest, update func(Payment)) (Payment, error) {
	timeout := req.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	body := map[string]any{
		"payment_request": req.Invoice,
		"timeout_seconds": int32(timeout / time.Second),
		"fee_limit_sat":   strconv.FormatInt(int64(req.FeeLimit), 10),
	}
	var last Payment
	err := n.Stream(ctx, "POST", "/v2/router/send", body, func(result json.RawMessage) error {
		var p Payment
		if err := json.Unmarshal(result, &p); err != nil {
			return fmt.Errorf("%w: payment update: %v", ErrBadResponse, err)
		}
		last = p
		if update != nil {
			update(p)
		}
		if p.Status.Final() {
			return ErrStreamDone
		}
		return nil
	})
	if err == nil && !last.Status.Final() {
		err = fmt.Errorf("%w: payment stream ended in state %q", ErrBadResponse, last.Status)
	}
	return last, err
}

// LookupPayment finds the payment of paymentHash in GET /v1/payments
// (incomplete ones included); false when lnd has none.
func (n *Node) LookupPayment(ctx context.Context, paymentHash [32]byte) (Payment, bool, error) {
	var reply struct {
		Payments []Payment `json:"payments"`
	}
	if err := n.Call(ctx, "GET", "/v1/payments?include_incomplete=true", nil, &reply); err != nil {
		return Payment{}, false, err
	}
	want := hex.EncodeToString(paymentHash[:])
	for _, p := range reply.Payments {
		if p.PaymentHash == want {
			return p, true, nil
		}
	}
	return Payment{}, false, nil
}
