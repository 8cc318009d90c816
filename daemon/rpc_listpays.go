package daemon

import (
	"context"
	"encoding/hex"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/rpc"
)

// The outgoing payments, as the channel runtime stores them: they
// survive restarts.

func (d *Daemon) addListPaysMethods(t *rpc.Table) {
	params := []rpc.Param{{Name: "bolt11"}, {Name: "payment_hash"}, {Name: "status"}}
	t.Add(rpc.Method{Name: "listsendpays", Category: "payment", Params: params,
		Description: "Show outgoing payment attempts, optionally only those for {bolt11} or {payment_hash}, or with {status}.",
		Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			list, err := d.selectPayments(ctx, p)
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
		Description: "Show outgoing payments, one per payment attempt group, optionally only those for {bolt11} or {payment_hash}, or with {status}.",
		Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			list, err := d.selectPayments(ctx, p)
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
// single-part, so a pay is one sendpay attempt (one groupid).
type payJSON struct {
	CreatedIndex   uint64              `json:"created_index"`
	PaymentHash    string              `json:"payment_hash"`
	GroupID        uint64              `json:"groupid"`
	Status         string              `json:"status"`
	Destination    string              `json:"destination"`
	CreatedAt      int64               `json:"created_at"`
	CompletedAt    int64               `json:"completed_at,omitempty"`
	AmountMsat     lnwire.MilliSatoshi `json:"amount_msat"`
	AmountSentMsat lnwire.MilliSatoshi `json:"amount_sent_msat"`
	Preimage       string              `json:"preimage,omitempty"`
	NumberOfParts  int                 `json:"number_of_parts,omitempty"`
	Label          string              `json:"label,omitempty"`
	Bolt11         string              `json:"bolt11,omitempty"`
	Description    string              `json:"description,omitempty"`
}

func payOf(p node.Payment) payJSON {
	j := paymentOf(p)
	out := payJSON{CreatedIndex: j.CreatedIndex, PaymentHash: j.PaymentHash, GroupID: j.GroupID, Status: j.Status,
		Destination: j.Destination, CreatedAt: j.CreatedAt, CompletedAt: j.CompletedAt, AmountMsat: j.AmountMsat,
		AmountSentMsat: j.AmountSentMsat, Preimage: j.PaymentPreimage, Label: j.Label, Bolt11: j.Bolt11,
		Description: j.Description}
	if p.Status == node.PaymentComplete {
		out.NumberOfParts = 1
	}
	return out
}

// selectPayments applies the filters shared by listsendpays and listpays.
func (d *Daemon) selectPayments(ctx context.Context, p rpc.Params) ([]node.Payment, error) {
	var filter node.PaymentFilter
	if text, err := p.OptionalString("bolt11"); err != nil {
		return nil, err
	} else if text != nil {
		inv, err := bolt11.Decode(*text)
		if err != nil {
			return nil, rpc.InvalidParams("bolt11: Invalid bolt11: %v", err)
		}
		filter.PaymentHash = &inv.PaymentHash
	}
	if text, err := p.OptionalString("payment_hash"); err != nil {
		return nil, err
	} else if text != nil {
		raw, err := hex.DecodeString(*text)
		if err != nil || len(raw) != 32 {
			return nil, rpc.InvalidParams("payment_hash: should be a 32 byte hex value: invalid token '%s'", *text)
		}
		if filter.PaymentHash != nil && string(filter.PaymentHash[:]) != string(raw) {
			return nil, rpc.InvalidParams("payment_hash: does not match the bolt11's")
		}
		var h [32]byte
		copy(h[:], raw)
		filter.PaymentHash = &h
	}
	status, err := p.OptionalString("status")
	if err != nil {
		return nil, err
	}
	if status != nil {
		switch node.PaymentStatus(*status) {
		case node.PaymentPending, node.PaymentComplete, node.PaymentFailed:
			filter.Status = node.PaymentStatus(*status)
		default:
			return nil, rpc.InvalidParams("status: should be pending, complete or failed: invalid token '%s'", *status)
		}
	}
	return d.channels.Payments(ctx, filter)
}
