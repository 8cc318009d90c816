package bitcoind

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// ChainInfo is the part of getblockchaininfo the node uses.
type ChainInfo struct {
	Network       chain.Network // mapped from ChainName
	ChainName     string        // as the backend says it: "regtest", "main", "mainnet"...
	Blocks        lnwire.BlockHeight
	Headers       lnwire.BlockHeight
	BestBlockHash chainhash.Hash
	// InitialBlockDownload is bitcoind's flag; btcd does not report it
	// and it is then false.
	InitialBlockDownload bool
	Pruned               bool
}

// ChainInfo calls getblockchaininfo. An unknown chain name (btcd's simnet)
// gives an error wrapping chain.ErrUnknownNetwork.
func (c *Client) ChainInfo(ctx context.Context) (ChainInfo, error) {
	var reply struct {
		Chain                string `json:"chain"`
		Blocks               int64  `json:"blocks"`
		Headers              int64  `json:"headers"`
		BestBlockHash        string `json:"bestblockhash"`
		InitialBlockDownload bool   `json:"initialblockdownload"`
		Pruned               bool   `json:"pruned"`
	}
	if err := c.Call(ctx, "getblockchaininfo", nil, &reply); err != nil {
		return ChainInfo{}, err
	}
	info := ChainInfo{ChainName: reply.Chain, InitialBlockDownload: reply.InitialBlockDownload, Pruned: reply.Pruned}
	var err error
	if info.Network, err = chain.NetworkFromChainName(reply.Chain); err != nil {
		return info, err
	}
	if info.Blocks, err = toHeight("getblockchaininfo", reply.Blocks); err != nil {
		return info, err
	}
	if info.Headers, err = toHeight("getblockchaininfo", reply.Headers); err != nil {
		return info, err
	}
	if info.BestBlockHash, err = parseHash("getblockchaininfo", reply.BestBlockHash); err != nil {
		return info, err
	}
	return info, nil
}

// BlockCount calls getblockcount: the height of the best chain's tip.
func (c *Client) BlockCount(ctx context.Context) (lnwire.BlockHeight, error) {
	var count int64
	if err := c.Call(ctx, "getblockcount", nil, &count); err != nil {
		return 0, err
	}
	return toHeight("getblockcount", count)
}

// BestBlockHash calls getbestblockhash.
func (c *Client) BestBlockHash(ctx context.Context) (chainhash.Hash, error) {
	var text string
	if err := c.Call(ctx, "getbestblockhash", nil, &text); err != nil {
		return chainhash.Hash{}, err
	}
	return parseHash("getbestblockhash", text)
}

// BlockHash calls getblockhash; a height above the tip gives an error
// wrapping chain.ErrNotFound.
func (c *Client) BlockHash(ctx context.Context, height lnwire.BlockHeight) (chainhash.Hash, error) {
	var text string
	if err := c.Call(ctx, "getblockhash", []any{height}, &text); err != nil {
		// btcd says -1 "Block number out of range", bitcoind -8 "Block
		// height out of range".
		return chainhash.Hash{}, withKind(err, ErrNotFound, CodeMisc, CodeInvalidParameter)
	}
	return parseHash("getblockhash", text)
}

// BlockHeader calls getblockheader with verbose=false, which works for
// stale blocks too (btcd's verbose form only knows the best chain).
func (c *Client) BlockHeader(ctx context.Context, hash chainhash.Hash) (*wire.BlockHeader, error) {
	var text string
	if err := c.Call(ctx, "getblockheader", []any{hash.String(), false}, &text); err != nil {
		return nil, withKind(err, ErrNotFound, CodeInvalidAddressOrKey)
	}
	raw, err := decodeHex("getblockheader", text)
	if err != nil {
		return nil, err
	}
	var header wire.BlockHeader
	if err := decodeExact(raw, header.Deserialize); err != nil {
		return nil, fmt.Errorf("%w: getblockheader %s: %w", ErrBadResponse, hash, err)
	}
	return &header, nil
}

