package daemon

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/rpc"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/wallet"
)

// Core Lightning's wallet error codes (common/jsonrpc_errors.h).
const (
	codeFundMaxExceeded  = 300 // unused so far
	codeFundCannotAfford = 301
	codeFundOutputIsDust = 302
)

// startWallet opens the on-chain wallet and keeps it synced with the chain
// until runCtx ends.
func (d *Daemon) startWallet(ctx, runCtx context.Context) error {
	backend, ok := d.chain.(bitcoindBackend)
	if !ok {
		return fmt.Errorf("%w: the wallet needs a bitcoind-compatible backend", errBackend)
	}
	keys, err := d.signer.Wallet(d.chainParams())
	if err != nil {
		return err
	}
	source := backend.Client
	d.wallet, err = wallet.Open(ctx, wallet.Config{
		Store:   d.store,
		Keys:    keys,
		Chain:   source,
		Mempool: source,
		Fees:    source,
		Params:  d.chainParams(),
		// Core Lightning's fallback when the backend has no estimate
		// (btcd on regtest answers 0 until it has seen transactions).
		FallbackFeerate: d.cfg.FallbackFeerate,
		ForceFeerates:   d.cfg.ForceFeerates,
		Log:             d.log.With("subsystem", "wallet"),
	})
	if err != nil {
		return err
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.wallet.Run(runCtx, d.cfg.TipPollInterval)
	}()
	return nil
}

func (d *Daemon) addWalletMethods(t *rpc.Table) {
	t.Add(rpc.Method{Name: "newaddr", Category: "bitcoin", Params: []rpc.Param{{Name: "addresstype"}},
		Description: "Get a new {bech32} or {p2tr} (default) address to fund a channel, or {all} of them.",
		Handler:     d.rpcNewAddr})
	t.Add(rpc.Method{Name: "listfunds", Category: "utility", Params: []rpc.Param{{Name: "spent"}},
		Description: "Show available funds from the internal wallet, with {spent} outputs too if true.",
		Handler:     d.rpcListFunds})
	t.Add(rpc.Method{Name: "withdraw", Category: "bitcoin",
		Params: []rpc.Param{{Name: "destination", Required: true}, {Name: "satoshi", Required: true},
			{Name: "feerate"}, {Name: "minconf"}, {Name: "utxos"}},
		Description: "Send {satoshi} (or \"all\") to the {destination} address via Bitcoin transaction.",
		Handler:     d.rpcWithdraw})
	t.Add(rpc.Method{Name: "listtransactions", Category: "utility",
		Description: "List transactions that we stored in the wallet.", Handler: d.rpcListTransactions})
	t.Add(rpc.Method{Name: "feerates", Category: "bitcoin", Params: []rpc.Param{{Name: "style", Required: true}},
		Description: "Return feerate estimates, either satoshi-per-kw ({style} perkw) or satoshi-per-kb ({style} perkb).",
		Handler:     d.rpcFeerates})
	t.Add(rpc.Method{Name: "reserveinputs", Category: "bitcoin",
		Params:      []rpc.Param{{Name: "psbt", Required: true}, {Name: "exclusive"}, {Name: "reserve"}},
		Description: "Reserve the inputs of {psbt} for {reserve} blocks (default 72); fail if already reserved unless {exclusive} is false.",
		Handler:     d.rpcReserveInputs})
	t.Add(rpc.Method{Name: "unreserveinputs", Category: "bitcoin",
		Params:      []rpc.Param{{Name: "psbt", Required: true}, {Name: "reserve"}},
		Description: "Release the reservation of the inputs of {psbt}.",
		Handler:     d.rpcUnreserveInputs})
}

func (d *Daemon) rpcNewAddr(ctx context.Context, p rpc.Params) (any, error) {
	kind := "p2tr"
	if s, err := p.OptionalString("addresstype"); err != nil {
		return nil, err
	} else if s != nil {
		kind = *s
	}
	var kinds []signer.AddressKind
	switch kind {
	case "bech32":
		kinds = []signer.AddressKind{signer.P2WPKH}
	case "p2tr":
		kinds = []signer.AddressKind{signer.P2TR}
	case "all":
		kinds = []signer.AddressKind{signer.P2WPKH, signer.P2TR}
	default:
		return nil, rpc.InvalidParams("addresstype: Invalid address type: should be 'bech32', 'p2tr' or 'all': invalid token '%s'", kind)
	}
	reply := map[string]string{}
	for _, k := range kinds {
		addr, err := d.wallet.NewAddress(ctx, k)
		if err != nil {
			return nil, err
		}
		reply[k.String()] = addr.EncodeAddress()
	}
	return reply, nil
}

