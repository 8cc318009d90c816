package paywall

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Core Lightning's error codes for the invoice commands
// (common/jsonrpc_errors.h), which Fulmen returns too.
const (
	codeInvoiceLabelExists  = 900
	codeWaitInvoiceDeleted  = -1 // also "label not found"
	codeWaitInvoiceExpired  = -2
	maxInvoiceExpirySeconds = 10 * 365 * 24 * 3600
)

// RPCBackend is a Backend that talks to a Fulmen (or Core Lightning) node
// over its JSON-RPC Unix socket with the invoice, waitinvoice and
// listinvoices commands. It is safe for concurrent use: every call opens its
// own connection, as the rpc package's client contract asks.
type RPCBackend struct {
	socketPath string
}

// NewRPCBackend returns a backend for the node whose JSON-RPC socket is at
// socketPath (<lightning-dir>/<network>/lightning-rpc).
func NewRPCBackend(socketPath string) *RPCBackend { return &RPCBackend{socketPath: socketPath} }

// SocketPath is the socket the backend calls.
func (b *RPCBackend) SocketPath() string { return b.socketPath }

func (b *RPCBackend) call(ctx context.Context, method string, params, result any) error {
	return rpc.NewClient(b.socketPath).Call(ctx, method, params, result)
}

// CreateInvoice calls `invoice`. The expiry is rounded up to whole seconds.
func (b *RPCBackend) CreateInvoice(ctx context.Context, label string, amount lnwire.MilliSatoshi,
	description string, expiry time.Duration) (Invoice, error) {
	seconds := int64((expiry + time.Second - 1) / time.Second)
	if seconds < 1 || seconds > maxInvoiceExpirySeconds {
		return Invoice{}, fmt.Errorf("paywall: invoice expiry %v out of range (1s to 10 years)", expiry)
	}
	if amount == 0 {
		return Invoice{}, fmt.Errorf("paywall: invoice amount must be positive")
	}
	params := map[string]any{
		"amount_msat": uint64(amount),
		"label":       label,
		"description": description,
		"expiry":      seconds,
	}
	var reply struct {
		Bolt11      string `json:"bolt11"`
		PaymentHash string `json:"payment_hash"`
		ExpiresAt   int64  `json:"expires_at"`
	}
	err := b.call(ctx, "invoice", params, &reply)
	var rerr *rpc.Error
	if errors.As(err, &rerr) && rerr.Code == codeInvoiceLabelExists {
		return Invoice{}, fmt.Errorf("%w: %q (%w)", ErrDuplicateLabel, label, err)
	}
	if err != nil {
		return Invoice{}, fmt.Errorf("paywall: invoice %q: %w", label, err)
	}
	hash, err := parseHash(reply.PaymentHash)
	if err != nil {
		return Invoice{}, fmt.Errorf("%w: invoice %q: payment_hash: %v", ErrBackendReply, label, err)
	}
	if reply.Bolt11 == "" {
		return Invoice{}, fmt.Errorf("%w: invoice %q: no bolt11", ErrBackendReply, label)
	}
	return Invoice{
		Label:       label,
		Bolt11:      reply.Bolt11,
		PaymentHash: hash,
		Amount:      amount,
		ExpiresAt:   time.Unix(reply.ExpiresAt, 0).UTC(),
		Status:      StatusUnpaid,
	}, nil
}

// WaitInvoice calls `waitinvoice`: its "expired" error (-2) becomes the
// invoice with StatusExpired, its "deleted" error (-1) ErrInvoiceNotFound.
func (b *RPCBackend) WaitInvoice(ctx context.Context, label string) (Invoice, error) {
	var reply invoiceReply
	err := b.call(ctx, "waitinvoice", map[string]any{"label": label}, &reply)
	var rerr *rpc.Error
	switch {
	case err == nil:
		return reply.invoice()
	case ctx.Err() != nil:
		return Invoice{}, ctx.Err()
	case errors.As(err, &rerr) && rerr.Code == codeWaitInvoiceExpired:
		// The error carries the invoice; ask for it if it does not.
		if inv, ok := expiredFromErrorData(rerr.Data); ok {
			return inv, nil
		}
		inv, lookupErr := b.LookupInvoice(ctx, label)
		if lookupErr != nil {
			return Invoice{}, lookupErr
		}
		inv.Status = StatusExpired
		return inv, nil
	case errors.As(err, &rerr) && rerr.Code == codeWaitInvoiceDeleted:
		return Invoice{}, fmt.Errorf("%w: %q (%w)", ErrInvoiceNotFound, label, err)
	}
	return Invoice{}, fmt.Errorf("paywall: waitinvoice %q: %w", label, err)
}

