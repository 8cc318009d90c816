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
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/funding"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/node"
	"github.com/fulmen-ln/fulmen/peer"
	"github.com/fulmen-ln/fulmen/rpc"
	"github.com/fulmen-ln/fulmen/wallet"
)

// Core Lightning's fundchannel error codes (common/jsonrpc_errors.h).
const (
	codeFundingBroadcastFail    = 303
	codeFundingPeerNotConnected = 305
	codeFundingUnknownPeer      = 306
)

// newChannels builds the channel runtime; startChannels loads the
// channels once the peer manager exists.
func (d *Daemon) newChannels() error {
	backend, ok := d.chain.(bitcoindBackend)
	if !ok {
		return fmt.Errorf("%w: channels need a bitcoind-compatible backend", errBackend)
	}
	chainHash := lnwire.ChainHash(*d.chainParams().GenesisHash)
	var err error
	d.channels, err = node.New(node.Config{
		Store: d.store, Keys: d.signer, Chain: backend.Client, Wallet: d.wallet,
		NodeID: d.signer.NodeID(), ChainHash: chainHash,
		Funding: funding.DefaultConfig(chainHash, peerFeatures()),
		// followTip wakes the runtime at each new tip; its own poll only
		// backs that up.
		ChainPoll: channelsSafetyPolls * d.cfg.TipPollInterval, Wake: d.channelsWake,
		NodeKey: d.signer.NodeECDH(), Invoices: invoiceTerms{d.invoices},
		Fees: commitFees{d.wallet},
		Routing: &node.RoutingPolicy{FeeBase: d.cfg.FeeBase, FeeProportional: d.cfg.FeePerSatoshi,
			CLTVExpiryDelta: d.cfg.CLTVDelta},
		Logger: d.log.With("subsystem", "channels"),
	})
	return err
}

// channelsSafetyPolls: the channel runtime polls the chain itself only
// every this many tip polls (each poll is a round trip, and with btcd a TLS
// handshake).
const channelsSafetyPolls = 30

// peerFeatures are our init features: the peer package's defaults plus
// option_anchors, which the channel runtime supports.
func peerFeatures() lnwire.FeatureVector {
	f := peer.DefaultFeatures()
	f.Set(lnwire.AnchorsOptional)
	return f
}

// startChannels loads the stored channels and starts following the chain.
func (d *Daemon) startChannels(ctx context.Context) error {
	return d.channels.Start(ctx, node.ManagerPeers{Manager: d.peers})
}

func (d *Daemon) addChannelMethods(t *rpc.Table) {
	t.Add(rpc.Method{Name: "fundchannel", Category: "channels",
		Params: []rpc.Param{{Name: "id", Required: true}, {Name: "amount", Required: true}, {Name: "feerate"},
			{Name: "announce"}, {Name: "minconf"}, {Name: "push_msat"}, {Name: "close_to"}, {Name: "request_amt"},
			{Name: "compact_lease"}, {Name: "utxos"}, {Name: "mindepth"}, {Name: "reserve"}, {Name: "channel_type"}},
		Description: "Fund a channel of {amount} satoshi with the connected peer {id}, from the on-chain wallet.",
		Handler:     d.rpcFundChannel})
	t.Add(rpc.Method{Name: "listpeerchannels", Category: "channels", Params: []rpc.Param{{Name: "id"}},
		Description: "Show the channels with every peer, or only with {id}.", Handler: d.rpcListPeerChannels})
	t.Add(rpc.Method{Name: "close", Category: "channels",
		Params: []rpc.Param{{Name: "id", Required: true}, {Name: "unilateraltimeout"}, {Name: "destination"},
			{Name: "fee_negotiation_step"}, {Name: "wrong_funding"}, {Name: "force_lease_closed"}, {Name: "feerange"}},
		Description: "Close the channel {id} (peer id, channel id or short channel id) by mutual agreement.",
		Handler:     d.rpcClose})
	d.addPaymentMethods(t)
}