// fundsOutput is one listfunds output, Core Lightning's shape.
type fundsOutput struct {
	TxID            string              `json:"txid"`
	Output          uint32              `json:"output"`
	AmountMsat      lnwire.MilliSatoshi `json:"amount_msat"`
	ScriptPubKey    string              `json:"scriptpubkey"`
	Address         string              `json:"address,omitempty"`
	Status          string              `json:"status"`
	BlockHeight     uint32              `json:"blockheight,omitempty"`
	Reserved        bool                `json:"reserved"`
	ReservedToBlock uint32              `json:"reserved_to_block,omitempty"`
}

func (d *Daemon) rpcListFunds(ctx context.Context, p rpc.Params) (any, error) {
	spent, err := p.OptionalBool("spent")
	if err != nil {
		return nil, err
	}
	outs, err := d.wallet.Outputs(ctx, spent != nil && *spent)
	if err != nil {
		return nil, err
	}
	list := make([]fundsOutput, 0, len(outs))
	for _, o := range outs {
		list = append(list, fundsOutput{
			TxID: o.OutPoint.Hash.String(), Output: o.OutPoint.Index, AmountMsat: o.Amount.ToMilliSatoshis(),
			ScriptPubKey: hex.EncodeToString(o.PkScript), Address: o.Address, Status: string(o.Status),
			BlockHeight: uint32(o.BlockHeight), Reserved: o.Reserved, ReservedToBlock: uint32(o.ReservedToBlock),
		})
	}
	return map[string]any{"outputs": list, "channels": []any{}}, nil
}

func (d *Daemon) rpcWithdraw(ctx context.Context, p rpc.Params) (any, error) {
	dest, err := p.String("destination")
	if err != nil {
		return nil, err
	}
	addr, err := btcutil.DecodeAddress(dest, d.chainParams())
	if err != nil || !addr.IsForNet(d.chainParams()) {
		return nil, rpc.InvalidParams("Could not parse destination address, destination should be a valid address for %s",
			d.cfg.Network)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, rpc.InvalidParams("destination: unsupported address type '%s'", dest)
	}
	req := wallet.SpendRequest{DestScript: script, MinConf: 1}
	amountText, err := p.String("satoshi")
	if err != nil {
		return nil, err
	}
	if amountText == "all" {
		req.All = true
	} else if req.Amount, err = parseSatoshi(amountText); err != nil {
		return nil, err
	}
	if req.Feerate, err = d.feerateParam(ctx, p, "feerate"); err != nil {
		return nil, err
	}
	if minconf, err := p.OptionalUint64("minconf"); err != nil {
		return nil, err
	} else if minconf != nil {
		if *minconf > 0xFFFF {
			return nil, rpc.InvalidParams("minconf: should be a 16 bit integer: invalid token '%d'", *minconf)
		}
		req.MinConf = uint32(*minconf)
	}
	if req.UTXOs, err = parseOutPoints(p.Raw("utxos")); err != nil {
		return nil, err
	}
	spend, err := d.wallet.Withdraw(ctx, req)
	if err != nil {
		return nil, walletRPCError(err)
	}
	return map[string]string{"tx": hex.EncodeToString(serializeTx(spend.Tx)), "txid": spend.Tx.TxHash().String(),
		"psbt": unsignedPSBT(spend.Tx)}, nil
}

// parseSatoshi reads a whole-satoshi amount: a bare number is satoshis
// (Core Lightning's sat type), or "1000sat", "1000000msat", "0.00001btc".
func parseSatoshi(text string) (lnwire.Satoshi, error) {
	withUnit := text
	if text != "" && strings.Trim(text, "0123456789") == "" {
		withUnit = text + "sat"
	}
	msat, err := rpc.ParseMsat(withUnit)
	if err != nil || msat%1000 != 0 {
		return 0, rpc.InvalidParams("satoshi: should be a satoshi amount or 'all': invalid token '%s'", text)
	}
	return msat.ToSatoshis(), nil
}

