package daemon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/invoices"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Core Lightning's payment error codes (common/jsonrpc_errors.h).
const (
	codePayInProgress       = 200
	codePayRhashAlreadyUsed = 201
	codePayDestinationPerm  = 203
	codePayTryOtherRoute    = 204
	codePayRouteNotFound    = 205
	codePayInvoiceExpired   = 207
	codePayNoSuchPayment    = 208
)

// invoiceTerms adapts the invoice registry to what the channel runtime
// checks an incoming payment against.
type invoiceTerms struct{ r *invoices.Registry }

func (a invoiceTerms) Lookup(ctx context.Context, hash [32]byte) (node.InvoiceTerms, error) {
	list, err := a.r.List(ctx, invoices.Filter{PaymentHash: &hash})
	if err != nil {
		return node.InvoiceTerms{}, err
	}
	if len(list) == 0 {
		return node.InvoiceTerms{}, node.ErrUnknownInvoice
	}
	inv := list[0]
	terms := node.InvoiceTerms{Preimage: inv.PaymentPreimage, PaymentSecret: inv.PaymentSecret, MinFinalCLTV: inv.CLTV,
		Expired: inv.Status == invoices.StatusExpired, Paid: inv.Paid}
	if inv.AmountMsat != nil {
		amount := lnwire.MilliSatoshi(*inv.AmountMsat)
		terms.Amount = &amount
	}
	return terms, nil
}

func (a invoiceTerms) Settle(ctx context.Context, hash [32]byte, received lnwire.MilliSatoshi) error {
	_, err := a.r.Settle(ctx, hash, received)
	return err
}

func (d *Daemon) addPaymentMethods(t *rpc.Table) {
	t.Add(rpc.Method{Name: "pay", Category: "payment",
		Params: []rpc.Param{{Name: "bolt11", Required: true}, {Name: "amount_msat"}, {Name: "label"}, {Name: "riskfactor"},
			{Name: "maxfeepercent"}, {Name: "retry_for"}, {Name: "maxdelay"}, {Name: "exemptfee"}, {Name: "localinvreqid"},
			{Name: "exclude"}, {Name: "maxfee"}, {Name: "description"}, {Name: "partial_msat"}},
		Description: "Pay the {bolt11} invoice (over a direct channel with its payee).", Handler: d.rpcPay})
	t.Add(rpc.Method{Name: "sendpay", Category: "payment",
		Params: []rpc.Param{{Name: "route", Required: true}, {Name: "payment_hash", Required: true}, {Name: "label"},
			{Name: "amount_msat"}, {Name: "bolt11"}, {Name: "payment_secret"}, {Name: "partid"}, {Name: "localinvreqid"},
			{Name: "groupid"}, {Name: "payment_metadata"}, {Name: "description"}},
		Description: "Send along {route} (one hop: a peer we have a channel with) for {payment_hash}.", Handler: d.rpcSendPay})
	t.Add(rpc.Method{Name: "waitsendpay", Category: "payment",
		Params:      []rpc.Param{{Name: "payment_hash", Required: true}, {Name: "timeout"}, {Name: "partid"}, {Name: "groupid"}},
		Description: "Wait for the payment of {payment_hash} to complete or fail, up to {timeout} seconds.", Handler: d.rpcWaitSendPay})
}

// paymentJSON is a payment as sendpay, waitsendpay and pay report it.
type paymentJSON struct {
	ID              uint64              `json:"id,omitempty"`
	PaymentHash     string              `json:"payment_hash"`
	Destination     string              `json:"destination"`
	Status          string              `json:"status"`
	CreatedAt       int64               `json:"created_at"`
	AmountMsat      lnwire.MilliSatoshi `json:"amount_msat"`
	AmountSentMsat  lnwire.MilliSatoshi `json:"amount_sent_msat"`
	PaymentPreimage string              `json:"payment_preimage,omitempty"`
	Parts           int                 `json:"parts,omitempty"`
	Label           string              `json:"label,omitempty"`
	Bolt11          string              `json:"bolt11,omitempty"`
}

