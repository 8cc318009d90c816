package daemon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

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
		Description: "Send along {route} (its first hop a peer we have a channel with) for {payment_hash}.", Handler: d.rpcSendPay})
	t.Add(rpc.Method{Name: "waitsendpay", Category: "payment",
		Params:      []rpc.Param{{Name: "payment_hash", Required: true}, {Name: "timeout"}, {Name: "partid"}, {Name: "groupid"}},
		Description: "Wait for the payment of {payment_hash} to complete or fail, up to {timeout} seconds.", Handler: d.rpcWaitSendPay})
}

// paymentJSON is a payment attempt as sendpay, waitsendpay,
// listsendpays and pay report it (Core Lightning's fields).
type paymentJSON struct {
	ID              uint64              `json:"id,omitempty"`
	CreatedIndex    uint64              `json:"created_index,omitempty"`
	GroupID         uint64              `json:"groupid,omitempty"`
	PaymentHash     string              `json:"payment_hash"`
	Destination     string              `json:"destination"`
	Status          string              `json:"status"`
	CreatedAt       int64               `json:"created_at"`
	CompletedAt     int64               `json:"completed_at,omitempty"`
	AmountMsat      lnwire.MilliSatoshi `json:"amount_msat"`
	AmountSentMsat  lnwire.MilliSatoshi `json:"amount_sent_msat"`
	PaymentPreimage string              `json:"payment_preimage,omitempty"`
	Parts           int                 `json:"parts,omitempty"`
	Label           string              `json:"label,omitempty"`
	Bolt11          string              `json:"bolt11,omitempty"`
	Description     string              `json:"description,omitempty"`
	ErringIndex     *int                `json:"erring_index,omitempty"`
	FailCode        *uint16             `json:"failcode,omitempty"`
}

func paymentOf(p node.Payment) paymentJSON {
	out := paymentJSON{ID: p.ID, CreatedIndex: p.ID, GroupID: p.GroupID, PaymentHash: hex.EncodeToString(p.PaymentHash[:]),
		Destination: hex.EncodeToString(p.Destination.SerializeCompressed()), Status: string(p.Status),
		CreatedAt: p.CreatedAt.Unix(), AmountMsat: p.Amount, AmountSentMsat: p.AmountSent, Label: p.Label,
		Bolt11: p.Bolt11, Description: p.Description}
	if !p.CompletedAt.IsZero() {
		out.CompletedAt = p.CompletedAt.Unix()
	}
	switch {
	case p.Status == node.PaymentComplete:
		out.PaymentPreimage = hex.EncodeToString(p.Preimage[:])
	case p.Failure != nil:
		index, code := p.Failure.ErringIndex+1, uint16(p.Failure.Code)
		out.ErringIndex, out.FailCode = &index, &code
	}
	return out
}

