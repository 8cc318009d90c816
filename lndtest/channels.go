package lndtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// ChannelPoint is a channel's funding outpoint.
type ChannelPoint struct {
	TxID  chainhash.Hash
	Index uint32
}

// String is lnd's form of a channel point, "txid:index".
func (p ChannelPoint) String() string { return fmt.Sprintf("%s:%d", p.TxID, p.Index) }

// ParseChannelPoint reads lnd's "txid:index".
func ParseChannelPoint(text string) (ChannelPoint, error) {
	txid, index, ok := strings.Cut(text, ":")
	hash, err := chainhash.NewHashFromStr(txid)
	if !ok || err != nil || len(txid) != 2*chainhash.HashSize {
		return ChannelPoint{}, fmt.Errorf("%w: channel point %q", ErrBadResponse, text)
	}
	n, err := strconv.ParseUint(index, 10, 32)
	if err != nil {
		return ChannelPoint{}, fmt.Errorf("%w: channel point %q: %v", ErrBadResponse, text, err)
	}
	return ChannelPoint{TxID: *hash, Index: uint32(n)}, nil
}

// CommitmentType is lnd's CommitmentType enum, by name.
type CommitmentType string

// The commitment types Fulmen shares with lnd.
const (
	CommitmentDefault         CommitmentType = "" // lnd's choice: anchors when both sides support them
	CommitmentStaticRemoteKey CommitmentType = "STATIC_REMOTE_KEY"
	CommitmentAnchors         CommitmentType = "ANCHORS"
)

// OpenChannelRequest is what OpenChannel asks lnd for.
type OpenChannelRequest struct {
	NodePubkey     string // hex node id of a connected peer
	LocalFunding   lnwire.Satoshi
	Push           lnwire.Satoshi
	SatPerVByte    uint64 // funding transaction feerate; zero lets lnd estimate
	Private        bool
	CommitmentType CommitmentType
}

// OpenChannel calls POST /v1/channels (OpenChannelSync): lnd negotiates
// the channel, broadcasts the funding transaction and returns its outpoint.
func (n *Node) OpenChannel(ctx context.Context, req OpenChannelRequest) (ChannelPoint, error) {
	id, err := hex.DecodeString(req.NodePubkey)
	if err != nil || len(id) != 33 {
		return ChannelPoint{}, fmt.Errorf("%w: node pubkey %q", ErrInvalidOptions, req.NodePubkey)
	}
	body := map[string]any{
		"node_pubkey":          id, // []byte marshals as base64
		"local_funding_amount": strconv.FormatInt(int64(req.LocalFunding), 10),
		"push_sat":             strconv.FormatInt(int64(req.Push), 10),
		"private":              req.Private,
	}
	if req.SatPerVByte > 0 {
		body["sat_per_vbyte"] = strconv.FormatUint(req.SatPerVByte, 10)
	}
	if req.CommitmentType != CommitmentDefault {
		body["commitment_type"] = string(req.CommitmentType)
	}
	var reply struct {
		FundingTxID []byte `json:"funding_txid_bytes"`
		OutputIndex uint32 `json:"output_index"`
	}
	if err := n.Call(ctx, "POST", "/v1/channels", body, &reply); err != nil {
		return ChannelPoint{}, err
	}
	// lnd sends the txid in the hash's internal byte order.
	hash, err := chainhash.NewHash(reply.FundingTxID)
	if err != nil {
		return ChannelPoint{}, fmt.Errorf("%w: funding txid of %d bytes", ErrBadResponse, len(reply.FundingTxID))
	}
	return ChannelPoint{TxID: *hash, Index: reply.OutputIndex}, nil
}

// HTLC is one pending HTLC of an lnd channel.
type HTLC struct {
	Incoming  bool           `json:"incoming"`
	Amount    lnwire.Satoshi `json:"amount,string"`
	HashLock  []byte         `json:"hash_lock"`
	Expiry    uint32         `json:"expiration_height"`
	HTLCIndex uint64         `json:"htlc_index,string"`
}