// addFundsMethods registers the wallet's methods with listfunds extended
// by the channels, Core Lightning's listfunds "channels".
func (d *Daemon) addFundsMethods(t *rpc.Table) {
	methods := rpc.NewTable()
	d.addWalletMethods(methods)
	for _, name := range methods.Names() {
		m, _ := methods.Lookup(name)
		if name == "help" {
			continue
		}
		if name == "listfunds" {
			m.Handler = d.withChannelFunds(m.Handler)
		}
		t.Add(m)
	}
}

// fundsChannel is one listfunds channel, Core Lightning's shape.
type fundsChannel struct {
	PeerID         string              `json:"peer_id"`
	Connected      bool                `json:"connected"`
	State          string              `json:"state"`
	ShortChannelID string              `json:"short_channel_id,omitempty"`
	ChannelID      string              `json:"channel_id"`
	FundingTxID    string              `json:"funding_txid"`
	FundingOutput  uint16              `json:"funding_output"`
	OurAmountMsat  lnwire.MilliSatoshi `json:"our_amount_msat"`
	AmountMsat     lnwire.MilliSatoshi `json:"amount_msat"`
}

func (d *Daemon) withChannelFunds(h rpc.Handler) rpc.Handler {
	return func(ctx context.Context, p rpc.Params) (any, error) {
		res, err := h(ctx, p)
		if err != nil {
			return nil, err
		}
		reply, ok := res.(map[string]any)
		if !ok {
			return res, nil
		}
		list := []fundsChannel{}
		for _, v := range d.channels.List(nil) {
			if v.SpentHeight != 0 {
				continue // its funds are back on chain
			}
			s := &v.State
			c := fundsChannel{PeerID: hex.EncodeToString(v.PeerID.SerializeCompressed()), Connected: v.Connected,
				State: clnState(&v), ChannelID: s.ChannelID.String(), FundingTxID: chainhash.Hash(s.FundingTxID).String(),
				FundingOutput: s.FundingOutputIndex, OurAmountMsat: s.LocalCommit.Spec.Balance[channel.Local],
				AmountMsat: s.Capacity.ToMilliSatoshis()}
			if s.ShortChannelID.BlockHeight != 0 {
				c.ShortChannelID = s.ShortChannelID.String()
			}
			list = append(list, c)
		}
		reply["channels"] = list
		return reply, nil
	}
}

// clnState names the channel's state as Core Lightning does.
func clnState(v *node.View) string {
	switch v.State.Phase {
	case channel.AwaitingReady:
		return "CHANNELD_AWAITING_LOCKIN"
	case channel.Normal:
		return "CHANNELD_NORMAL"
	case channel.ShuttingDown:
		return "CHANNELD_SHUTTING_DOWN"
	case channel.Negotiating:
		return "CLOSINGD_SIGEXCHANGE"
	case channel.Closed:
		if v.SpentHeight != 0 {
			return "ONCHAIN"
		}
		return "CLOSINGD_COMPLETE"
	case channel.Failed:
		if v.SpentHeight != 0 {
			return "ONCHAIN"
		}
		return "AWAITING_UNILATERAL"
	}
	return "UNKNOWN"
}

// channelTypeJSON is Core Lightning's channel_type: the feature bits and
// their names.
type channelTypeJSON struct {
	Bits  []int    `json:"bits"`
	Names []string `json:"names"`
}

func channelTypeOf(t channeltx.ChannelType) channelTypeJSON {
	if t == channeltx.AnchorsZeroFeeHTLC {
		return channelTypeJSON{Bits: []int{12, 22}, Names: []string{"static_remotekey/even", "anchors/even"}}
	}
	return channelTypeJSON{Bits: []int{12}, Names: []string{"static_remotekey/even"}}
}

// parseChannelType reads fundchannel's channel_type: an array of feature
// bit numbers.
func parseChannelType(raw json.RawMessage) (channeltx.ChannelType, error) {
	if raw == nil {
		return 0, nil
	}
	var bits []int
	if err := json.Unmarshal(raw, &bits); err != nil {
		return 0, rpc.InvalidParams("channel_type: should be an array of feature bits: invalid token '%s'", raw)
	}
	var f lnwire.FeatureVector
	for _, b := range bits {
		if b < 0 || b > 1000 {
			return 0, rpc.InvalidParams("channel_type: bad feature bit %d", b)
		}
		f.Set(lnwire.FeatureBit(b))
	}
	t, ok := funding.ParseChannelType(f.Encode())
	if !ok {
		return 0, rpc.InvalidParams("channel_type: %v is not a supported channel type (use [12] or [12, 22])", bits)
	}
	return t, nil
}

