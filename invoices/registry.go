package invoices

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/store"
)

// Defaults, as Core Lightning's.
const (
	DefaultExpiry = 7 * 24 * time.Hour // invoice's expiry parameter
	DefaultCLTV   = 18                 // cltv-final
)

// Status of an invoice.
type Status string

// Statuses, with Core Lightning's names.
const (
	StatusUnpaid  Status = "unpaid"
	StatusPaid    Status = "paid"
	StatusExpired Status = "expired"
)

// Errors callers map to Core Lightning's codes.
var (
	ErrDuplicateLabel    = errors.New("duplicate label")
	ErrDuplicatePreimage = errors.New("preimage already used")
	ErrNotFound          = errors.New("unknown invoice")
	ErrExpired           = errors.New("invoice expired")
	ErrAlreadyPaid       = errors.New("invoice already paid")
	ErrStatusMismatch    = errors.New("invoice status mismatch")
	ErrBadRequest        = errors.New("bad invoice request")
)

// Config builds a Registry.
type Config struct {
	Store    *store.Store
	Signer   bolt11.Signer
	Currency bolt11.Currency
	Now      func() time.Time
	Rand     io.Reader
	Log      *slog.Logger
}

// Registry creates, lists, settles and waits on invoices.
type Registry struct {
	cfg Config

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever an invoice changes
}

// New builds a registry.
func New(cfg Config) *Registry {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Registry{cfg: cfg, changed: make(chan struct{})}
}

// Invoice is an invoice with its status as of now.
type Invoice struct {
	store.InvoiceRecord
	Status Status
}

func (r *Registry) withStatus(rec store.InvoiceRecord) Invoice {
	status := StatusUnpaid
	switch {
	case rec.Paid:
		status = StatusPaid
	case r.cfg.Now().Unix() >= rec.ExpiresAt:
		status = StatusExpired
	}
	return Invoice{InvoiceRecord: rec, Status: status}
}

// CreateRequest are the parameters of `invoice`.
type CreateRequest struct {
	Amount       *lnwire.MilliSatoshi // nil: any amount
	Label        string
	Description  string
	Expiry       time.Duration // 0: DefaultExpiry
	Fallbacks    []bolt11.Fallback
	Preimage     *[32]byte // nil: random
	CLTV         uint32    // 0: DefaultCLTV
	DescHashOnly bool      // put only the description's hash in the invoice
	RouteHints   [][]bolt11.RouteHop
}