// feerateParam resolves an optional feerate parameter; absent is "normal".
func (d *Daemon) feerateParam(ctx context.Context, p rpc.Params, name string) (lnwire.FeeratePerKW, error) {
	text := "normal"
	if s, err := p.OptionalString(name); err != nil {
		return 0, err
	} else if s != nil {
		text = *s
	}
	spec, err := wallet.ParseFeerate(text)
	if err != nil {
		return 0, rpc.InvalidParams("%s: %v", name, err)
	}
	rate, err := d.wallet.Feerate(ctx, spec)
	if err != nil {
		return 0, walletRPCError(err)
	}
	return rate, nil
}

// parseOutPoints reads an array of "txid:vout".
func parseOutPoints(raw json.RawMessage) ([]wire.OutPoint, error) {
	if raw == nil {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, rpc.InvalidParams("utxos: should be an array of 'txid:vout': invalid token '%s'", raw)
	}
	out := make([]wire.OutPoint, 0, len(list))
	for _, s := range list {
		txid, vout, ok := strings.Cut(s, ":")
		hash, err := chainhash.NewHashFromStr(txid)
		n, nerr := strconv.ParseUint(vout, 10, 32)
		if !ok || err != nil || len(txid) != 64 || nerr != nil {
			return nil, rpc.InvalidParams("utxos: should be an array of 'txid:vout': invalid token '%s'", s)
		}
		out = append(out, wire.OutPoint{Hash: *hash, Index: uint32(n)})
	}
	return out, nil
}

// walletRPCError maps wallet errors to Core Lightning's codes.
func walletRPCError(err error) error {
	switch {
	case errors.Is(err, wallet.ErrInsufficientFunds):
		var short *wallet.InsufficientFundsError
		if errors.As(err, &short) {
			return &rpc.Error{Code: codeFundCannotAfford, Message: short.Error()}
		}
		return &rpc.Error{Code: codeFundCannotAfford, Message: err.Error()}
	case errors.Is(err, wallet.ErrDustOutput):
		return &rpc.Error{Code: codeFundOutputIsDust, Message: "Output would be dust: " + err.Error()}
	case errors.Is(err, wallet.ErrBadFeerate), errors.Is(err, wallet.ErrUnknownOutput), errors.Is(err, wallet.ErrReserved):
		return rpc.InvalidParams("%v", err)
	case errors.Is(err, wallet.ErrNoFeerate):
		return rpc.Errorf(rpc.CodeLightningd, "Cannot estimate fees: the backend has no estimate and no fallback-feerate is set; give a feerate")
	case errors.Is(err, wallet.ErrBroadcast):
		return rpc.Errorf(rpc.CodeLightningd, "Error broadcasting transaction: %v", err)
	}
	return err
}

func serializeTx(tx *wire.MsgTx) []byte {
	var buf bytes.Buffer
	tx.Serialize(&buf) // writing to memory cannot fail
	return buf.Bytes()
}

// unsignedPSBT is the transaction without witnesses as a base64 PSBT.
func unsignedPSBT(tx *wire.MsgTx) string {
	unsigned := tx.Copy()
	for _, in := range unsigned.TxIn {
		in.Witness, in.SignatureScript = nil, nil
	}
	packet, err := psbt.NewFromUnsignedTx(unsigned)
	if err != nil {
		return ""
	}
	text, err := packet.B64Encode()
	if err != nil {
		return ""
	}
	return text
}

// txJSON is one listtransactions entry, Core Lightning's shape.
type txJSON struct {
	Hash        string         `json:"hash"`
	RawTx       string         `json:"rawtx"`
	BlockHeight uint32         `json:"blockheight"`
	TxIndex     uint32         `json:"txindex"`
	LockTime    uint32         `json:"locktime"`
	Version     int32          `json:"version"`
	Inputs      []txInputJSON  `json:"inputs"`
	Outputs     []txOutputJSON `json:"outputs"`
}