// Block calls getblock with verbosity 0 (raw hex) and decodes it,
// witnesses included.
func (c *Client) Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	var text string
	if err := c.Call(ctx, "getblock", []any{hash.String(), 0}, &text); err != nil {
		return nil, withKind(err, ErrNotFound, CodeInvalidAddressOrKey)
	}
	raw, err := decodeHex("getblock", text)
	if err != nil {
		return nil, err
	}
	var block wire.MsgBlock
	if err := decodeExact(raw, block.Deserialize); err != nil {
		return nil, fmt.Errorf("%w: getblock %s: %w", ErrBadResponse, hash, err)
	}
	return &block, nil
}

// RawTransaction calls getrawtransaction (verbose 0). Transactions not in
// the mempool are only found with -txindex on both btcd and bitcoind.
func (c *Client) RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	var text string
	if err := c.Call(ctx, "getrawtransaction", []any{txid.String(), 0}, &text); err != nil {
		return nil, withKind(err, ErrNotFound, CodeInvalidAddressOrKey)
	}
	raw, err := decodeHex("getrawtransaction", text)
	if err != nil {
		return nil, err
	}
	var tx wire.MsgTx
	if err := decodeExact(raw, tx.Deserialize); err != nil {
		return nil, fmt.Errorf("%w: getrawtransaction %s: %w", ErrBadResponse, txid, err)
	}
	return &tx, nil
}

// SendRawTransaction calls sendrawtransaction and returns the txid. A
// refusal wraps chain.ErrTxMissingInputs (-25), chain.ErrTxRejected (-26)
// or chain.ErrTxAlreadyKnown (-27).
func (c *Client) SendRawTransaction(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error) {
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return chainhash.Hash{}, fmt.Errorf("bitcoind: sendrawtransaction: encoding: %w", err)
	}
	var text string
	err := c.Call(ctx, "sendrawtransaction", []any{hex.EncodeToString(buf.Bytes())}, &text)
	if err != nil {
		return chainhash.Hash{}, classifySendError(err)
	}
	txid, err := parseHash("sendrawtransaction", text)
	if err != nil {
		return chainhash.Hash{}, err
	}
	if want := tx.TxHash(); txid != want {
		return txid, fmt.Errorf("%w: sendrawtransaction returned txid %s for %s", ErrBadResponse, txid, want)
	}
	return txid, nil
}

// classifySendError wraps a sendrawtransaction error with the chain error
// its code means. btcd answers a transaction already in its mempool with
// -26 "already have transaction": that is ErrTxAlreadyKnown too.
func classifySendError(err error) error {
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) && rpcErr.Code == CodeVerifyRejected &&
		(strings.Contains(rpcErr.Message, "already have transaction") || strings.Contains(rpcErr.Message, "txn-already")) {
		return fmt.Errorf("%w: %w", ErrTxAlreadyKnown, err)
	}
	err = withKind(err, ErrTxMissingInputs, CodeVerifyError)
	err = withKind(err, ErrTxRejected, CodeVerifyRejected)
	return withKind(err, ErrTxAlreadyKnown, CodeVerifyAlreadyInUTXO)
}

// TxOut calls gettxout; found is false when the output is spent or
// unknown (the RPC's null).
func (c *Client) TxOut(ctx context.Context, outpoint wire.OutPoint, includeMempool bool) (chain.UnspentOutput, bool, error) {
	var reply *struct {
		BestBlock     string      `json:"bestblock"`
		Confirmations int64       `json:"confirmations"`
		Value         json.Number `json:"value"`
		ScriptPubKey  struct {
			Hex string `json:"hex"`
		} `json:"scriptPubKey"`
		Coinbase bool `json:"coinbase"`
	}
	params := []any{outpoint.Hash.String(), outpoint.Index, includeMempool}
	if err := c.Call(ctx, "gettxout", params, &reply); err != nil {
		return chain.UnspentOutput{}, false, err
	}
	if reply == nil {
		return chain.UnspentOutput{}, false, nil
	}
	out := chain.UnspentOutput{Confirmations: reply.Confirmations, Coinbase: reply.Coinbase}
	var err error
	if out.Value, err = ParseBTC(reply.Value); err != nil {
		return out, false, fmt.Errorf("%w: gettxout value: %w", ErrBadResponse, err)
	}
	if out.PkScript, err = decodeHex("gettxout", reply.ScriptPubKey.Hex); err != nil {
		return out, false, err
	}
	if out.BestBlock, err = parseHash("gettxout", reply.BestBlock); err != nil {
		return out, false, err
	}
	return out, true, nil
}