// Create makes, signs and stores a new invoice.
func (r *Registry) Create(ctx context.Context, req CreateRequest) (Invoice, error) {
	if req.Label == "" {
		return Invoice{}, fmt.Errorf("%w: empty label", ErrBadRequest)
	}
	if req.Expiry == 0 {
		req.Expiry = DefaultExpiry
	}
	if req.Expiry < time.Second {
		return Invoice{}, fmt.Errorf("%w: expiry below one second", ErrBadRequest)
	}
	if req.CLTV == 0 {
		req.CLTV = DefaultCLTV
	}
	if req.Amount != nil && *req.Amount == 0 {
		return Invoice{}, fmt.Errorf("%w: amount must be positive, or \"any\"", ErrBadRequest)
	}
	var preimage, secret [32]byte
	if req.Preimage != nil {
		preimage = *req.Preimage
	} else if _, err := io.ReadFull(r.cfg.Rand, preimage[:]); err != nil {
		return Invoice{}, fmt.Errorf("invoices: generating preimage: %w", err)
	}
	if _, err := io.ReadFull(r.cfg.Rand, secret[:]); err != nil {
		return Invoice{}, fmt.Errorf("invoices: generating payment secret: %w", err)
	}
	hash := sha256.Sum256(preimage[:])
	now := r.cfg.Now()
	expirySeconds := uint64(req.Expiry / time.Second)
	cltv := req.CLTV

	inv := &bolt11.Invoice{
		Currency:                r.cfg.Currency,
		Amount:                  req.Amount,
		Timestamp:               uint64(now.Unix()),
		PaymentHash:             hash,
		PaymentSecret:           secret,
		Expiry:                  &expirySeconds,
		MinFinalCLTVExpiryDelta: &cltv,
		Fallbacks:               req.Fallbacks,
		RouteHints:              req.RouteHints,
		// BOLT #11: a writer MUST set payment_secret's feature bit, and
		// var_onion_optin which it depends on.
		Features: lnwire.NewFeatureVector(lnwire.VarOnionOptinRequired, lnwire.PaymentSecretRequired),
	}
	if req.DescHashOnly {
		h := sha256.Sum256([]byte(req.Description))
		inv.DescriptionHash = &h
	} else {
		desc := req.Description
		inv.Description = &desc
	}
	encoded, err := bolt11.Encode(inv, r.cfg.Signer)
	if err != nil {
		return Invoice{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	rec := store.InvoiceRecord{
		Label:           req.Label,
		PaymentHash:     hash,
		PaymentPreimage: preimage,
		PaymentSecret:   secret,
		Description:     req.Description,
		Bolt11:          encoded,
		ExpiresAt:       now.Unix() + int64(expirySeconds),
		CLTV:            cltv,
	}
	if req.Amount != nil {
		v := uint64(*req.Amount)
		rec.AmountMsat = &v
	}
	switch err := r.cfg.Store.AddInvoice(ctx, &rec); {
	case errors.Is(err, store.ErrDuplicateLabel):
		return Invoice{}, fmt.Errorf("%w: %q", ErrDuplicateLabel, req.Label)
	case errors.Is(err, store.ErrDuplicatePaymentHash):
		return Invoice{}, ErrDuplicatePreimage
	case err != nil:
		return Invoice{}, err
	}
	r.notify()
	r.cfg.Log.Info("invoice created", "label", req.Label, "payment_hash", fmt.Sprintf("%x", hash))
	return r.withStatus(rec), nil
}

// Filter selects invoices for List.
type Filter = store.InvoiceFilter

// List returns the invoices matching the filter with their status.
func (r *Registry) List(ctx context.Context, f Filter) ([]Invoice, error) {
	recs, err := r.cfg.Store.Invoices(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Invoice, len(recs))
	for i, rec := range recs {
		out[i] = r.withStatus(rec)
	}
	return out, nil
}

// ByLabel finds one invoice.
func (r *Registry) ByLabel(ctx context.Context, label string) (Invoice, error) {
	list, err := r.List(ctx, Filter{Label: &label})
	if err != nil {
		return Invoice{}, err
	}
	if len(list) == 0 {
		return Invoice{}, fmt.Errorf("%w: %q", ErrNotFound, label)
	}
	return list[0], nil
}

// Delete removes the invoice if its status is the expected one.
func (r *Registry) Delete(ctx context.Context, label string, expected Status) (Invoice, error) {
	inv, err := r.ByLabel(ctx, label)
	if err != nil {
		return Invoice{}, err
	}
	if inv.Status != expected {
		return inv, fmt.Errorf("%w: invoice status is %s not %s", ErrStatusMismatch, inv.Status, expected)
	}
	if err := r.cfg.Store.DeleteInvoice(ctx, label); err != nil {
		return Invoice{}, err
	}
	r.notify()
	return inv, nil
}

// Settle marks the invoice with this payment hash paid with the amount
// received. The payment path calls it once it has checked the HTLCs
// against the invoice.
func (r *Registry) Settle(ctx context.Context, hash [32]byte, received lnwire.MilliSatoshi) (Invoice, error) {
	rec, err := r.cfg.Store.MarkInvoicePaid(ctx, hash, uint64(received), r.cfg.Now().Unix())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Invoice{}, fmt.Errorf("%w: payment hash %x", ErrNotFound, hash)
	case errors.Is(err, store.ErrAlreadyPaid):
		return Invoice{}, fmt.Errorf("%w: payment hash %x", ErrAlreadyPaid, hash)
	case err != nil:
		return Invoice{}, err
	}
	r.notify()
	r.cfg.Log.Info("invoice paid", "label", rec.Label, "pay_index", rec.PayIndex, "amount_msat", received)
	return r.withStatus(rec), nil
}

// notify wakes every waiter.
func (r *Registry) notify() {
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *Registry) changes() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}