type txInputJSON struct {
	TxID     string `json:"txid"`
	Index    uint32 `json:"index"`
	Sequence uint32 `json:"sequence"`
}

type txOutputJSON struct {
	Index        uint32              `json:"index"`
	AmountMsat   lnwire.MilliSatoshi `json:"amount_msat"`
	ScriptPubKey string              `json:"scriptPubKey"`
}

func (d *Daemon) rpcListTransactions(ctx context.Context, _ rpc.Params) (any, error) {
	txs, err := d.wallet.Transactions(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]txJSON, 0, len(txs))
	for _, t := range txs {
		j := txJSON{Hash: t.Tx.TxHash().String(), RawTx: hex.EncodeToString(serializeTx(t.Tx)),
			BlockHeight: uint32(t.BlockHeight), TxIndex: t.TxIndex, LockTime: t.Tx.LockTime, Version: t.Tx.Version,
			Inputs: []txInputJSON{}, Outputs: []txOutputJSON{}}
		for _, in := range t.Tx.TxIn {
			j.Inputs = append(j.Inputs, txInputJSON{TxID: in.PreviousOutPoint.Hash.String(),
				Index: in.PreviousOutPoint.Index, Sequence: in.Sequence})
		}
		for i, out := range t.Tx.TxOut {
			j.Outputs = append(j.Outputs, txOutputJSON{Index: uint32(i),
				AmountMsat: lnwire.Satoshi(out.Value).ToMilliSatoshis(), ScriptPubKey: hex.EncodeToString(out.PkScript)})
		}
		list = append(list, j)
	}
	return map[string]any{"transactions": list}, nil
}

// Typical transaction weights behind feerates' onchain_fee_estimates.
// BOLT #3: "the expected weight of an HTLC-timeout transaction is 663"
// and "of an HTLC-success transaction is 703" (without anchors); the
// others are the weights Core Lightning uses for the same estimates.
const (
	weightOpening         = 702
	weightMutualClose     = 673
	weightUnilateralClose = 1112 // with anchors
	weightUnilateralPlain = 598
	weightHTLCTimeout     = 663
	weightHTLCSuccess     = 703
)

type estimateJSON struct {
	BlockCount      uint32 `json:"blockcount"`
	Feerate         uint32 `json:"feerate"`
	SmoothedFeerate uint32 `json:"smoothed_feerate"`
}

type feeratesJSON struct {
	Opening               uint32         `json:"opening,omitempty"`
	MutualClose           uint32         `json:"mutual_close,omitempty"`
	UnilateralClose       uint32         `json:"unilateral_close,omitempty"`
	UnilateralAnchorClose uint32         `json:"unilateral_anchor_close,omitempty"`
	Penalty               uint32         `json:"penalty,omitempty"`
	MinAcceptable         uint32         `json:"min_acceptable"`
	MaxAcceptable         uint32         `json:"max_acceptable"`
	Floor                 uint32         `json:"floor"`
	Estimates             []estimateJSON `json:"estimates"`
}

