// listpeerchannels: every channel of the runtime in Core Lightning's shape.

package daemon

import (
	"context"
	"encoding/hex"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/rpc"
)

// peerChannelJSON is one listpeerchannels entry, Core Lightning's shape.
type peerChannelJSON struct {
	PeerID                string              `json:"peer_id"`
	PeerConnected         bool                `json:"peer_connected"`
	State                 string              `json:"state"`
	ChannelType           channelTypeJSON     `json:"channel_type"`
	Feerate               feerateJSON         `json:"feerate"`
	ShortChannelID        string              `json:"short_channel_id,omitempty"`
	ChannelID             string              `json:"channel_id"`
	FundingTxID           string              `json:"funding_txid"`
	FundingOutnum         uint16              `json:"funding_outnum"`
	CloseTo               string              `json:"close_to,omitempty"`
	Private               bool                `json:"private"`
	Opener                string              `json:"opener"`
	Funding               fundingJSON         `json:"funding"`
	ToUsMsat              lnwire.MilliSatoshi `json:"to_us_msat"`
	TotalMsat             lnwire.MilliSatoshi `json:"total_msat"`
	FeeBaseMsat           lnwire.MilliSatoshi `json:"fee_base_msat"`
	FeeProportional       uint32              `json:"fee_proportional_millionths"`
	DustLimitMsat         lnwire.MilliSatoshi `json:"dust_limit_msat"`
	MaxTotalHTLCInMsat    lnwire.MilliSatoshi `json:"max_total_htlc_in_msat"`
	TheirReserveMsat      lnwire.MilliSatoshi `json:"their_reserve_msat"`
	OurReserveMsat        lnwire.MilliSatoshi `json:"our_reserve_msat"`
	SpendableMsat         lnwire.MilliSatoshi `json:"spendable_msat"`
	ReceivableMsat        lnwire.MilliSatoshi `json:"receivable_msat"`
	MinimumHTLCInMsat     lnwire.MilliSatoshi `json:"minimum_htlc_in_msat"`
	MinimumHTLCOutMsat    lnwire.MilliSatoshi `json:"minimum_htlc_out_msat"`
	MaximumHTLCOutMsat    lnwire.MilliSatoshi `json:"maximum_htlc_out_msat"`
	TheirToSelfDelay      uint16              `json:"their_to_self_delay"`
	OurToSelfDelay        uint16              `json:"our_to_self_delay"`
	MaxAcceptedHTLCs      uint16              `json:"max_accepted_htlcs"`
	TheirMaxAcceptedHTLCs uint16              `json:"their_max_accepted_htlcs"`
	Status                []string            `json:"status"`
	HTLCs                 []htlcJSON          `json:"htlcs"`
	Updates               channelUpdatesJSON  `json:"updates"`
}

// channelUpdatesJSON is Core Lightning's updates: the forwarding terms of
// each side's channel_update. Only ours: we do not take the peer's
// channel_update yet (gossip).
type channelUpdatesJSON struct {
	Local channelUpdateJSON `json:"local"`
}

type channelUpdateJSON struct {
	HTLCMinimumMsat lnwire.MilliSatoshi `json:"htlc_minimum_msat"`
	HTLCMaximumMsat lnwire.MilliSatoshi `json:"htlc_maximum_msat"`
	CLTVExpiryDelta uint16              `json:"cltv_expiry_delta"`
	FeeBaseMsat     lnwire.MilliSatoshi `json:"fee_base_msat"`
	FeeProportional uint32              `json:"fee_proportional_millionths"`
}

type feerateJSON struct {
	PerKW uint32 `json:"perkw"`
	PerKB uint32 `json:"perkb"`
}

// fundingJSON says who funded the channel (push_msat is not kept).
type fundingJSON struct {
	LocalFundsMsat  lnwire.MilliSatoshi `json:"local_funds_msat"`
	RemoteFundsMsat lnwire.MilliSatoshi `json:"remote_funds_msat"`
}

type htlcJSON struct {
	Direction   string              `json:"direction"`
	ID          uint64              `json:"id"`
	AmountMsat  lnwire.MilliSatoshi `json:"amount_msat"`
	Expiry      uint32              `json:"expiry"`
	PaymentHash string              `json:"payment_hash"`
	State       string              `json:"state"`
}

