package lndtest

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// The JSON below follows lnd's REST API (lnrpc/lightning.swagger.json):
// proto field names, 64-bit integers as strings, bytes as base64.

// Feature is one entry of lnd's features map.
type Feature struct {
	Name       string `json:"name"`
	IsRequired bool   `json:"is_required"`
	IsKnown    bool   `json:"is_known"`
}

// Features is lnd's features map, keyed by bit number.
type Features map[lnwire.FeatureBit]Feature

// Vector returns the set bits as a feature vector.
func (f Features) Vector() lnwire.FeatureVector {
	bits := make([]lnwire.FeatureBit, 0, len(f))
	for bit := range f {
		bits = append(bits, bit)
	}
	sort.Slice(bits, func(i, j int) bool { return bits[i] < bits[j] })
	return lnwire.NewFeatureVector(bits...)
}

// Info is lnd's GetInfo reply, the fields the tests use.
type Info struct {
	Version           string   `json:"version"`
	IdentityPubkey    string   `json:"identity_pubkey"`
	Alias             string   `json:"alias"`
	NumPeers          uint32   `json:"num_peers"`
	NumActiveChannels uint32   `json:"num_active_channels"`
	BlockHeight       uint32   `json:"block_height"`
	BlockHash         string   `json:"block_hash"`
	SyncedToChain     bool     `json:"synced_to_chain"`
	SyncedToGraph     bool     `json:"synced_to_graph"`
	URIs              []string `json:"uris"`
	Features          Features `json:"features"`
}

// GetInfo calls GET /v1/getinfo.
func (n *Node) GetInfo(ctx context.Context) (Info, error) {
	var info Info
	err := n.Call(ctx, "GET", "/v1/getinfo", nil, &info)
	return info, err
}

// AddressType is lnd's AddressType enum, by name.
type AddressType string

const (
	// AddressP2WKH is a native segwit v0 pay-to-witness-pubkey-hash address.
	AddressP2WKH AddressType = "WITNESS_PUBKEY_HASH"
	// AddressP2TR is a segwit v1 taproot key-path address (BIP 86).
	AddressP2TR AddressType = "TAPROOT_PUBKEY"
)

// NewAddress calls GET /v1/newaddress and checks that the address is a
// regtest address of the type asked for.
func (n *Node) NewAddress(ctx context.Context, kind AddressType) (string, error) {
	var reply struct {
		Address string `json:"address"`
	}
	if err := n.Call(ctx, "GET", "/v1/newaddress?type="+url.QueryEscape(string(kind)), nil, &reply); err != nil {
		return "", err
	}
	if err := checkAddress(reply.Address, kind); err != nil {
		return "", err
	}
	return reply.Address, nil
}

// checkAddress reports an address that is not a regtest address of kind.
func checkAddress(address string, kind AddressType) error {
	decoded, err := btcutil.DecodeAddress(address, &chaincfg.RegressionNetParams)
	if err != nil {
		return fmt.Errorf("%w: new address %q: %v", ErrBadResponse, address, err)
	}
	if !decoded.IsForNet(&chaincfg.RegressionNetParams) {
		return fmt.Errorf("%w: new address %q is not for regtest", ErrBadResponse, address)
	}
	ok := true
	switch kind {
	case AddressP2WKH:
		_, ok = decoded.(*btcutil.AddressWitnessPubKeyHash)
	case AddressP2TR:
		_, ok = decoded.(*btcutil.AddressTaproot)
	}
	if !ok {
		return fmt.Errorf("%w: new address %q is a %T, asked for %s", ErrBadResponse, address, decoded, kind)
	}
	return nil
}

// Balance is lnd's WalletBalance reply (on-chain, in satoshis).
type Balance struct {
	Total       lnwire.Satoshi `json:"total_balance,string"`
	Confirmed   lnwire.Satoshi `json:"confirmed_balance,string"`
	Unconfirmed lnwire.Satoshi `json:"unconfirmed_balance,string"`
	Locked      lnwire.Satoshi `json:"locked_balance,string"`
}

// WalletBalance calls GET /v1/balance/blockchain.
func (n *Node) WalletBalance(ctx context.Context) (Balance, error) {
	var b Balance
	err := n.Call(ctx, "GET", "/v1/balance/blockchain", nil, &b)
	return b, err
}

// ConnectPeer calls POST /v1/peers: lnd dials pubkey at host ("ip:port")
// and returns once the connection is up (or refused).
func (n *Node) ConnectPeer(ctx context.Context, pubkey, host string) error {
	body := map[string]any{
		"addr": map[string]string{"pubkey": pubkey, "host": host},
		"perm": false,
	}
	return n.Call(ctx, "POST", "/v1/peers", body, nil)
}

// Peer is one entry of lnd's ListPeers reply.
type Peer struct {
	PubKey    string   `json:"pub_key"`
	Address   string   `json:"address"`
	Inbound   bool     `json:"inbound"`
	BytesSent uint64   `json:"bytes_sent,string"`
	BytesRecv uint64   `json:"bytes_recv,string"`
	PingTime  int64    `json:"ping_time,string"` // microseconds
	Features  Features `json:"features"`
}

// ListPeers calls GET /v1/peers.
func (n *Node) ListPeers(ctx context.Context) ([]Peer, error) {
	var reply struct {
		Peers []Peer `json:"peers"`
	}
	err := n.Call(ctx, "GET", "/v1/peers", nil, &reply)
	return reply.Peers, err
}

// Disconnect calls DELETE /v1/peers/{pubkey}.
func (n *Node) Disconnect(ctx context.Context, pubkey string) error {
	return n.Call(ctx, "DELETE", "/v1/peers/"+url.PathEscape(pubkey), nil, nil)
}

// InvoiceRequest is what AddInvoice asks lnd for.
type InvoiceRequest struct {
	Amount   lnwire.MilliSatoshi // zero: any amount
	Memo     string
	Expiry   time.Duration // zero: lnd's default (24h); whole seconds
	Private  bool          // include route hints for private channels
	Preimage []byte        // 32 bytes; nil lets lnd choose
}

// AddedInvoice is lnd's AddInvoice reply.
type AddedInvoice struct {
	PaymentHash    []byte `json:"r_hash"`
	PaymentRequest string `json:"payment_request"`
	AddIndex       uint64 `json:"add_index,string"`
	PaymentAddr    []byte `json:"payment_addr"`
}

// AddInvoice calls POST /v1/invoices.
func (n *Node) AddInvoice(ctx context.Context, req InvoiceRequest) (AddedInvoice, error) {
	body := map[string]any{
		"memo":       req.Memo,
		"value_msat": fmt.Sprint(uint64(req.Amount)),
		"private":    req.Private,
	}
	if req.Expiry > 0 {
		body["expiry"] = fmt.Sprint(int64(req.Expiry / time.Second))
	}
	if req.Preimage != nil {
		body["r_preimage"] = req.Preimage // []byte marshals as base64
	}
	var added AddedInvoice
	if err := n.Call(ctx, "POST", "/v1/invoices", body, &added); err != nil {
		return AddedInvoice{}, err
	}
	if len(added.PaymentHash) != 32 || added.PaymentRequest == "" {
		return AddedInvoice{}, fmt.Errorf("%w: AddInvoice reply without payment hash or request: %+v", ErrBadResponse, added)
	}
	return added, nil
}
