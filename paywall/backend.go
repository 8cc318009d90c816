package paywall

import (
	"context"
	"errors"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Backend is the Lightning node the paywall sells through: it creates
// invoices, reports their state and waits for their payment. RPCBackend
// implements it over a Fulmen or Core Lightning JSON-RPC socket; tests use
// an in-process fake (package paywalltest).
//
// Every method must be safe for concurrent use: the paywall calls them from
// the HTTP handlers of many visitors at once.
type Backend interface {
	// CreateInvoice creates an invoice of amount with the given label
	// (unique on the node), description and expiry, and returns it unpaid
	// with its bolt11 string, payment hash and expiry time. A label already
	// in use fails with ErrDuplicateLabel.
	CreateInvoice(ctx context.Context, label string, amount lnwire.MilliSatoshi,
		description string, expiry time.Duration) (Invoice, error)

	// WaitInvoice blocks until the invoice is paid or expires, and returns
	// it with StatusPaid or StatusExpired (at once if it already is). It
	// fails with ErrInvoiceNotFound if the invoice does not exist or is
	// deleted while waited on, and with the context's error when ctx ends
	// first.
	WaitInvoice(ctx context.Context, label string) (Invoice, error)

	// LookupInvoice returns the invoice in its current state, or
	// ErrInvoiceNotFound.
	LookupInvoice(ctx context.Context, label string) (Invoice, error)
}

// Status is the state of an invoice, with Core Lightning's names.
type Status string

// The states an invoice can be in.
const (
	StatusUnpaid  Status = "unpaid"
	StatusPaid    Status = "paid"
	StatusExpired Status = "expired"
)

// known reports whether s is one of the three states.
func (s Status) known() bool {
	return s == StatusUnpaid || s == StatusPaid || s == StatusExpired
}

// Invoice is what the paywall needs to know about one invoice.
type Invoice struct {
	Label       string
	Bolt11      string
	PaymentHash [32]byte
	Amount      lnwire.MilliSatoshi
	ExpiresAt   time.Time
	Status      Status
	// Preimage is the payment preimage once Status is StatusPaid (zero
	// when the backend does not report it). The paywall never shows it:
	// it is the buyer's proof of payment.
	Preimage [32]byte
}

// Errors a Backend returns, checkable with errors.Is.
var (
	// ErrInvoiceNotFound: no invoice has this label (never created, or
	// deleted).
	ErrInvoiceNotFound = errors.New("paywall: invoice not found")
	// ErrDuplicateLabel: CreateInvoice was given a label already in use.
	ErrDuplicateLabel = errors.New("paywall: invoice label already in use")
	// ErrBackendReply: the node answered with something the paywall cannot
	// read (an unknown status, a malformed payment hash...).
	ErrBackendReply = errors.New("paywall: unexpected reply from the Lightning node")
)