func (d *Daemon) rpcListPeerChannels(_ context.Context, p rpc.Params) (any, error) {
	var only *btcec.PublicKey
	if text, err := p.OptionalString("id"); err != nil {
		return nil, err
	} else if text != nil {
		if only, err = parseNodeID("id", *text); err != nil {
			return nil, err
		}
	}
	out := []peerChannelJSON{}
	for _, v := range d.channels.List(only) {
		out = append(out, d.peerChannel(&v))
	}
	return map[string]any{"channels": out}, nil
}

func (d *Daemon) peerChannel(v *node.View) peerChannelJSON {
	s := &v.State
	info, _ := d.peers.Peer(v.PeerID)
	capacity := s.Capacity.ToMilliSatoshis()
	c := peerChannelJSON{
		PeerID: hex.EncodeToString(v.PeerID.SerializeCompressed()), PeerConnected: info.Connected,
		State: clnState(v), ChannelType: channelTypeOf(s.Type),
		Feerate:     feerateJSON{PerKW: uint32(s.LocalCommit.Spec.Feerate), PerKB: 4 * uint32(s.LocalCommit.Spec.Feerate)},
		ChannelID:   s.ChannelID.String(),
		FundingTxID: chainhash.Hash(s.FundingTxID).String(), FundingOutnum: s.FundingOutputIndex,
		Opener:   "local",
		ToUsMsat: s.LocalCommit.Spec.Balance[channel.Local], TotalMsat: capacity,
		FeeBaseMsat: d.channels.Routing().FeeBase, FeeProportional: d.channels.Routing().FeeProportional,
		DustLimitMsat:      s.Local.DustLimit.ToMilliSatoshis(),
		MaxTotalHTLCInMsat: s.Local.MaxHTLCValueInFlight,
		// Each side's reserve is what the other announced.
		TheirReserveMsat: s.Local.ChannelReserve.ToMilliSatoshis(), OurReserveMsat: s.Remote.ChannelReserve.ToMilliSatoshis(),
		SpendableMsat: v.Spendable(), ReceivableMsat: v.Receivable(),
		MinimumHTLCInMsat: s.Local.HTLCMinimum, MinimumHTLCOutMsat: s.Remote.HTLCMinimum,
		MaximumHTLCOutMsat: min(s.Remote.MaxHTLCValueInFlight, capacity),
		// to_self_delay: ours is what we asked of the peer's outputs.
		TheirToSelfDelay: s.Remote.ToSelfDelay, OurToSelfDelay: s.Local.ToSelfDelay,
		MaxAcceptedHTLCs: s.Local.MaxAcceptedHTLCs, TheirMaxAcceptedHTLCs: s.Remote.MaxAcceptedHTLCs,
		Status: []string{}, HTLCs: []htlcJSON{},
	}
	routing := d.channels.Routing()
	c.Updates.Local = channelUpdateJSON{HTLCMinimumMsat: c.MinimumHTLCOutMsat, HTLCMaximumMsat: c.MaximumHTLCOutMsat,
		CLTVExpiryDelta: routing.CLTVExpiryDelta, FeeBaseMsat: routing.FeeBase, FeeProportional: routing.FeeProportional}
	if s.Opener == channel.Remote {
		c.Opener = "remote"
	}
	if s.Opener == channel.Local {
		c.Funding.LocalFundsMsat = capacity
	} else {
		c.Funding.RemoteFundsMsat = capacity
	}
	if s.ShortChannelID.BlockHeight != 0 {
		c.ShortChannelID = s.ShortChannelID.String()
	}
	if script := s.Shutdown.LocalScript; len(script) > 0 {
		c.CloseTo = hex.EncodeToString(script)
	} else if up := s.Local.UpfrontShutdownScript; len(up) > 0 {
		c.CloseTo = hex.EncodeToString(up)
	}
	if v.Connected {
		c.Status = append(c.Status, "channel re-established")
	}
	if v.LastError != "" {
		c.Status = append(c.Status, "last error: "+v.LastError)
	}
	if v.Halted != nil {
		c.Status = append(c.Status, "halted: "+v.Halted.Error())
	}
	for _, h := range s.LocalCommit.Spec.HTLCs {
		e := htlcJSON{ID: h.ID, AmountMsat: h.Amount, Expiry: uint32(h.CLTVExpiry),
			PaymentHash: hex.EncodeToString(h.PaymentHash[:])}
		if h.Offerer == channel.Local {
			e.Direction, e.State = "out", "SENT_ADD_ACK_REVOCATION"
		} else {
			e.Direction, e.State = "in", "RCVD_ADD_ACK_REVOCATION"
		}
		c.HTLCs = append(c.HTLCs, e)
	}
	return c
}
