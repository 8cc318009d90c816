package daemon

import (
	"context"
	"encoding/hex"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/rpc"
)

// addForwardMethods adds listforwards: the HTLCs the channel runtime
// relayed (or refused to), as Core Lightning shows them.
func (d *Daemon) addForwardMethods(t *rpc.Table) {
	t.Add(rpc.Method{Name: "listforwards", Category: "channels",
		Params: []rpc.Param{{Name: "status"}, {Name: "in_channel"}, {Name: "out_channel"}},
		Description: "List the HTLCs we relayed, optionally only those with {status} (offered, settled, failed, local_failed), " +
			"coming in on {in_channel} or going out on {out_channel}.",
		Handler: d.rpcListForwards})
}

// forwardJSON is one entry of listforwards.
type forwardJSON struct {
	CreatedIndex uint64              `json:"created_index"`
	PaymentHash  string              `json:"payment_hash"`
	InChannel    string              `json:"in_channel"`
	InHTLCID     uint64              `json:"in_htlc_id"`
	InMsat       lnwire.MilliSatoshi `json:"in_msat"`
	Status       string              `json:"status"`
	ReceivedTime float64             `json:"received_time"`
	OutChannel   string              `json:"out_channel"`
	OutHTLCID    *uint64             `json:"out_htlc_id,omitempty"`
	OutMsat      lnwire.MilliSatoshi `json:"out_msat"`
	FeeMsat      lnwire.MilliSatoshi `json:"fee_msat"`
	ResolvedTime float64             `json:"resolved_time,omitempty"`
	FailCode     uint16              `json:"failcode,omitempty"`
	FailReason   string              `json:"failreason,omitempty"`
	Style        string              `json:"style"`
}

func forwardOf(f node.Forward) forwardJSON {
	out := forwardJSON{CreatedIndex: f.ID, PaymentHash: hex.EncodeToString(f.PaymentHash[:]), InChannel: f.InChannel.String(),
		InHTLCID: f.InHTLCID, InMsat: f.InAmount, Status: string(f.Status),
		ReceivedTime: float64(f.ReceivedAt.UnixNano()) / 1e9, OutChannel: f.OutChannel.String(), OutHTLCID: f.OutHTLCID,
		OutMsat: f.OutAmount, FeeMsat: f.Fee(), Style: "tlv"}
	if !f.ResolvedAt.IsZero() {
		out.ResolvedTime = float64(f.ResolvedAt.UnixNano()) / 1e9
	}
	if f.FailCode != 0 {
		out.FailCode, out.FailReason = uint16(f.FailCode), f.FailCode.String()
	}
	return out
}

func (d *Daemon) rpcListForwards(ctx context.Context, p rpc.Params) (any, error) {
	var filter node.ForwardFilter
	if status, err := p.OptionalString("status"); err != nil {
		return nil, err
	} else if status != nil {
		switch s := node.ForwardStatus(*status); s {
		case node.ForwardOffered, node.ForwardSettled, node.ForwardFailed, node.ForwardLocalFailed:
			filter.Status = s
		default:
			return nil, rpc.InvalidParams("status: should be offered, settled, failed or local_failed: invalid token '%s'", *status)
		}
	}
	for name, field := range map[string]**lnwire.ShortChannelID{"in_channel": &filter.InChannel, "out_channel": &filter.OutChannel} {
		text, err := p.OptionalString(name)
		if err != nil {
			return nil, err
		}
		if text == nil {
			continue
		}
		scid, err := lnwire.ParseShortChannelID(*text)
		if err != nil {
			return nil, rpc.InvalidParams("%s: should be a short_channel_id: invalid token '%s'", name, *text)
		}
		*field = &scid
	}
	list, err := d.channels.Forwards(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := []forwardJSON{}
	for _, f := range list {
		out = append(out, forwardOf(f))
	}
	return map[string]any{"forwards": out}, nil
}
