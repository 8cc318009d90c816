package daemon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/invoices"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Core Lightning's invoice error codes (common/jsonrpc_errors.h).
const (
	codeInvoiceLabelExists    = 900
	codeInvoicePreimageExists = 901
	codeInvoiceWaitTimedOut   = 904
	codeInvoiceNotFound       = 905
	codeInvoiceStatus         = 906
	codeWaitInvoiceDeleted    = -1
	codeWaitInvoiceExpired    = -2
)

func (d *Daemon) addInvoiceMethods(t *rpc.Table) {
	t.Add(rpc.Method{
		Name:     "invoice",
		Category: "payment",
		Params: []rpc.Param{{Name: "amount_msat", Required: true}, {Name: "label", Required: true},
			{Name: "description", Required: true}, {Name: "expiry"}, {Name: "fallbacks"}, {Name: "preimage"},
			{Name: "exposeprivatechannels"}, {Name: "cltv"}, {Name: "deschashonly"}},
		Description: "Create an invoice for {amount_msat} (or \"any\") with {label} and {description}.",
		Handler:     d.rpcInvoice,
	})
	t.Add(rpc.Method{
		Name:     "listinvoices",
		Category: "payment",
		Params: []rpc.Param{{Name: "label"}, {Name: "invstring"}, {Name: "payment_hash"}, {Name: "offer_id"},
			{Name: "index"}, {Name: "start"}, {Name: "limit"}},
		Description: "Show invoices, or only the one with {label}, {invstring} or {payment_hash}.",
		Handler:     d.rpcListInvoices,
	})
	t.Add(rpc.Method{
		Name:        "delinvoice",
		Category:    "payment",
		Params:      []rpc.Param{{Name: "label", Required: true}, {Name: "status", Required: true}, {Name: "desconly"}},
		Description: "Delete the invoice {label} if its status is {status}.",
		Handler:     d.rpcDelInvoice,
	})
	t.Add(rpc.Method{
		Name:        "waitinvoice",
		Category:    "payment",
		Params:      []rpc.Param{{Name: "label", Required: true}},
		Description: "Wait for the invoice {label} to be paid (fails if it expires or is deleted).",
		Handler:     d.rpcWaitInvoice,
	})
	t.Add(rpc.Method{
		Name:        "waitanyinvoice",
		Category:    "payment",
		Params:      []rpc.Param{{Name: "lastpay_index"}, {Name: "timeout"}},
		Description: "Wait for the next invoice paid after {lastpay_index}, up to {timeout} seconds.",
		Handler:     d.rpcWaitAnyInvoice,
	})
	for _, name := range []string{"decode", "decodepay"} {
		t.Add(rpc.Method{
			Name:        name,
			Category:    "utility",
			Params:      []rpc.Param{{Name: decodeParamName(name), Required: true}},
			Description: "Decode a BOLT 11 invoice.",
			Handler: func(_ context.Context, p rpc.Params) (any, error) {
				s, err := p.String(decodeParamName(name))
				if err != nil {
					return nil, err
				}
				return DecodeInvoice(s)
			},
		})
	}
}

func decodeParamName(method string) string {
	if method == "decodepay" {
		return "bolt11"
	}
	return "string"
}

// DecodeInvoice is the decode RPC, also used offline by fulmen-cli.
func DecodeInvoice(s string) (bolt11.Decoded, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "lightning:"), "LIGHTNING:")
	inv, err := bolt11.Decode(s)
	if err != nil {
		return bolt11.Decoded{}, rpc.InvalidParams("Invalid bolt11: %v", err)
	}
	return bolt11.NewDecoded(inv), nil
}

// invoiceCreated is the reply of `invoice`.
type invoiceCreated struct {
	PaymentHash   string `json:"payment_hash"`
	ExpiresAt     int64  `json:"expires_at"`
	Bolt11        string `json:"bolt11"`
	PaymentSecret string `json:"payment_secret"`
	CreatedIndex  uint64 `json:"created_index"`
}

