package channel

import (
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// negotiatingPair returns a clean channel whose shutdowns were exchanged;
// alice's first closing_signed waits in bob's inbox.
func negotiatingPair(t *testing.T, feeRange bool) *harness {
	t.Helper()
	policy := DefaultPolicy()
	policy.ShutdownScript = append([]byte{0, 20}, make([]byte, 20)...)
	policy.ClosingFeeRange = feeRange
	h, err := newHarness(defaultConfig(), policy)
	if err != nil {
		t.Fatal(err)
	}
	h.step(h.nodes[0], Shutdown{Script: policy.ShutdownScript})
	h.deliver(h.nodes[1], -1)
	h.deliver(h.nodes[0], -1)
	if len(h.nodes[1].inbox) != 1 {
		t.Fatalf("bob's inbox: %d messages", len(h.nodes[1].inbox))
	}
	return h
}

// closingFrom signs, as the node, a closing_signed at the fee.
func closingFrom(t *testing.T, n *node, fee lnwire.Satoshi, r *FeeRange) *lnwire.ClosingSigned {
	t.Helper()
	tx, err := n.state.closingTx(fee, n.state.Local.DustLimit, true)
	if err != nil {
		t.Fatal(err)
	}
	m, err := n.state.signClosing(n.env, tx, fee, r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClosingNegotiationViolations(t *testing.T) {
	cases := []struct {
		name     string
		feeRange bool
		// setup returns the receiver and the message.
		setup  func(t *testing.T, h *harness) (*node, lnwire.Message)
		want   error
		action Action
	}{
		{"invalid signature", false, func(t *testing.T, h *harness) (*node, lnwire.Message) {
			m := *h.nodes[1].inbox[0].(*lnwire.ClosingSigned)
			m.Signature[3] ^= 1
			return h.nodes[1], &m
		}, ErrBadClosingSignature, Fail},
		{"fee above the opener's balance", false, func(t *testing.T, h *harness) (*node, lnwire.Message) {
			m := *h.nodes[1].inbox[0].(*lnwire.ClosingSigned)
			m.FeeSatoshis = 700_001
			return h.nodes[1], &m
		}, ErrClosingFee, Fail},
		{"legacy fee not strictly between", false, func(t *testing.T, h *harness) (*node, lnwire.Message) {
			alice, bob := h.nodes[0], h.nodes[1]
			bob.env.Policy.ClosingFeerate = 500
			h.deliver(bob, 1)   // alice's proposal; bob counters lower
			h.deliver(alice, 1) // alice moves half way and answers
			// alice now proposes a fee above her previous one.
			return bob, closingFrom(t, alice, alice.state.Closing.LastSent+500, nil)
		}, ErrClosingFee, Fail},
		{"fee_range without overlap", true, func(t *testing.T, h *harness) (*node, lnwire.Message) {
			return h.nodes[1], closingFrom(t, h.nodes[0], 100, &FeeRange{Min: 50, Max: 150})
		}, ErrClosingFeeRange, Warn},
		{"opener gets a fee outside the overlap", true, func(t *testing.T, h *harness) (*node, lnwire.Message) {
			alice := h.nodes[0]
			return alice, closingFrom(t, h.nodes[1], alice.state.Closing.OurRange.Max+1, &FeeRange{Min: 1, Max: 600_000})
		}, ErrClosingFee, Fail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := negotiatingPair(t, tc.feeRange)
			victim, msg := tc.setup(t, h)
			before := victim.state.Clone()
			next, effects, err := Step(victim.state, victim.env, PeerMessage{Msg: msg})
			checkProtocolError(t, err, tc.want, tc.action)
			checkActionEffects(t, before, next, effects, tc.action)
		})
	}
}

// TestClosingTransaction checks the transaction both sides broadcast: one
// input spending the funding output, both outputs to the shutdown scripts,
// the fee taken from the opener.
func TestClosingTransaction(t *testing.T) {
	h := negotiatingPair(t, true)
	var txs []BroadcastTx
	for round := 0; round < 10 && len(txs) < 2; round++ {
		for _, n := range h.nodes {
			for len(n.inbox) > 0 {
				m := n.inbox[0]
				n.inbox = n.inbox[1:]
				next, effects, err := Step(n.state, n.env, PeerMessage{Msg: m})
				if err != nil {
					t.Fatal(err)
				}
				n.state = next
				for _, e := range effects {
					switch e := e.(type) {
					case SendMessage:
						p := h.peer(n)
						p.inbox = append(p.inbox, e.Msg)
					case BroadcastTx:
						txs = append(txs, e)
					}
				}
			}
		}
	}
	if len(txs) != 2 || txs[0].Tx.TxHash() != txs[1].Tx.TxHash() {
		t.Fatalf("%d broadcasts, or two different transactions", len(txs))
	}
	tx := txs[0].Tx
	if len(tx.TxIn) != 1 || tx.TxIn[0].PreviousOutPoint.Hash != testFundingTxID || len(tx.TxIn[0].Witness) != 4 {
		t.Fatalf("closing input %+v", tx.TxIn)
	}
	var total int64
	for _, out := range tx.TxOut {
		total += out.Value
	}
	fee := int64(h.nodes[0].state.Closing.FinalFee)
	if len(tx.TxOut) != 2 || total+fee != 1_000_000 {
		t.Fatalf("%d outputs paying %d with fee %d", len(tx.TxOut), total, fee)
	}
	for _, out := range tx.TxOut {
		if out.Value != 300_000 && out.Value != 700_000-fee {
			t.Fatalf("output of %d: the fee is not taken from the opener", out.Value)
		}
	}
}

// verifyFundingSpend runs the script engine on a transaction spending the
// channel's funding output.
func verifyFundingSpend(t *testing.T, s *State, tx *wire.MsgTx) {
	t.Helper()
	funding, err := s.funding()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := channeltx.FundingOutput(funding.LocalKey, funding.RemoteKey, funding.Amount)
	if err != nil {
		t.Fatal(err)
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(out.PkScript, out.Value)
	engine, err := txscript.NewEngine(out.PkScript, tx, 0, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, fetcher), out.Value, fetcher)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Execute(); err != nil {
		t.Fatalf("script engine: %v", err)
	}
}

// TestSignedTransactionsSpendFunding checks with the script engine that the
// mutual close and our force-close commitment are valid spends.
func TestSignedTransactionsSpendFunding(t *testing.T) {
	h := negotiatingPair(t, false)
	h.deliverAll()
	for _, n := range h.nodes {
		if n.closeTx != 1 {
			t.Fatalf("%s broadcast %d transactions", n.name, n.closeTx)
		}
	}
	final := h.nodes[0].state
	tx, err := final.closingTx(final.Closing.FinalFee, final.Local.DustLimit, true)
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := final.Closing.FinalSignature.ToECDSA()
	theirs, _ := h.nodes[1].state.Closing.FinalSignature.ToECDSA()
	tx.AddWitness(ours, theirs)
	verifyFundingSpend(t, &final, tx.Tx)

	busy := busyPair(t)
	for _, n := range busy.nodes {
		commitment, err := LocalCommitmentTx(&n.state, n.signer)
		if err != nil {
			t.Fatal(err)
		}
		if len(commitment.TxOut) < 3 {
			t.Fatalf("%s's commitment has %d outputs, want HTLC outputs too", n.name, len(commitment.TxOut))
		}
		verifyFundingSpend(t, &n.state, commitment)
	}
}