// fundChannelReply is fundchannel's reply.
type fundChannelReply struct {
	Tx          string          `json:"tx"`
	TxID        string          `json:"txid"`
	OutNum      uint32          `json:"outnum"`
	ChannelType channelTypeJSON `json:"channel_type"`
	ChannelID   string          `json:"channel_id"`
	CloseTo     string          `json:"close_to,omitempty"`
}

func (d *Daemon) rpcFundChannel(ctx context.Context, p rpc.Params) (any, error) {
	id, err := nodeIDParam(p, "id")
	if err != nil {
		return nil, err
	}
	req := node.OpenRequest{Peer: id, Announce: true, MinConf: 1}
	amountText, err := p.String("amount")
	if err != nil {
		return nil, err
	}
	if amountText == "all" {
		return nil, rpc.InvalidParams("amount: 'all' is not supported yet: give an amount")
	}
	if req.Amount, err = parseSatoshi(amountText); err != nil {
		return nil, err
	}
	if req.FundingFeerate, err = d.feerateParam(ctx, p, "feerate"); err != nil {
		return nil, err
	}
	if announce, err := p.OptionalBool("announce"); err != nil {
		return nil, err
	} else if announce != nil {
		req.Announce = *announce
	}
	if minconf, err := p.OptionalUint64("minconf"); err != nil {
		return nil, err
	} else if minconf != nil {
		req.MinConf = uint32(min(*minconf, 0xFFFF))
	}
	if push, err := p.OptionalMsat("push_msat"); err != nil {
		return nil, err
	} else if push != nil {
		req.PushMsat = *push
	}
	if closeTo, err := p.OptionalString("close_to"); err != nil {
		return nil, err
	} else if closeTo != nil {
		if req.CloseTo, err = d.addressScript("close_to", *closeTo); err != nil {
			return nil, err
		}
	}
	for _, unsupported := range []string{"request_amt", "compact_lease", "mindepth", "reserve"} {
		if p.Has(unsupported) {
			return nil, rpc.InvalidParams("%s: not supported", unsupported)
		}
	}
	if req.UTXOs, err = parseOutPoints(p.Raw("utxos")); err != nil {
		return nil, err
	}
	if req.Type, err = parseChannelType(p.Raw("channel_type")); err != nil {
		return nil, err
	}
	if _, known := d.peers.Peer(id); !known {
		return nil, &rpc.Error{Code: codeFundingUnknownPeer, Message: "Unknown peer"}
	}
	res, err := d.channels.Open(ctx, req)
	if err != nil {
		return nil, fundChannelError(err)
	}
	reply := fundChannelReply{Tx: hex.EncodeToString(serializeTx(res.Tx)), TxID: res.Tx.TxHash().String(),
		OutNum: res.OutputIndex, ChannelType: channelTypeOf(res.Type), ChannelID: res.ChannelID.String()}
	if len(req.CloseTo) > 0 {
		reply.CloseTo = hex.EncodeToString(req.CloseTo)
	}
	return reply, nil
}

// fundChannelError maps the runtime's and the negotiation's errors to
// Core Lightning's codes, with a message that says what to fix.
func fundChannelError(err error) error {
	switch {
	case errors.Is(err, node.ErrPeerNotConnected):
		return &rpc.Error{Code: codeFundingPeerNotConnected, Message: "Peer not connected"}
	case errors.Is(err, wallet.ErrInsufficientFunds), errors.Is(err, wallet.ErrDustOutput),
		errors.Is(err, wallet.ErrBadFeerate), errors.Is(err, wallet.ErrUnknownOutput),
		errors.Is(err, wallet.ErrReserved), errors.Is(err, wallet.ErrNoFeerate):
		return walletRPCError(err)
	case errors.Is(err, wallet.ErrBroadcast):
		return &rpc.Error{Code: codeFundingBroadcastFail, Message: err.Error()}
	case errors.Is(err, funding.ErrFundingTooSmall), errors.Is(err, funding.ErrFundingTooLarge),
		errors.Is(err, funding.ErrPushTooLarge), errors.Is(err, funding.ErrCannotAffordFee),
		errors.Is(err, funding.ErrOutputsBelowReserve), errors.Is(err, funding.ErrUnsupportedChannelType),
		errors.Is(err, funding.ErrBadUpfrontShutdown), errors.Is(err, funding.ErrFeerateOutOfRange):
		if funding.ActionOf(err) == funding.Reject {
			return rpc.InvalidParams("%v", err)
		}
	}
	return rpc.Errorf(rpc.CodeLightningd, "%v", err)
}