// expiredFromErrorData reads the invoice a waitinvoice "expired" error
// carries in its data.
func expiredFromErrorData(data any) (Invoice, bool) {
	if data == nil {
		return Invoice{}, false
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return Invoice{}, false
	}
	var reply invoiceReply
	if json.Unmarshal(raw, &reply) != nil {
		return Invoice{}, false
	}
	inv, err := reply.invoice()
	if err != nil || inv.Status != StatusExpired {
		return Invoice{}, false
	}
	return inv, true
}

// LookupInvoice calls `listinvoices` with the label.
func (b *RPCBackend) LookupInvoice(ctx context.Context, label string) (Invoice, error) {
	var reply struct {
		Invoices []invoiceReply `json:"invoices"`
	}
	if err := b.call(ctx, "listinvoices", map[string]any{"label": label}, &reply); err != nil {
		return Invoice{}, fmt.Errorf("paywall: listinvoices %q: %w", label, err)
	}
	for _, r := range reply.Invoices {
		if r.Label == label {
			return r.invoice()
		}
	}
	return Invoice{}, fmt.Errorf("%w: %q", ErrInvoiceNotFound, label)
}

// invoiceReply is one invoice as listinvoices and waitinvoice return it.
type invoiceReply struct {
	Label           string     `json:"label"`
	Bolt11          string     `json:"bolt11"`
	PaymentHash     string     `json:"payment_hash"`
	Status          string     `json:"status"`
	ExpiresAt       int64      `json:"expires_at"`
	AmountMsat      amountMsat `json:"amount_msat"`
	PaymentPreimage string     `json:"payment_preimage"`
}

func (r invoiceReply) invoice() (Invoice, error) {
	inv := Invoice{
		Label:     r.Label,
		Bolt11:    r.Bolt11,
		Amount:    lnwire.MilliSatoshi(r.AmountMsat),
		ExpiresAt: time.Unix(r.ExpiresAt, 0).UTC(),
		Status:    Status(r.Status),
	}
	if !inv.Status.known() {
		return Invoice{}, fmt.Errorf("%w: invoice %q has status %q", ErrBackendReply, r.Label, r.Status)
	}
	var err error
	if inv.PaymentHash, err = parseHash(r.PaymentHash); err != nil {
		return Invoice{}, fmt.Errorf("%w: invoice %q: payment_hash: %v", ErrBackendReply, r.Label, err)
	}
	if inv.Status == StatusPaid && r.PaymentPreimage != "" {
		if inv.Preimage, err = ParsePreimage(r.PaymentPreimage); err != nil {
			return Invoice{}, fmt.Errorf("%w: invoice %q: payment_preimage: %v", ErrBackendReply, r.Label, err)
		}
	}
	return inv, nil
}

// amountMsat reads an amount as a number of msat (Fulmen, Core Lightning
// since v23) or as a string such as "1000msat" (older Core Lightning).
type amountMsat uint64

func (a *amountMsat) UnmarshalJSON(data []byte) error {
	text := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if text == "null" || text == "any" {
		*a = 0
		return nil
	}
	v, err := rpc.ParseMsat(text)
	if err != nil {
		return fmt.Errorf("%w: amount_msat %s", ErrBackendReply, data)
	}
	*a = amountMsat(v)
	return nil
}

func parseHash(text string) ([32]byte, error) {
	var h [32]byte
	raw, err := hex.DecodeString(text)
	if err != nil || len(raw) != len(h) {
		return h, fmt.Errorf("want 64 hex digits, got %q", text)
	}
	copy(h[:], raw)
	return h, nil
}