// paymentError maps a payment's failure to Core Lightning's codes and
// error data. Core Lightning counts erring_index from our node (0), so
// the route's hop i is i+1.
func (d *Daemon) paymentError(p node.Payment, err error) error {
	var f *node.PaymentFailure
	switch {
	case errors.As(err, &f):
		code := codePayTryOtherRoute
		if f.Code.IsPermanent() && f.ErringIndex == len(p.Route)-1 {
			code = codePayDestinationPerm
		}
		data := map[string]any{"id": p.ID, "payment_hash": hex.EncodeToString(p.PaymentHash[:]),
			"status": "failed", "erring_index": f.ErringIndex + 1, "failcode": uint16(f.Code), "failcodename": f.Code.String(),
			"amount_msat": p.Amount, "amount_sent_msat": p.AmountSent,
			"destination": hex.EncodeToString(p.Destination.SerializeCompressed())}
		if who, via, ok := erring(p, f.ErringIndex); ok {
			data["erring_channel"] = via
			if who != nil {
				data["erring_node"] = hex.EncodeToString(who.SerializeCompressed())
			} else {
				data["erring_node"] = hex.EncodeToString(d.signer.NodeID().SerializeCompressed())
			}
		}
		return &rpc.Error{Code: code, Message: "failed: " + f.Code.String() + " (reply from remote)", Data: data}
	case errors.Is(err, node.ErrNoRoute):
		return &rpc.Error{Code: codePayRouteNotFound, Message: "No route: " + err.Error()}
	case errors.Is(err, node.ErrInvalidRoute):
		return rpc.InvalidParams("%v", err)
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

// erring names the node that failed (nil: ours) and the channel it could
// not use: the one leaving it, or for the destination the one reaching it.
func erring(p node.Payment, index int) (*btcec.PublicKey, string, bool) {
	if len(p.Route) == 0 || index < -1 || index >= len(p.Route) {
		return nil, "", false
	}
	channel := p.Route[len(p.Route)-1].ShortChannelID
	if index+1 < len(p.Route) {
		channel = p.Route[index+1].ShortChannelID
	}
	if index < 0 {
		return nil, channel.String(), true
	}
	return p.Route[index].NodeID, channel.String(), true
}

func (d *Daemon) rpcPay(ctx context.Context, p rpc.Params) (any, error) {
	text, err := p.String("bolt11")
	if err != nil {
		return nil, err
	}
	text = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(text)), "lightning:")
	inv, err := bolt11.Decode(text)
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
		PaymentSecret: &secret, FinalCLTVDelta: inv.FinalCLTVDelta(), Bolt11: text}
	if label, err := p.OptionalString("label"); err != nil {
		return nil, err
	} else if label != nil {
		req.Label = *label
	}
	if inv.Description != nil {
		req.Description = *inv.Description
	}
	payment, err := d.channels.SendPayment(ctx, req)
	switch {
	case errors.Is(err, node.ErrAlreadyPaid):
		// Core Lightning: once a payment has succeeded, calls to pay with
		// the same bolt11 will succeed immediately.
		err = nil
	case errors.Is(err, node.ErrPaymentInProgress), err == nil:
		payment, err = d.channels.WaitPayment(ctx, inv.PaymentHash)
	}
	if err != nil {
		return nil, d.paymentError(payment, err)
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

// parseRoute reads sendpay's route.
func parseRoute(raw json.RawMessage) ([]node.RouteHop, error) {
	var hops []routeHop
	if err := json.Unmarshal(raw, &hops); err != nil || len(hops) == 0 {
		return nil, rpc.InvalidParams("route: should be a non-empty array of hops")
	}
	route := make([]node.RouteHop, len(hops))
	for i, hop := range hops {
		id, err := parseNodeID(fmt.Sprintf("route[%d].id", i), hop.ID)
		if err != nil {
			return nil, err
		}
		scid, err := lnwire.ParseShortChannelID(hop.Channel)
		if err != nil {
			return nil, rpc.InvalidParams("route[%d].channel: %v", i, err)
		}
		var amountText string
		if err := json.Unmarshal(hop.AmountMsat, &amountText); err != nil {
			amountText = string(hop.AmountMsat)
		}
		amount, err := rpc.ParseMsat(amountText)
		if err != nil {
			return nil, rpc.InvalidParams("route[%d].amount_msat: %v", i, err)
		}
		route[i] = node.RouteHop{NodeID: id, ShortChannelID: scid, Amount: amount, Delay: hop.Delay}
	}
	return route, nil
}

func (d *Daemon) rpcSendPay(ctx context.Context, p rpc.Params) (any, error) {
	route, err := parseRoute(p.Raw("route"))
	if err != nil {
		return nil, err
	}
	hash, err := hashParam(p, "payment_hash", true)
	if err != nil {
		return nil, err
	}
	secret, err := hashParam(p, "payment_secret", false)
	if err != nil {
		return nil, err
	}
	req := node.PaymentRequest{Route: route}
	copy(req.PaymentHash[:], hash)
	if secret != nil {
		var s [32]byte
		copy(s[:], secret)
		req.PaymentSecret = &s
	}
	for name, field := range map[string]*string{"label": &req.Label, "bolt11": &req.Bolt11, "description": &req.Description} {
		if text, err := p.OptionalString(name); err != nil {
			return nil, err
		} else if text != nil {
			*field = *text
		}
	}
	payment, err := d.channels.SendPayment(ctx, req)
	if err != nil {
		return nil, d.paymentError(payment, err)
	}
	return paymentOf(payment), nil
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
		return nil, d.paymentError(payment, err)
	}
	return paymentOf(payment), nil
}