func (d *Daemon) rpcInvoice(ctx context.Context, p rpc.Params) (any, error) {
	var req invoices.CreateRequest
	amountText, err := p.String("amount_msat")
	if err != nil {
		return nil, err
	}
	if amountText != "any" {
		amount, err := p.OptionalMsat("amount_msat")
		if err != nil {
			return nil, err
		}
		if *amount == 0 {
			return nil, rpc.InvalidParams("amount_msat: should be positive msat or 'any': invalid token '%s'", amountText)
		}
		req.Amount = amount
	}
	if req.Label, err = p.String("label"); err != nil {
		return nil, err
	}
	if req.Description, err = p.String("description"); err != nil {
		return nil, err
	}
	// BOLT #11: the `d` field is at most 1023 5-bit elements: 639 bytes.
	if len(req.Description) > 639 {
		return nil, rpc.InvalidParams("description: Descriptions greater than 639 bytes not yet supported")
	}
	if expiry, err := p.OptionalUint64("expiry"); err != nil {
		return nil, err
	} else if expiry != nil {
		if *expiry == 0 || *expiry > 10*365*24*3600 {
			return nil, rpc.InvalidParams("expiry: should be between 1 second and 10 years: invalid token '%d'", *expiry)
		}
		req.Expiry = time.Duration(*expiry) * time.Second
	}
	if req.Fallbacks, err = d.parseFallbacks(p.Raw("fallbacks")); err != nil {
		return nil, err
	}
	if text, err := p.OptionalString("preimage"); err != nil {
		return nil, err
	} else if text != nil {
		raw, err := hex.DecodeString(*text)
		if err != nil || len(raw) != 32 {
			return nil, rpc.InvalidParams("preimage: should be a 64 character hex string (32 bytes): invalid token '%s'", *text)
		}
		var preimage [32]byte
		copy(preimage[:], raw)
		req.Preimage = &preimage
	}
	if cltv, err := p.OptionalUint64("cltv"); err != nil {
		return nil, err
	} else if cltv != nil {
		if *cltv == 0 || *cltv > 2016 {
			return nil, rpc.InvalidParams("cltv: should be between 1 and 2016: invalid token '%d'", *cltv)
		}
		req.CLTV = uint32(*cltv)
	}
	if only, err := p.OptionalBool("deschashonly"); err != nil {
		return nil, err
	} else if only != nil {
		req.DescHashOnly = *only
	}

	inv, err := d.invoices.Create(ctx, req)
	switch {
	case errors.Is(err, invoices.ErrDuplicateLabel):
		return nil, &rpc.Error{Code: codeInvoiceLabelExists, Message: "Duplicate label '" + req.Label + "'"}
	case errors.Is(err, invoices.ErrDuplicatePreimage):
		return nil, &rpc.Error{Code: codeInvoicePreimageExists, Message: "preimage already used"}
	case errors.Is(err, invoices.ErrBadRequest):
		return nil, rpc.InvalidParams("%v", err)
	case err != nil:
		return nil, err
	}
	return invoiceCreated{
		PaymentHash:   hex.EncodeToString(inv.PaymentHash[:]),
		ExpiresAt:     inv.ExpiresAt,
		Bolt11:        inv.Bolt11,
		PaymentSecret: hex.EncodeToString(inv.PaymentSecret[:]),
		CreatedIndex:  inv.CreatedIndex,
	}, nil
}

// parseFallbacks reads the fallbacks param: an array of addresses of our
// network.
func (d *Daemon) parseFallbacks(raw json.RawMessage) ([]bolt11.Fallback, error) {
	if raw == nil {
		return nil, nil
	}
	var addrs []string
	if err := json.Unmarshal(raw, &addrs); err != nil {
		return nil, rpc.InvalidParams("fallbacks: should be an array of addresses: invalid token '%s'", raw)
	}
	var out []bolt11.Fallback
	for _, a := range addrs {
		fb, err := fallbackFromAddress(a, d.chainParams())
		if err != nil {
			return nil, rpc.InvalidParams("fallbacks: %v", err)
		}
		out = append(out, fb)
	}
	return out, nil
}