// Channel is one entry of lnd's ListChannels reply, the fields the tests
// use. Balances are lnd's own view of its latest commitment: the opener's
// balance is after the commitment fee (and anchors).
type Channel struct {
	Active           bool                `json:"active"`
	RemotePubkey     string              `json:"remote_pubkey"`
	ChannelPoint     string              `json:"channel_point"`
	ChanID           uint64              `json:"chan_id,string"`
	Capacity         lnwire.Satoshi      `json:"capacity,string"`
	LocalBalance     lnwire.Satoshi      `json:"local_balance,string"`
	RemoteBalance    lnwire.Satoshi      `json:"remote_balance,string"`
	CommitFee        lnwire.Satoshi      `json:"commit_fee,string"`
	FeePerKw         lnwire.FeeratePerKW `json:"fee_per_kw,string"`
	UnsettledBalance lnwire.Satoshi      `json:"unsettled_balance,string"`
	PendingHTLCs     []HTLC              `json:"pending_htlcs"`
	Initiator        bool                `json:"initiator"`
	Private          bool                `json:"private"`
	CommitmentType   CommitmentType      `json:"commitment_type"`
	NumUpdates       uint64              `json:"num_updates,string"`
}

// Point parses the channel's channel point.
func (c Channel) Point() (ChannelPoint, error) { return ParseChannelPoint(c.ChannelPoint) }

// ListChannels calls GET /v1/channels: the open channels, active or not.
func (n *Node) ListChannels(ctx context.Context) ([]Channel, error) {
	var reply struct {
		Channels []Channel `json:"channels"`
	}
	err := n.Call(ctx, "GET", "/v1/channels", nil, &reply)
	return reply.Channels, err
}

// ChannelBalance is lnd's ChannelBalance reply, summed over its open
// channels, in millisatoshis.
type ChannelBalance struct {
	Local, Remote                   lnwire.MilliSatoshi
	UnsettledLocal, UnsettledRemote lnwire.MilliSatoshi
}

// amountJSON is lnd's Amount message.
type amountJSON struct {
	Msat lnwire.MilliSatoshi `json:"msat,string"`
}

// ChannelBalance calls GET /v1/balance/channels.
func (n *Node) ChannelBalance(ctx context.Context) (ChannelBalance, error) {
	var reply struct {
		Local           amountJSON `json:"local_balance"`
		Remote          amountJSON `json:"remote_balance"`
		UnsettledLocal  amountJSON `json:"unsettled_local_balance"`
		UnsettledRemote amountJSON `json:"unsettled_remote_balance"`
	}
	if err := n.Call(ctx, "GET", "/v1/balance/channels", nil, &reply); err != nil {
		return ChannelBalance{}, err
	}
	return ChannelBalance{Local: reply.Local.Msat, Remote: reply.Remote.Msat,
		UnsettledLocal: reply.UnsettledLocal.Msat, UnsettledRemote: reply.UnsettledRemote.Msat}, nil
}

// CloseRequest says how CloseChannel closes.
type CloseRequest struct {
	// SatPerVByte is the closing transaction's feerate lnd starts the
	// negotiation at; zero lets lnd estimate.
	SatPerVByte uint64
	// Force broadcasts lnd's commitment instead of negotiating.
	Force bool
}

// CloseChannel calls DELETE /v1/channels/{txid}/{index} (CloseChannel) and
// follows its stream until lnd reports the closing transaction broadcast
// (close_pending): for a mutual close, after the fee negotiation with the
// peer. It returns the closing transaction's id.
func (n *Node) CloseChannel(ctx context.Context, point ChannelPoint, req CloseRequest) (chainhash.Hash, error) {
	query := url.Values{}
	if req.SatPerVByte > 0 {
		query.Set("sat_per_vbyte", strconv.FormatUint(req.SatPerVByte, 10))
	}
	if req.Force {
		query.Set("force", "true")
	}
	path := fmt.Sprintf("/v1/channels/%s/%d", point.TxID, point.Index)
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	var txid *chainhash.Hash
	err := n.Stream(ctx, "DELETE", path, nil, func(result json.RawMessage) error {
		var update struct {
			ClosePending *struct {
				TxID []byte `json:"txid"`
			} `json:"close_pending"`
		}
		if err := json.Unmarshal(result, &update); err != nil {
			return fmt.Errorf("%w: close update: %v", ErrBadResponse, err)
		}
		if update.ClosePending == nil {
			return nil // e.g. close_instant: negotiation still under way
		}
		hash, err := chainhash.NewHash(update.ClosePending.TxID)
		if err != nil {
			return fmt.Errorf("%w: closing txid of %d bytes", ErrBadResponse, len(update.ClosePending.TxID))
		}
		txid = hash
		return ErrStreamDone
	})
	if err != nil {
		return chainhash.Hash{}, err
	}
	if txid == nil {
		return chainhash.Hash{}, fmt.Errorf("%w: close stream of %s ended without close_pending", ErrBadResponse, point)
	}
	return *txid, nil
}