// rpcFeerates answers feerates. Rates the backend cannot estimate (btcd
// and a fresh regtest bitcoind have few or none) come from
// fallback-feerate; without one they are left out with a warning, and
// onchain_fee_estimates too.
func (d *Daemon) rpcFeerates(ctx context.Context, p rpc.Params) (any, error) {
	style, err := p.String("style")
	if err != nil {
		return nil, err
	}
	scale := uint32(1)
	switch style {
	case "perkw":
	case "perkb":
		scale = 4 // a virtual byte is 4 weight units
	default:
		return nil, rpc.InvalidParams("style: should be 'perkw' or 'perkb': invalid token '%s'", style)
	}
	f := d.wallet.Feerates(ctx)
	in := func(r lnwire.FeeratePerKW) uint32 { return uint32(r) * scale }
	rates := feeratesJSON{Opening: in(f.Opening), MutualClose: in(f.MutualClose), UnilateralClose: in(f.UnilateralClose),
		UnilateralAnchorClose: in(f.UnilateralAnchorClose), Penalty: in(f.Penalty), MinAcceptable: in(f.MinAcceptable),
		MaxAcceptable: uint32(min(uint64(f.MaxAcceptable)*uint64(scale), 0xFFFFFFFF)), Floor: in(f.Floor),
		Estimates: []estimateJSON{}}
	for _, e := range f.Estimates {
		rates.Estimates = append(rates.Estimates, estimateJSON{BlockCount: e.Blocks, Feerate: in(e.Feerate), SmoothedFeerate: in(e.Feerate)})
	}
	reply := map[string]any{style: &rates}
	if f.Missing {
		reply["warning_missing_feerates"] = "Some fee estimates unavailable: the backend gives none for some targets and no fallback-feerate is set"
		return reply, nil
	}
	reply["onchain_fee_estimates"] = map[string]lnwire.Satoshi{
		"opening_channel_satoshis":            f.Opening.FeeForWeight(weightOpening),
		"mutual_close_satoshis":               f.MutualClose.FeeForWeight(weightMutualClose),
		"unilateral_close_satoshis":           f.UnilateralAnchorClose.FeeForWeight(weightUnilateralClose),
		"unilateral_close_nonanchor_satoshis": f.UnilateralClose.FeeForWeight(weightUnilateralPlain),
		"htlc_timeout_satoshis":               f.UnilateralClose.FeeForWeight(weightHTLCTimeout),
		"htlc_success_satoshis":               f.UnilateralClose.FeeForWeight(weightHTLCSuccess),
	}
	return reply, nil
}

type reservationJSON struct {
	TxID            string `json:"txid"`
	Vout            uint32 `json:"vout"`
	WasReserved     bool   `json:"was_reserved"`
	Reserved        bool   `json:"reserved"`
	ReservedToBlock uint32 `json:"reserved_to_block,omitempty"`
}

// psbtInputs reads the outpoints a base64 PSBT spends.
func psbtInputs(p rpc.Params) ([]wire.OutPoint, error) {
	text, err := p.String("psbt")
	if err != nil {
		return nil, err
	}
	packet, err := psbt.NewFromRawBytes(strings.NewReader(text), true)
	if err != nil {
		return nil, rpc.InvalidParams("psbt: should be a PSBT: invalid token '%s'", text)
	}
	ops := make([]wire.OutPoint, len(packet.UnsignedTx.TxIn))
	for i, in := range packet.UnsignedTx.TxIn {
		ops[i] = in.PreviousOutPoint
	}
	return ops, nil
}

func reservationsReply(list []wallet.Reservation) any {
	out := make([]reservationJSON, len(list))
	for i, r := range list {
		out[i] = reservationJSON{TxID: r.OutPoint.Hash.String(), Vout: r.OutPoint.Index, WasReserved: r.WasReserved,
			Reserved: r.Reserved, ReservedToBlock: uint32(r.ReservedToBlock)}
	}
	return map[string]any{"reservations": out}
}

func (d *Daemon) rpcReserveInputs(ctx context.Context, p rpc.Params) (any, error) {
	ops, err := psbtInputs(p)
	if err != nil {
		return nil, err
	}
	exclusive := true
	if v, err := p.OptionalBool("exclusive"); err != nil {
		return nil, err
	} else if v != nil {
		exclusive = *v
	}
	blocks := uint64(wallet.DefaultReserveBlocks)
	if v, err := p.OptionalUint64("reserve"); err != nil {
		return nil, err
	} else if v != nil {
		if *v == 0 || *v > 0xFFFFFFFF {
			return nil, rpc.InvalidParams("reserve: should be a positive 32 bit number of blocks: invalid token '%d'", *v)
		}
		blocks = *v
	}
	list, err := d.wallet.Reserve(ctx, ops, uint32(blocks), exclusive)
	if err != nil {
		return nil, walletRPCError(err)
	}
	return reservationsReply(list), nil
}

func (d *Daemon) rpcUnreserveInputs(ctx context.Context, p rpc.Params) (any, error) {
	ops, err := psbtInputs(p)
	if err != nil {
		return nil, err
	}
	if _, err := p.OptionalUint64("reserve"); err != nil {
		return nil, err
	}
	list, err := d.wallet.Unreserve(ctx, ops)
	if err != nil {
		return nil, walletRPCError(err)
	}
	return reservationsReply(list), nil
}