// fallbackFromAddress converts an on-chain address into an `f` field.
func fallbackFromAddress(text string, params *chaincfg.Params) (bolt11.Fallback, error) {
	addr, err := btcutil.DecodeAddress(text, params)
	if err != nil || !addr.IsForNet(params) {
		return bolt11.Fallback{}, fmt.Errorf("invalid address %q for %s", text, params.Name)
	}
	switch a := addr.(type) {
	case *btcutil.AddressPubKeyHash:
		return bolt11.Fallback{Version: bolt11.FallbackP2PKH, Program: a.ScriptAddress()}, nil
	case *btcutil.AddressScriptHash:
		return bolt11.Fallback{Version: bolt11.FallbackP2SH, Program: a.ScriptAddress()}, nil
	case *btcutil.AddressWitnessPubKeyHash:
		return bolt11.Fallback{Version: a.WitnessVersion(), Program: a.WitnessProgram()}, nil
	case *btcutil.AddressWitnessScriptHash:
		return bolt11.Fallback{Version: a.WitnessVersion(), Program: a.WitnessProgram()}, nil
	case *btcutil.AddressTaproot:
		return bolt11.Fallback{Version: a.WitnessVersion(), Program: a.WitnessProgram()}, nil
	}
	return bolt11.Fallback{}, fmt.Errorf("unsupported address type %q", text)
}

// invoiceJSON is one invoice in Core Lightning's listinvoices shape.
type invoiceJSON struct {
	Label              string               `json:"label"`
	Bolt11             string               `json:"bolt11"`
	PaymentHash        string               `json:"payment_hash"`
	Status             string               `json:"status"`
	Description        string               `json:"description"`
	ExpiresAt          int64                `json:"expires_at"`
	AmountMsat         *uint64              `json:"amount_msat,omitempty"`
	CreatedIndex       uint64               `json:"created_index"`
	UpdatedIndex       uint64               `json:"updated_index,omitempty"`
	PayIndex           uint64               `json:"pay_index,omitempty"`
	AmountReceivedMsat *lnwire.MilliSatoshi `json:"amount_received_msat,omitempty"`
	PaidAt             int64                `json:"paid_at,omitempty"`
	PaymentPreimage    string               `json:"payment_preimage,omitempty"`
}

func toInvoiceJSON(inv invoices.Invoice) invoiceJSON {
	j := invoiceJSON{
		Label:        inv.Label,
		Bolt11:       inv.Bolt11,
		PaymentHash:  hex.EncodeToString(inv.PaymentHash[:]),
		Status:       string(inv.Status),
		Description:  inv.Description,
		ExpiresAt:    inv.ExpiresAt,
		AmountMsat:   inv.AmountMsat,
		CreatedIndex: inv.CreatedIndex,
		UpdatedIndex: inv.UpdatedIndex,
	}
	if inv.Status == invoices.StatusPaid {
		received := lnwire.MilliSatoshi(inv.AmountReceivedMsat)
		j.PayIndex, j.AmountReceivedMsat, j.PaidAt = inv.PayIndex, &received, inv.PaidAt
		j.PaymentPreimage = hex.EncodeToString(inv.PaymentPreimage[:])
	}
	return j
}

