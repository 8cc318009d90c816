package daemon

import (
	"context"
	"encoding/hex"
	"slices"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/rpc"
)

// The outgoing payments the runtime knows. They are kept in memory by the
// channel runtime: a restart forgets them (the HTLCs themselves are
// persisted with the channel and resolve correctly).

func (d *Daemon) addListPaysMethods(t *rpc.Table) {
	params := []rpc.Param{{Name: "bolt11"}, {Name: "payment_hash"}, {Name: "status"}}
	t.Add(rpc.Method{Name: "listsendpays", Category: "payment", Params: params,
		Description: "Show outgoing payment attempts, optionally only those for {bolt11} or {payment_hash}, or with {status}.",
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			list, err := d.selectPayments(p)
			if err != nil {
				return nil, err
			}
			out := []paymentJSON{}
			for _, pay := range list {
				out = append(out, paymentOf(pay))
			}
			return map[string]any{"payments": out}, nil
		}})
	t.Add(rpc.Method{Name: "listpays", Category: "payment", Params: params,
		Description: "Show outgoing payments, one per payment hash, optionally only those for {bolt11} or {payment_hash}, or with {status}.",
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			list, err := d.selectPayments(p)
			if err != nil {
				return nil, err
			}
			out := []payJSON{}
			for _, pay := range list {
				out = append(out, payOf(pay))
			}
			return map[string]any{"pays": out}, nil
		}})
}

// payJSON is one entry of listpays, as Core Lightning's. Payments are
// single-part, so a pay is its one sendpay attempt.
type payJSON struct {
	PaymentHash    string              `json:"payment_hash"`
	Status         string              `json:"status"`
	Destination    string              `json:"destination"`
	CreatedAt      int64               `json:"created_at"`
	AmountMsat     lnwire.MilliSatoshi `json:"amount_msat"`
	AmountSentMsat lnwire.MilliSatoshi `json:"amount_sent_msat"`
	Preimage       string              `json:"preimage,omitempty"`
	NumberOfParts  int                 `json:"number_of_parts,omitempty"`
}

func payOf(p node.Payment) payJSON {
	j := paymentOf(p)
	out := payJSON{PaymentHash: j.PaymentHash, Status: j.Status, Destination: j.Destination, CreatedAt: j.CreatedAt,
		AmountMsat: j.AmountMsat, AmountSentMsat: j.AmountSentMsat, Preimage: j.PaymentPreimage}
	if p.Status == node.PaymentComplete {
		out.NumberOfParts = 1
	}
	return out
}

// selectPayments applies the filters shared by listsendpays and listpays.
func (d *Daemon) selectPayments(p rpc.Params) ([]node.Payment, error) {
	var hash *[32]byte
	if text, err := p.OptionalString("bolt11"); err != nil {
		return nil, err
	} else if text != nil {
		inv, err := bolt11.Decode(*text)
		if err != nil {
			return nil, rpc.InvalidParams("bolt11: Invalid bolt11: %v", err)
		}
		hash = &inv.PaymentHash
	}
	if text, err := p.OptionalString("payment_hash"); err != nil {
		return nil, err
	} else if text != nil {
		raw, err := hex.DecodeString(*text)
		if err != nil || len(raw) != 32 {
			return nil, rpc.InvalidParams("payment_hash: should be a 32 byte hex value: invalid token '%s'", *text)
		}
		if hash != nil && string(hash[:]) != string(raw) {
			return nil, rpc.InvalidParams("payment_hash: does not match the bolt11's")
		}
		var h [32]byte
		copy(h[:], raw)
		hash = &h
	}
	status, err := p.OptionalString("status")
	if err != nil {
		return nil, err
	}
	if status != nil {
		switch node.PaymentStatus(*status) {
		case node.PaymentPending, node.PaymentComplete, node.PaymentFailed:
		default:
			return nil, rpc.InvalidParams("status: should be pending, complete or failed: invalid token '%s'", *status)
		}
	}
	var out []node.Payment
	for _, pay := range d.channels.Payments() {
		if hash != nil && pay.Request.PaymentHash != *hash {
			continue
		}
		if status != nil && string(pay.Status) != *status {
			continue
		}
		out = append(out, pay)
	}
	slices.SortFunc(out, func(a, b node.Payment) int { return int(a.ID) - int(b.ID) })
	return out, nil
}
