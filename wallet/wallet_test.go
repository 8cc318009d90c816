package wallet

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
)

var regtest = &chaincfg.RegressionNetParams

func testKeys(t testing.TB) *signer.WalletSigner {
	t.Helper()
	s, err := signer.New([32]byte{7, 7, 7})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Wallet(regtest)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// harness is a wallet on a fake chain with a store in a file, reopenable.
type harness struct {
	t     testing.TB
	chain *fakeChain
	path  string
	store *store.Store
	w     *Wallet
}

func newHarness(t testing.TB, height int) *harness {
	t.Helper()
	h := &harness{t: t, chain: newFakeChain(height), path: filepath.Join(t.TempDir(), "wallet.sqlite3")}
	h.open()
	t.Cleanup(func() { h.store.Close() })
	return h
}

func (h *harness) open() {
	h.t.Helper()
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	h.store = s
	h.w, err = Open(ctx, Config{Store: s, Keys: testKeys(h.t), Chain: h.chain, Mempool: h.chain,
		Fees: h.chain, Params: regtest})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) restart() {
	h.t.Helper()
	h.store.Close()
	h.open()
}

func (h *harness) sync() {
	h.t.Helper()
	if err := h.w.Sync(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) newAddr(kind signer.AddressKind) []byte {
	h.t.Helper()
	addr, err := h.w.NewAddress(context.Background(), kind)
	if err != nil {
		h.t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		h.t.Fatal(err)
	}
	return script
}

func (h *harness) outputs(spent bool) []Output {
	h.t.Helper()
	outs, err := h.w.Outputs(context.Background(), spent)
	if err != nil {
		h.t.Fatal(err)
	}
	return outs
}

// balance sums unspent outputs by status.
func (h *harness) balance() map[OutputStatus]lnwire.Satoshi {
	sum := make(map[OutputStatus]lnwire.Satoshi)
	for _, o := range h.outputs(false) {
		sum[o.Status] += o.Amount
	}
	return sum
}

func outsideScript(t testing.TB) []byte {
	addr, err := btcutil.NewAddressWitnessPubKeyHash(make([]byte, 20), regtest)
	if err != nil {
		t.Fatal(err)
	}
	script, _ := txscript.PayToAddrScript(addr)
	return script
}

func TestOpenRecordsBirthAtTip(t *testing.T) {
	h := newHarness(t, 110)
	if h.w.Birth() != 110 || h.w.Tip() != 110 {
		t.Fatalf("birth %d tip %d", h.w.Birth(), h.w.Tip())
	}
	h.chain.mine()
	h.restart()
	if h.w.Birth() != 110 || h.w.Tip() != 110 {
		t.Fatalf("after restart: birth %d tip %d", h.w.Birth(), h.w.Tip())
	}
	h.sync()
	if h.w.Tip() != 111 {
		t.Fatalf("tip after sync %d", h.w.Tip())
	}
}

func TestReceiveConfirmSpendAndReorg(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	wpkh, tr := h.newAddr(signer.P2WPKH), h.newAddr(signer.P2TR)
	fund := payment(1, wire.NewTxOut(100_000, wpkh), wire.NewTxOut(250_000, tr), wire.NewTxOut(5, outsideScript(t)))
	h.chain.addMempool(fund)
	h.sync()
	if b := h.balance(); b[StatusUnconfirmed] != 350_000 || len(h.outputs(false)) != 2 {
		t.Fatalf("mempool funding: %v", b)
	}
	h.chain.mine()
	h.sync()
	outs := h.outputs(false)
	for _, o := range outs {
		if o.Status != StatusConfirmed || o.BlockHeight != 102 || o.Reserved {
			t.Fatalf("confirmed output %+v", o)
		}
	}
	if outs[0].Address == "" || (outs[0].Path.Kind != signer.P2WPKH && outs[0].Path.Kind != signer.P2TR) {
		t.Fatalf("output %+v", outs[0])
	}

	// Spend 120000 sat at 1000 perkw: both inputs, change back to us.
	s, err := h.w.Withdraw(ctx, SpendRequest{DestScript: outsideScript(t), Amount: 120_000, Feerate: 1000, MinConf: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkFee(t, s, 1000)
	if len(s.Tx.TxIn) != 1 || s.ChangeIndex < 0 {
		t.Fatalf("largest-first should use the 250000 output alone, with change: %v", s.Tx)
	}
	change := lnwire.Satoshi(s.Tx.TxOut[s.ChangeIndex].Value)
	if change != 250_000-120_000-s.Selection.Fee {
		t.Fatalf("change %s fee %s", change, s.Selection.Fee)
	}
	h.sync() // the broadcast tx is in the mempool: nothing changes
	b := h.balance()
	if b[StatusConfirmed] != 100_000 || b[StatusUnconfirmed] != change {
		t.Fatalf("after withdraw %v", b)
	}
	if spent := h.outputs(true); len(spent) != 3 {
		t.Fatalf("with spent: %d outputs", len(spent))
	}
	h.chain.mine()
	h.sync()
	if b := h.balance(); b[StatusConfirmed] != 100_000+change {
		t.Fatalf("after confirming withdraw %v", b)
	}
	txs, err := h.w.Transactions(ctx)
	if err != nil || len(txs) != 2 || txs[0].BlockHeight != 102 || txs[1].BlockHeight != 103 || txs[1].TxIndex != 1 {
		t.Fatalf("transactions %+v %v", txs, err)
	}

	// Reorg 1: the withdraw's block is disconnected and the transaction
	// returns to the mempool: spend and change become unconfirmed.
	h.chain.disconnect(1, true)
	h.sync()
	if b := h.balance(); b[StatusConfirmed] != 100_000 || b[StatusUnconfirmed] != change {
		t.Fatalf("after reorg to mempool %v", b)
	}
	// Reorg 2: the transaction is dropped too (a conflicting chain): the
	// change vanishes and the spent output is back.
	h.chain.clearMempool()
	h.chain.mine()
	h.sync()
	if b := h.balance(); b[StatusConfirmed] != 350_000 || b[StatusUnconfirmed] != 0 {
		t.Fatalf("after the spend vanished %v", b)
	}
	// Reorg 3: the funding block goes, with the funding never coming back.
	h.chain.disconnect(2, false)
	h.chain.mine()
	h.chain.mine()
	h.chain.mine()
	h.sync()
	if outs := h.outputs(true); len(outs) != 0 || h.w.Tip() != 104 {
		t.Fatalf("after the funding vanished: %+v tip %d", outs, h.w.Tip())
	}
	if txs, _ := h.w.Transactions(ctx); len(txs) != 0 {
		t.Fatalf("transactions after reorgs %d", len(txs))
	}
}

// checkFee checks the fee is the feerate applied to the estimated weight,
// and the estimate bounds the real weight from above, tightly.
func checkFee(t *testing.T, s *Spend, rate lnwire.FeeratePerKW) {
	t.Helper()
	var in lnwire.Satoshi
	for _, c := range s.Selection.Inputs {
		in += c.Amount
	}
	var out lnwire.Satoshi
	for _, o := range s.Tx.TxOut {
		out += lnwire.Satoshi(o.Value)
	}
	if in-out != s.Selection.Fee {
		t.Fatalf("inputs %s - outputs %s != fee %s", in, out, s.Selection.Fee)
	}
	actual := ActualWeight(s.Tx)
	if s.Selection.Change > 0 && s.Selection.Fee != rate.FeeForWeight(s.Selection.Weight) {
		t.Fatalf("fee %s, want %s for weight %d", s.Selection.Fee, rate.FeeForWeight(s.Selection.Weight), s.Selection.Weight)
	}
	// At most 2 bytes per P2WPKH signature below the worst case.
	if actual > s.Selection.Weight || actual < s.Selection.Weight-2*int64(len(s.Tx.TxIn)) {
		t.Fatalf("actual weight %d, estimated %d", actual, s.Selection.Weight)
	}
	if s.Selection.Fee < rate.FeeForWeight(actual) {
		t.Fatalf("fee %s below feerate for actual weight %d", s.Selection.Fee, actual)
	}
}

func TestWithdrawAllAndExplicitUTXOs(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	a, b, c := h.newAddr(signer.P2WPKH), h.newAddr(signer.P2TR), h.newAddr(signer.P2WPKH)
	fund := payment(2, wire.NewTxOut(40_000, a), wire.NewTxOut(60_000, b), wire.NewTxOut(80_000, c))
	h.chain.mine(fund)
	h.sync()
	// Exactly the given UTXO is spent, even though a larger one exists.
	one := wire.OutPoint{Hash: fund.TxHash(), Index: 0}
	s, err := h.w.Withdraw(ctx, SpendRequest{DestScript: outsideScript(t), Amount: 10_000, Feerate: 2000,
		MinConf: 1, UTXOs: []wire.OutPoint{one}})
	if err != nil {
		t.Fatal(err)
	}
	checkFee(t, s, 2000)
	if len(s.Tx.TxIn) != 1 || s.Tx.TxIn[0].PreviousOutPoint != one {
		t.Fatalf("inputs %v", s.Tx.TxIn)
	}
	h.chain.mine()
	h.sync()
	// Sweep everything: no change, one output.
	all, err := h.w.Withdraw(ctx, SpendRequest{DestScript: outsideScript(t), All: true, Feerate: 253, MinConf: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkFee(t, all, 253)
	if len(all.Tx.TxOut) != 1 || all.ChangeIndex != -1 || len(all.Tx.TxIn) != 3 {
		t.Fatalf("sweep %v", all.Tx)
	}
	if all.Selection.Fee != lnwire.FeeratePerKW(253).FeeForWeight(all.Selection.Weight) {
		t.Fatalf("sweep fee %s for weight %d", all.Selection.Fee, all.Selection.Weight)
	}
	h.chain.mine()
	h.sync()
	if outs := h.outputs(false); len(outs) != 0 {
		t.Fatalf("left after sweep: %+v", outs)
	}
}

func TestWithdrawErrorsBroadcastNothing(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	addr := h.newAddr(signer.P2TR)
	fund := payment(3, wire.NewTxOut(50_000, addr))
	h.chain.mine(fund)
	h.sync()
	dest := outsideScript(t)
	cases := []struct {
		name string
		req  SpendRequest
		want error
	}{
		{"too much", SpendRequest{DestScript: dest, Amount: 50_000, Feerate: 253, MinConf: 1}, ErrInsufficientFunds},
		{"dust", SpendRequest{DestScript: dest, Amount: 545, Feerate: 253, MinConf: 1}, ErrDustOutput},
		{"feerate below floor", SpendRequest{DestScript: dest, Amount: 1000, Feerate: 100, MinConf: 1}, ErrBadFeerate},
		{"not deep enough", SpendRequest{DestScript: dest, Amount: 1000, Feerate: 253, MinConf: 2}, ErrInsufficientFunds},
		{"unknown utxo", SpendRequest{DestScript: dest, Amount: 1000, Feerate: 253, MinConf: 1,
			UTXOs: []wire.OutPoint{{Index: 9}}}, ErrUnknownOutput},
		{"sweep into dust", SpendRequest{DestScript: dest, All: true, Feerate: 125_000, MinConf: 1}, ErrDustOutput},
		{"sweep nothing", SpendRequest{DestScript: dest, All: true, Feerate: 253, MinConf: 5}, ErrInsufficientFunds},
	}
	for _, tc := range cases {
		if _, err := h.w.Withdraw(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	var short *InsufficientFundsError
	if _, err := h.w.Withdraw(ctx, cases[0].req); !errors.As(err, &short) || short.Have != 50_000 || short.Coins != 1 {
		t.Fatalf("insufficient funds detail: %v", err)
	}
	// The backend refuses: the input is released, nothing recorded.
	h.chain.refuse = errors.New("mempool full")
	if _, err := h.w.Withdraw(ctx, SpendRequest{DestScript: dest, Amount: 1000, Feerate: 253, MinConf: 1}); !errors.Is(err, ErrBroadcast) {
		t.Fatalf("refused broadcast: %v", err)
	}
	h.chain.refuse = nil
	if len(h.chain.broadcast) != 0 {
		t.Fatalf("broadcast %d transactions", len(h.chain.broadcast))
	}
	outs := h.outputs(true)
	if len(outs) != 1 || outs[0].Status != StatusConfirmed || outs[0].Reserved {
		t.Fatalf("after failures: %+v", outs)
	}
	// Reserved outputs are not spent by others.
	op := outs[0].OutPoint
	if _, err := h.w.Reserve(ctx, []wire.OutPoint{op}, 10, true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.w.Withdraw(ctx, SpendRequest{DestScript: dest, Amount: 1000, Feerate: 253, MinConf: 1}); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("reserved output spent: %v", err)
	}
	if _, err := h.w.Withdraw(ctx, SpendRequest{DestScript: dest, Amount: 1000, Feerate: 253, MinConf: 1,
		UTXOs: []wire.OutPoint{op}}); !errors.Is(err, ErrReserved) {
		t.Fatalf("reserved output given explicitly: %v", err)
	}
	if _, err := h.w.Reserve(ctx, []wire.OutPoint{op}, 10, true); !errors.Is(err, ErrReserved) {
		t.Fatalf("exclusive double reservation: %v", err)
	}
}

func TestRestartKeepsOutputsReservationsAndKeys(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	addr := h.newAddr(signer.P2WPKH)
	fund := payment(4, wire.NewTxOut(70_000, addr), wire.NewTxOut(30_000, addr))
	h.chain.mine(fund)
	h.sync()
	op := wire.OutPoint{Hash: fund.TxHash(), Index: 1}
	res, err := h.w.Reserve(ctx, []wire.OutPoint{op}, 5, true)
	if err != nil || !res[0].Reserved || res[0].WasReserved || res[0].ReservedToBlock != 107 {
		t.Fatalf("reserve %+v %v", res, err)
	}
	// A prepared but unpublished spend keeps its input reserved too.
	spend, err := h.w.PrepareSpend(ctx, SpendRequest{DestScript: outsideScript(t), Amount: 20_000, Feerate: 500, MinConf: 1})
	if err != nil {
		t.Fatal(err)
	}
	if spend.Tx.TxIn[0].PreviousOutPoint.Index != 0 {
		t.Fatalf("spend took the reserved output")
	}
	h.restart()
	outs := h.outputs(false)
	if len(outs) != 2 || !outs[0].Reserved || !outs[1].Reserved || outs[1].ReservedToBlock != 107 {
		t.Fatalf("after restart %+v", outs)
	}
	// Key indexes survive: the next address is a new one.
	if next := h.newAddr(signer.P2WPKH); string(next) == string(addr) {
		t.Fatal("address handed out twice across a restart")
	}
	// Reservations end by themselves at their block.
	for i := 0; i < 6; i++ {
		h.chain.mine()
	}
	h.sync()
	for _, o := range h.outputs(false) {
		if o.Reserved && o.OutPoint == op {
			t.Fatalf("reservation did not expire at 107 (tip %d)", h.w.Tip())
		}
	}
	// Explicit unreserve.
	if _, err := h.w.Reserve(ctx, []wire.OutPoint{op}, 50, true); err != nil {
		t.Fatal(err)
	}
	res, err = h.w.Unreserve(ctx, []wire.OutPoint{op})
	if err != nil || !res[0].WasReserved || res[0].Reserved {
		t.Fatalf("unreserve %+v %v", res, err)
	}
}

func TestGapLimitAndRescan(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	keys := testKeys(t)
	script := func(i uint32) []byte {
		_, s, err := keys.Address(signer.KeyPath{Kind: signer.P2WPKH, Index: i})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Index 30 is beyond the first window (0..19), but index 15 paid in
	// the same block moves the window to 0..35: both are found.
	h.chain.mine(payment(5, wire.NewTxOut(1000, script(30))), payment(6, wire.NewTxOut(2000, script(15))))
	// Index 60 is beyond any window: not found.
	h.chain.mine(payment(7, wire.NewTxOut(4000, script(60))))
	h.sync()
	if b := h.balance(); b[StatusConfirmed] != 3000 {
		t.Fatalf("gap scan %v", b)
	}
	// Once index 45 was seen paid (after birth), a rescan finds index 60.
	h.chain.mine(payment(8, wire.NewTxOut(8000, script(45))))
	h.sync()
	if b := h.balance(); b[StatusConfirmed] != 11000 {
		t.Fatalf("before rescan %v", b)
	}
	if err := h.w.Rescan(ctx, h.w.Birth()); err != nil {
		t.Fatal(err)
	}
	if b := h.balance(); b[StatusConfirmed] != 15000 || h.w.Tip() != 104 {
		t.Fatalf("after rescan %v tip %d", b, h.w.Tip())
	}
}

func TestUnconfirmedChainInMempool(t *testing.T) {
	h := newHarness(t, 101)
	addr := h.newAddr(signer.P2TR)
	parent := payment(9, wire.NewTxOut(90_000, addr))
	// A child spending our unconfirmed output, listed before its parent.
	child := wire.NewMsgTx(2)
	child.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: parent.TxHash()}})
	child.AddTxOut(wire.NewTxOut(80_000, outsideScript(t)))
	h.chain.addMempool(child, parent)
	h.sync()
	outs := h.outputs(true)
	if len(outs) != 1 || outs[0].Status != StatusSpent {
		t.Fatalf("outputs %+v", outs)
	}
}

func TestFeerates(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	if f := h.w.Feerates(ctx); !f.Missing || f.Floor != 253 || f.Opening != 0 || len(f.Estimates) != 0 {
		t.Fatalf("no estimate, no fallback: %+v", f)
	}
	if _, err := h.w.Feerate(ctx, FeerateSpec{Blocks: TargetNormal}); !errors.Is(err, ErrNoFeerate) {
		t.Fatalf("normal without estimate: %v", err)
	}
	h.w.cfg.FallbackFeerate = 1000
	f := h.w.Feerates(ctx)
	if f.Missing || f.Opening != 1000 || f.MinAcceptable != 500 || f.MaxAcceptable != 10000 || len(f.Estimates) != 4 {
		t.Fatalf("fallback: %+v", f)
	}
	h.chain.estimate = 3000
	if rate, err := h.w.Feerate(ctx, FeerateSpec{Blocks: TargetUrgent}); err != nil || rate != 3000 {
		t.Fatalf("estimate: %d %v", rate, err)
	}
	if rate, _ := h.w.Feerate(ctx, FeerateSpec{Minimum: true}); rate != FeerateFloor {
		t.Fatalf("minimum %d", rate)
	}
}

// TestForceFeerates: Core Lightning's force-feerates replaces the chain's
// estimates role by role, the last value standing for the rest.
func TestForceFeerates(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 101)
	h.chain.estimate = 3000
	for _, tc := range []struct {
		forced                                       []lnwire.FeeratePerKW
		opening, mutual, unilateral, anchor, penalty lnwire.FeeratePerKW
	}{
		{[]lnwire.FeeratePerKW{1000}, 1000, 1000, 1000, 1000, 1000},
		{[]lnwire.FeeratePerKW{1000, 500}, 1000, 500, 500, 500, 500},
		{[]lnwire.FeeratePerKW{1000, 500, 2000, 600, 700, 4000}, 1000, 500, 2000, 500, 4000},
	} {
		h.w.cfg.ForceFeerates = tc.forced
		f := h.w.Feerates(ctx)
		if f.Missing || f.Opening != tc.opening || f.MutualClose != tc.mutual || f.UnilateralClose != tc.unilateral ||
			f.UnilateralAnchorClose != tc.anchor || f.Penalty != tc.penalty {
			t.Errorf("forced %v: %+v", tc.forced, f)
		}
		if rate, err := h.w.Feerate(ctx, FeerateSpec{Blocks: TargetNormal}); err != nil || rate != tc.opening {
			t.Errorf("forced %v: normal %d %v", tc.forced, rate, err)
		}
	}
}