func paymentOf(p node.Payment) paymentJSON {
	out := paymentJSON{ID: p.ID, PaymentHash: hex.EncodeToString(p.Request.PaymentHash[:]),
		Destination: hex.EncodeToString(p.Request.Destination.SerializeCompressed()), Status: string(p.Status),
		CreatedAt: p.CreatedAt.Unix(), AmountMsat: p.Request.Amount, AmountSentMsat: p.Request.Amount}
	if p.Status == node.PaymentComplete {
		out.PaymentPreimage = hex.EncodeToString(p.Preimage[:])
	}
	return out
}

// paymentError maps a payment's failure to Core Lightning's codes and
// error data.
func paymentError(p node.Payment, err error) error {
	var f *node.PaymentFailure
	switch {
	case errors.As(err, &f):
		code := codePayTryOtherRoute
		if f.Code.IsPermanent() && f.ErringIndex == 0 {
			code = codePayDestinationPerm
		}
		data := map[string]any{"id": p.ID, "payment_hash": hex.EncodeToString(p.Request.PaymentHash[:]),
			"status": "failed", "erring_index": f.ErringIndex, "failcode": uint16(f.Code), "failcodename": f.Code.String(),
			"erring_node":    hex.EncodeToString(p.Request.Destination.SerializeCompressed()),
			"erring_channel": p.ShortChanID.String(), "amount_msat": p.Request.Amount}
		return &rpc.Error{Code: code, Message: "failed: " + f.Code.String() + " (reply from remote)", Data: data}
	case errors.Is(err, node.ErrNoRoute):
		return &rpc.Error{Code: codePayRouteNotFound, Message: "No route: " + err.Error()}
	case errors.Is(err, node.ErrPaymentInProgress):
		return &rpc.Error{Code: codePayInProgress, Message: "Already in progress"}
	case errors.Is(err, node.ErrAlreadyPaid):
		return &rpc.Error{Code: codePayRhashAlreadyUsed, Message: "Already succeeded"}
	case errors.Is(err, node.ErrUnknownPayment):
		return &rpc.Error{Code: codePayNoSuchPayment, Message: "Never attempted payment"}
	case errors.Is(err, context.DeadlineExceeded):
		return &rpc.Error{Code: codePayInProgress, Message: "Timed out while waiting"}
	}
	return rpc.Errorf(rpc.CodeLightningd, "%v", err)
}

func (d *Daemon) rpcPay(ctx context.Context, p rpc.Params) (any, error) {
	text, err := p.String("bolt11")
	if err != nil {
		return nil, err
	}
	inv, err := bolt11.Decode(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(text)), "lightning:"))
	if err != nil {
		return nil, rpc.InvalidParams("Invalid bolt11: %v", err)
	}
	if inv.Currency != invoiceCurrency(d.cfg.Network) {
		return nil, rpc.InvalidParams("Invoice is for another network (%s)", inv.Currency)
	}
	if inv.IsExpired(time.Now()) {
		return nil, &rpc.Error{Code: codePayInvoiceExpired, Message: "Invoice expired"}
	}
	amount, err := p.OptionalMsat("amount_msat")
	if err != nil {
		return nil, err
	}
	switch {
	case inv.Amount != nil && amount != nil:
		return nil, rpc.InvalidParams("amount_msat parameter unnecessary")
	case inv.Amount == nil && amount == nil:
		return nil, rpc.InvalidParams("amount_msat parameter required")
	case inv.Amount != nil:
		amount = inv.Amount
	}
	secret := inv.PaymentSecret
	req := node.PaymentRequest{Destination: inv.Payee, Amount: *amount, PaymentHash: inv.PaymentHash,
		PaymentSecret: &secret, FinalCLTVDelta: inv.FinalCLTVDelta()}
	payment, err := d.channels.SendPayment(ctx, req)
	switch {
	case errors.Is(err, node.ErrAlreadyPaid):
		payment, err = d.channels.WaitPayment(ctx, inv.PaymentHash)
	case errors.Is(err, node.ErrPaymentInProgress), err == nil:
		payment, err = d.channels.WaitPayment(ctx, inv.PaymentHash)
	}
	if err != nil {
		return nil, paymentError(payment, err)
	}
	reply := paymentOf(payment)
	reply.ID, reply.Parts = 0, 1
	return reply, nil
}