// addressScript decodes an address of our network into its script.
func (d *Daemon) addressScript(name, text string) ([]byte, error) {
	addr, err := btcutil.DecodeAddress(text, d.chainParams())
	if err != nil || !addr.IsForNet(d.chainParams()) {
		return nil, rpc.InvalidParams("%s: could not parse address %q for %s", name, text, d.cfg.Network)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, rpc.InvalidParams("%s: unsupported address %q", name, text)
	}
	return script, nil
}

// channelRef reads close's id: a peer id, a channel id or a short channel
// id.
func channelRef(text string) (node.ChannelRef, error) {
	raw, err := hex.DecodeString(text)
	switch {
	case err == nil && len(raw) == 33:
		key, err := btcec.ParsePubKey(raw)
		if err == nil {
			return node.ChannelRef{Peer: key}, nil
		}
	case err == nil && len(raw) == 32:
		var id lnwire.ChannelID
		copy(id[:], raw)
		return node.ChannelRef{ChannelID: &id}, nil
	case strings.Count(text, "x") == 2:
		if scid, err := lnwire.ParseShortChannelID(text); err == nil {
			return node.ChannelRef{ShortChannelID: &scid}, nil
		}
	}
	return node.ChannelRef{}, rpc.InvalidParams("id: should be a peer id, channel id or short channel id: invalid token '%s'", text)
}

// closeReply is close's reply.
type closeReply struct {
	Tx   string `json:"tx"`
	TxID string `json:"txid"`
	Type string `json:"type"`
}

func (d *Daemon) rpcClose(ctx context.Context, p rpc.Params) (any, error) {
	idText, err := p.String("id")
	if err != nil {
		return nil, err
	}
	ref, err := channelRef(idText)
	if err != nil {
		return nil, err
	}
	// Core Lightning: unilateraltimeout defaults to 2 days; 0 waits for
	// the mutual close indefinitely.
	req := node.CloseRequest{Channel: ref, Timeout: node.DefaultUnilateralTimeout}
	if v, err := p.OptionalUint64("unilateraltimeout"); err != nil {
		return nil, err
	} else if v != nil {
		req.Timeout = time.Duration(min(*v, 1<<31)) * time.Second
	}
	if dest, err := p.OptionalString("destination"); err != nil {
		return nil, err
	} else if dest != nil {
		if req.Destination, err = d.addressScript("destination", *dest); err != nil {
			return nil, err
		}
	}
	for _, unsupported := range []string{"fee_negotiation_step", "wrong_funding", "feerange"} {
		if p.Has(unsupported) {
			return nil, rpc.InvalidParams("%s: not supported", unsupported)
		}
	}
	res, err := d.channels.CloseChannel(ctx, req)
	switch {
	case errors.Is(err, node.ErrUnknownChannel):
		return nil, rpc.InvalidParams("Short channel ID not found: '%s'", idText)
	case errors.Is(err, node.ErrAmbiguousChannel):
		return nil, rpc.InvalidParams("Peer has multiple channels: name one by channel id: %v", err)
	case err != nil:
		return nil, rpc.Errorf(rpc.CodeLightningd, "%v", err)
	}
	reply := closeReply{Tx: hex.EncodeToString(serializeTx(res.Tx)), TxID: res.Tx.TxHash().String(), Type: "mutual"}
	if res.Unilateral {
		reply.Type = "unilateral"
	}
	return reply, nil
}
