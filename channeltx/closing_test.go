package channeltx

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

var (
	localCloseScript  = []byte{txscript.OP_0, txscript.OP_DATA_20, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	remoteCloseScript = []byte{txscript.OP_0, txscript.OP_DATA_20, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}
	opReturnScript    = []byte{txscript.OP_RETURN, txscript.OP_DATA_1, 7}
)

// closingOutputs returns script -> value of a closing transaction.
func closingOutputs(tx *wire.MsgTx) map[string]int64 {
	m := map[string]int64{}
	for _, o := range tx.TxOut {
		m[string(o.PkScript)] = o.Value
	}
	return m
}

func TestBuildClosingTx(t *testing.T) {
	ch := loadVectorChannel(t)
	total := ch.funding.Amount.ToMilliSatoshis()
	tests := []struct {
		name string
		spec ClosingSpec
		want map[string]int64
		err  error
	}{
		{"local closer pays the fee", ClosingSpec{Closer: Local, Fee: 1000, LocalScript: localCloseScript, RemoteScript: remoteCloseScript,
			LocalBalance: 6000000500, RemoteBalance: total - 6000000500},
			map[string]int64{string(localCloseScript): 5999000, string(remoteCloseScript): 3999999}, nil},
		{"remote closer pays the fee", ClosingSpec{Closer: Remote, Fee: 1000, LocalScript: localCloseScript, RemoteScript: remoteCloseScript,
			LocalBalance: 6000000000, RemoteBalance: total - 6000000000},
			map[string]int64{string(localCloseScript): 6000000, string(remoteCloseScript): 3999000}, nil},
		{"closee output omitted", ClosingSpec{Closer: Local, Fee: 500, LocalScript: localCloseScript,
			LocalBalance: 9999000000, RemoteBalance: 1000000},
			map[string]int64{string(localCloseScript): 9998500}, nil},
		{"OP_RETURN output gets 0", ClosingSpec{Closer: Remote, Fee: 200, LocalScript: localCloseScript, RemoteScript: opReturnScript,
			LocalBalance: total - 300000, RemoteBalance: 300000},
			map[string]int64{string(localCloseScript): 9999700, string(opReturnScript): 0}, nil},
		{"fee above the closer's balance", ClosingSpec{Closer: Remote, Fee: 301, LocalScript: localCloseScript, RemoteScript: remoteCloseScript,
			LocalBalance: total - 300000, RemoteBalance: 300000}, nil, ErrFeeTooHigh},
		{"no outputs", ClosingSpec{Closer: Local, Fee: 1, LocalBalance: total}, nil, ErrNoOutputs},
		{"balances above funding", ClosingSpec{Closer: Local, LocalScript: localCloseScript, LocalBalance: total + 1}, nil, ErrUnbalanced},
		{"negative fee", ClosingSpec{Closer: Local, Fee: -1, LocalScript: localCloseScript, LocalBalance: total}, nil, ErrNegativeAmount},
		{"unknown closer", ClosingSpec{Closer: 4, LocalScript: localCloseScript, LocalBalance: total}, nil, ErrUnknownParty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.Funding = ch.funding
			spec.LockTime = 800000
			c, err := BuildClosingTx(&spec)
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if got := closingOutputs(c.Tx); len(got) != len(tc.want) || len(c.Tx.TxOut) != len(tc.want) {
				t.Fatalf("outputs %v, want %v", got, tc.want)
			} else {
				for script, v := range tc.want {
					if got[script] != v {
						t.Fatalf("outputs %v, want %v", got, tc.want)
					}
				}
			}
			// BOLT #3: sequence 0xFFFFFFFD, locktime from closing_complete,
			// outputs in BIP 69 order.
			if c.Tx.TxIn[0].Sequence != 0xFFFFFFFD || c.Tx.LockTime != 800000 || c.Tx.Version != 2 {
				t.Fatalf("sequence %x locktime %d version %d", c.Tx.TxIn[0].Sequence, c.Tx.LockTime, c.Tx.Version)
			}
			checkSortedAndSign(t, ch, c)
		})
	}
}