// routeHop is one hop of sendpay's route.
type routeHop struct {
	ID         string          `json:"id"`
	Channel    string          `json:"channel"`
	AmountMsat json.RawMessage `json:"amount_msat"`
	Delay      uint32          `json:"delay"`
}

func (d *Daemon) rpcSendPay(ctx context.Context, p rpc.Params) (any, error) {
	var route []routeHop
	if err := json.Unmarshal(p.Raw("route"), &route); err != nil || len(route) == 0 {
		return nil, rpc.InvalidParams("route: should be a non-empty array of hops")
	}
	if len(route) != 1 {
		return nil, &rpc.Error{Code: codePayRouteNotFound, Message: "Only routes of one hop (a direct channel) are supported"}
	}
	hop := route[0]
	dest, err := parseNodeID("route[0].id", hop.ID)
	if err != nil {
		return nil, err
	}
	scid, err := lnwire.ParseShortChannelID(hop.Channel)
	if err != nil {
		return nil, rpc.InvalidParams("route[0].channel: %v", err)
	}
	var amountText string
	if err := json.Unmarshal(hop.AmountMsat, &amountText); err != nil {
		amountText = string(hop.AmountMsat)
	}
	amount, err := rpc.ParseMsat(amountText)
	if err != nil {
		return nil, rpc.InvalidParams("route[0].amount_msat: %v", err)
	}
	hash, err := hashParam(p, "payment_hash", true)
	if err != nil {
		return nil, err
	}
	secret, err := hashParam(p, "payment_secret", false)
	if err != nil {
		return nil, err
	}
	var hashArr [32]byte
	copy(hashArr[:], hash)
	req := node.PaymentRequest{Destination: dest, Channel: &scid, Amount: amount, PaymentHash: hashArr, FinalCLTVDelta: hop.Delay}
	if secret != nil {
		var s [32]byte
		copy(s[:], secret)
		req.PaymentSecret = &s
	}
	payment, err := d.channels.SendPayment(ctx, req)
	if err != nil {
		return nil, paymentError(payment, err)
	}
	reply := paymentOf(payment)
	if label, _ := p.OptionalString("label"); label != nil {
		reply.Label = *label
	}
	reply.Status = string(node.PaymentPending)
	return reply, nil
}

// hashParam reads a 32-byte hex parameter (nil when optional and absent).
func hashParam(p rpc.Params, name string, required bool) ([]byte, error) {
	text, err := p.OptionalString(name)
	if err != nil {
		return nil, err
	}
	if text == nil {
		if required {
			return nil, rpc.InvalidParams("missing required parameter: %s", name)
		}
		return nil, nil
	}
	raw, err := hex.DecodeString(*text)
	if err != nil || len(raw) != 32 {
		return nil, rpc.InvalidParams("%s: should be a 32 byte hex value: invalid token '%s'", name, *text)
	}
	return raw, nil
}

func (d *Daemon) rpcWaitSendPay(ctx context.Context, p rpc.Params) (any, error) {
	hash, err := hashParam(p, "payment_hash", true)
	if err != nil {
		return nil, err
	}
	if timeout, err := p.OptionalUint64("timeout"); err != nil {
		return nil, err
	} else if timeout != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(min(*timeout, 1<<31))*time.Second)
		defer cancel()
	}
	var h [32]byte
	copy(h[:], hash)
	payment, err := d.channels.WaitPayment(ctx, h)
	if err != nil {
		return nil, paymentError(payment, err)
	}
	return paymentOf(payment), nil
}