func (d *Daemon) rpcListInvoices(ctx context.Context, p rpc.Params) (any, error) {
	var f invoices.Filter
	given := 0
	var err error
	if f.Label, err = p.OptionalString("label"); err != nil {
		return nil, err
	} else if f.Label != nil {
		given++
	}
	if f.Bolt11, err = p.OptionalString("invstring"); err != nil {
		return nil, err
	} else if f.Bolt11 != nil {
		given++
	}
	if text, err := p.OptionalString("payment_hash"); err != nil {
		return nil, err
	} else if text != nil {
		raw, err := hex.DecodeString(*text)
		if err != nil || len(raw) != 32 {
			return nil, rpc.InvalidParams("payment_hash: should be a 32 byte hex value: invalid token '%s'", *text)
		}
		var h [32]byte
		copy(h[:], raw)
		f.PaymentHash = &h
		given++
	}
	if p.Has("offer_id") {
		given++
	}
	if given > 1 {
		return nil, rpc.InvalidParams("Can only specify one of {label}, {invstring}, {payment_hash} or {offer_id}")
	}
	if index, err := p.OptionalString("index"); err != nil {
		return nil, err
	} else if index != nil && *index != "created" {
		return nil, rpc.InvalidParams("index: only 'created' is supported: invalid token '%s'", *index)
	}
	if start, err := p.OptionalUint64("start"); err != nil {
		return nil, err
	} else if start != nil {
		f.StartCreated = *start
	}
	if limit, err := p.OptionalUint64("limit"); err != nil {
		return nil, err
	} else if limit != nil {
		f.Limit = *limit
	}
	out := []invoiceJSON{}
	if p.Has("offer_id") {
		return map[string]any{"invoices": out}, nil // BOLT 12 offers are not supported yet
	}
	list, err := d.invoices.List(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		out = append(out, toInvoiceJSON(inv))
	}
	return map[string]any{"invoices": out}, nil
}

func (d *Daemon) rpcDelInvoice(ctx context.Context, p rpc.Params) (any, error) {
	label, err := p.String("label")
	if err != nil {
		return nil, err
	}
	status, err := p.String("status")
	if err != nil {
		return nil, err
	}
	switch invoices.Status(status) {
	case invoices.StatusPaid, invoices.StatusUnpaid, invoices.StatusExpired:
	default:
		return nil, rpc.InvalidParams("status: should be one of unpaid, paid or expired: invalid token '%s'", status)
	}
	if only, err := p.OptionalBool("desconly"); err != nil {
		return nil, err
	} else if only != nil && *only {
		return nil, rpc.InvalidParams("desconly: not supported")
	}
	inv, err := d.invoices.Delete(ctx, label, invoices.Status(status))
	switch {
	case errors.Is(err, invoices.ErrNotFound):
		return nil, &rpc.Error{Code: codeInvoiceNotFound, Message: "Unknown invoice"}
	case errors.Is(err, invoices.ErrStatusMismatch):
		return nil, &rpc.Error{Code: codeInvoiceStatus,
			Message: fmt.Sprintf("Invoice status is %s not %s", inv.Status, status), Data: toInvoiceJSON(inv)}
	case err != nil:
		return nil, err
	}
	return toInvoiceJSON(inv), nil
}

func (d *Daemon) rpcWaitInvoice(ctx context.Context, p rpc.Params) (any, error) {
	label, err := p.String("label")
	if err != nil {
		return nil, err
	}
	inv, err := d.invoices.Wait(ctx, label)
	switch {
	case errors.Is(err, invoices.ErrExpired):
		return nil, &rpc.Error{Code: codeWaitInvoiceExpired, Message: "invoice expired during wait", Data: toInvoiceJSON(inv)}
	case errors.Is(err, invoices.ErrNotFound):
		return nil, &rpc.Error{Code: codeWaitInvoiceDeleted, Message: "Invoice deleted during wait"}
	case err != nil:
		return nil, err
	}
	return toInvoiceJSON(inv), nil
}

func (d *Daemon) rpcWaitAnyInvoice(ctx context.Context, p rpc.Params) (any, error) {
	last, err := p.OptionalUint64("lastpay_index")
	if err != nil {
		return nil, err
	}
	timeout, err := p.OptionalUint64("timeout")
	if err != nil {
		return nil, err
	}
	var after uint64
	if last != nil {
		after = *last
	}
	var wait time.Duration
	if timeout != nil {
		if *timeout == 0 {
			wait = time.Nanosecond // 0 means "don't wait", as in Core Lightning
		} else {
			wait = time.Duration(*timeout) * time.Second
		}
	}
	inv, err := d.invoices.WaitAny(ctx, after, wait)
	if errors.Is(err, invoices.ErrWaitTimeout) {
		return nil, &rpc.Error{Code: codeInvoiceWaitTimedOut, Message: "Timed out while waiting"}
	}
	if err != nil {
		return nil, err
	}
	return toInvoiceJSON(inv), nil
}