func TestBuildLegacyClosingTx(t *testing.T) {
	ch := loadVectorChannel(t)
	total := ch.funding.Amount.ToMilliSatoshis()
	tests := []struct {
		name string
		spec LegacyClosingSpec
		want map[string]int64
		err  error
	}{
		{"opener pays, both outputs", LegacyClosingSpec{Opener: Local, Fee: 2000, DustLimit: 546,
			LocalScript: localCloseScript, RemoteScript: remoteCloseScript, LocalBalance: 7000000999, RemoteBalance: 2999999001},
			map[string]int64{string(localCloseScript): 6998000, string(remoteCloseScript): 2999999}, nil},
		{"output below the dust limit removed", LegacyClosingSpec{Opener: Remote, Fee: 2000, DustLimit: 546,
			LocalScript: localCloseScript, RemoteScript: remoteCloseScript, LocalBalance: 545999, RemoteBalance: total - 545999},
			map[string]int64{string(remoteCloseScript): 9997454}, nil},
		{"own output eliminated", LegacyClosingSpec{Opener: Local, Fee: 100, DustLimit: 546,
			RemoteScript: remoteCloseScript, LocalBalance: 5000000000, RemoteBalance: 5000000000},
			map[string]int64{string(remoteCloseScript): 5000000}, nil},
		{"every output dust", LegacyClosingSpec{Opener: Local, Fee: 0, DustLimit: 20000000,
			LocalScript: localCloseScript, RemoteScript: remoteCloseScript, LocalBalance: 5000000000, RemoteBalance: 5000000000},
			nil, ErrNoOutputs},
		{"fee above the opener's balance", LegacyClosingSpec{Opener: Local, Fee: 1001, DustLimit: 546,
			LocalScript: localCloseScript, RemoteScript: remoteCloseScript, LocalBalance: 1000000, RemoteBalance: total - 1000000},
			nil, ErrFeeTooHigh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.Funding = ch.funding
			c, err := BuildLegacyClosingTx(&spec)
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			got := closingOutputs(c.Tx)
			for script, v := range tc.want {
				if got[script] != v {
					t.Fatalf("outputs %v, want %v", got, tc.want)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("outputs %v, want %v", got, tc.want)
			}
			// BOLT #3: locktime 0, sequence 0xFFFFFFFF.
			if c.Tx.TxIn[0].Sequence != 0xFFFFFFFF || c.Tx.LockTime != 0 {
				t.Fatalf("sequence %x locktime %d", c.Tx.TxIn[0].Sequence, c.Tx.LockTime)
			}
			checkSortedAndSign(t, ch, c)
		})
	}
}

// checkSortedAndSign checks BIP 69 order, signs with both funding keys,
// runs the script engine and compares the weight with ExpectedWeight.
func checkSortedAndSign(t *testing.T, ch *vectorChannel, c *ClosingTx) {
	t.Helper()
	for i := 1; i < len(c.Tx.TxOut); i++ {
		if compareOutputs(c.Tx.TxOut[i-1], c.Tx.TxOut[i], 0, 0) > 0 {
			t.Fatal("outputs not in BIP 69 order")
		}
	}
	expected := c.ExpectedWeight()
	localSig, err := c.Sign(ch.localFundingPriv)
	if err != nil {
		t.Fatal(err)
	}
	remoteSig, _ := c.Sign(ch.remoteFundingPriv)
	if err := c.Verify(Remote, remoteSig); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(Remote, localSig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("local signature accepted as the remote's: %v", err)
	}
	c.AddWitness(localSig, remoteSig)
	runScript(t, c.Tx, 0, WitnessScriptHash(c.FundingScript), c.Funding.Amount)
	if w := txWeight(c.Tx); w > expected || w < expected-8 {
		t.Fatalf("weight %d, expected %d", w, expected)
	}
	if !bytes.Equal(c.Tx.TxIn[0].Witness[3], c.FundingScript) {
		t.Fatal("witness does not end with the funding script")
	}
}