// Generate calls btcd's generate, which mines n blocks to its --miningaddr
// and returns their hashes. bitcoind has no such call: use
// GenerateToAddress there.
func (c *Client) Generate(ctx context.Context, n uint32) ([]chainhash.Hash, error) {
	var texts []string
	if err := c.Call(ctx, "generate", []any{n}, &texts); err != nil {
		return nil, err
	}
	return parseHashes("generate", texts)
}

// GenerateToAddress calls bitcoind's generatetoaddress. btcd has no such
// call: use Generate there.
func (c *Client) GenerateToAddress(ctx context.Context, n uint32, address string) ([]chainhash.Hash, error) {
	var texts []string
	if err := c.Call(ctx, "generatetoaddress", []any{n, address}, &texts); err != nil {
		return nil, err
	}
	return parseHashes("generatetoaddress", texts)
}

// InvalidateBlock calls invalidateblock: the block and its descendants
// leave the best chain.
func (c *Client) InvalidateBlock(ctx context.Context, hash chainhash.Hash) error {
	return withKind(c.Call(ctx, "invalidateblock", []any{hash.String()}, nil), ErrNotFound, CodeInvalidAddressOrKey)
}

// ReconsiderBlock calls reconsiderblock, undoing InvalidateBlock.
func (c *Client) ReconsiderBlock(ctx context.Context, hash chainhash.Hash) error {
	return withKind(c.Call(ctx, "reconsiderblock", []any{hash.String()}, nil), ErrNotFound, CodeInvalidAddressOrKey)
}

func toHeight(method string, v int64) (lnwire.BlockHeight, error) {
	if v < 0 || v > math.MaxUint32 {
		return 0, fmt.Errorf("%w: %s: height %d out of range", ErrBadResponse, method, v)
	}
	return lnwire.BlockHeight(v), nil
}

func parseHash(method, text string) (chainhash.Hash, error) {
	if len(text) != 2*chainhash.HashSize {
		return chainhash.Hash{}, fmt.Errorf("%w: %s: hash %q is not 64 hex digits", ErrBadResponse, method, text)
	}
	hash, err := chainhash.NewHashFromStr(text)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("%w: %s: hash %q: %w", ErrBadResponse, method, text, err)
	}
	return *hash, nil
}

func parseHashes(method string, texts []string) ([]chainhash.Hash, error) {
	hashes := make([]chainhash.Hash, len(texts))
	for i, text := range texts {
		var err error
		if hashes[i], err = parseHash(method, text); err != nil {
			return nil, err
		}
	}
	return hashes, nil
}

func decodeHex(method, text string) ([]byte, error) {
	raw, err := hex.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadResponse, method, err)
	}
	return raw, nil
}

// decodeExact runs a wire decoder and insists that it used every byte.
func decodeExact(raw []byte, deserialize func(io.Reader) error) error {
	r := bytes.NewReader(raw)
	if err := deserialize(r); err != nil {
		return err
	}
	if r.Len() != 0 {
		return fmt.Errorf("%d trailing bytes", r.Len())
	}
	return nil
}

// MempoolTxIDs calls getrawmempool: the ids of the transactions in the
// backend's mempool (same call and reply on btcd and bitcoind).
func (c *Client) MempoolTxIDs(ctx context.Context) ([]chainhash.Hash, error) {
	var ids []string
	if err := c.Call(ctx, "getrawmempool", []any{}, &ids); err != nil {
		return nil, err
	}
	out := make([]chainhash.Hash, 0, len(ids))
	for _, id := range ids {
		h, err := parseHash("getrawmempool", id)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
