package channeltx

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// TestAppendixB rebuilds and signs the funding transaction of BOLT #3
// "Appendix B: Funding Transaction Test Vectors".
func TestAppendixB(t *testing.T) {
	v := map[string]string{}
	for _, l := range readVectorLines(t, "testdata/appendix_b.txt") {
		v[l.key] = l.value
	}
	localKey := mustPubKey(t, v["local_funding_pubkey"])
	remoteKey := mustPubKey(t, v["remote_funding_pubkey"])
	coinbaseKey := mustPrivKey(t, v["Block 1 coinbase privkey"])

	script, err := FundingScript(localKey, remoteKey)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustHex(t, v["funding witness script"]); !bytes.Equal(script, want) {
		t.Fatalf("funding script %x, want %x", script, want)
	}
	// The order of the keys does not matter.
	if swapped, _ := FundingScript(remoteKey, localKey); !bytes.Equal(swapped, script) {
		t.Fatal("funding script depends on argument order")
	}

	fundingSat, _ := strconv.ParseInt(v["funding satoshis"], 10, 64)
	changeSat, _ := strconv.ParseInt(v["change satoshis"], 10, 64)
	inputHash, err := chainhash.NewHashFromStr(v["input txid"])
	if err != nil {
		t.Fatal(err)
	}
	fundingOut, witnessScript, err := FundingOutput(localKey, remoteKey, lnwire.Satoshi(fundingSat))
	if err != nil || !bytes.Equal(witnessScript, script) {
		t.Fatalf("FundingOutput: %v", err)
	}
	coinbasePub := coinbaseKey.PubKey().SerializeCompressed()
	changeScript := append([]byte{txscript.OP_0, txscript.OP_DATA_20}, btcutil.Hash160(coinbasePub)...)
	prevScript, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).
		AddData(btcutil.Hash160(coinbasePub)).AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG).Script()

	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(inputHash, 0), nil, nil))
	tx.AddTxOut(wire.NewTxOut(changeSat, changeScript))
	tx.AddTxOut(fundingOut)
	SortOutputs(tx.TxOut)
	if tx.TxOut[0] != fundingOut {
		t.Fatalf("funding output should sort first (funding output: %s)", v["funding output"])
	}
	sigScript, err := txscript.SignatureScript(tx, 0, prevScript, txscript.SigHashAll, coinbaseKey, true)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].SignatureScript = sigScript
	if got := hex.EncodeToString(serializeTx(t, tx)); got != v["funding tx"] {
		t.Fatalf("funding tx\n got %s\nwant %s", got, v["funding tx"])
	}
	if got := tx.TxHash().String(); got != v["txid"] {
		t.Fatalf("txid %s, want %s", got, v["txid"])
	}
}

func TestFundingScriptNeedsKeys(t *testing.T) {
	key := mustPubKey(t, "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")
	if _, err := FundingScript(key, nil); !errors.Is(err, ErrMissingKey) {
		t.Fatalf("got %v", err)
	}
	if _, _, err := FundingOutput(nil, key, 1000); !errors.Is(err, ErrMissingKey) {
		t.Fatalf("got %v", err)
	}
}

// Appendix A's worked example of the v2 funding weight (BOLT #3 Appendix G
// "Expected Fee Calculation", the opener: one input with a 107-byte witness
// and a 22-byte P2WPKH change script gives 609).
func TestExpectedFundingWeight(t *testing.T) {
	tests := []struct {
		inputs, witness int
		scripts         []int
		want            int64
	}{
		{1, 107, []int{22}, 609},
		{0, 0, nil, 4*(43+10) + 2},
		{2, 214, []int{22, 34}, 4*(43+2*41+2*9+22+34+10) + 2 + 214},
	}
	for _, tc := range tests {
		if got := ExpectedFundingWeight(tc.inputs, tc.witness, tc.scripts...); got != tc.want {
			t.Errorf("ExpectedFundingWeight(%d, %d, %v) = %d, want %d", tc.inputs, tc.witness, tc.scripts, got, tc.want)
		}
	}
}

func TestCommitmentNumberRoundTrip(t *testing.T) {
	local := mustPubKey(t, "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa")
	remote := mustPubKey(t, "032c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991")
	factor := ObscuringFactor(local, remote)
	// BOLT #3 Appendix C: obscured commitment number = 0x2bb038521914 ^ 42
	if factor != 0x2bb038521914 {
		t.Fatalf("obscuring factor %x", factor)
	}
	for _, n := range []uint64{0, 1, 42, 1<<24 - 1, 1 << 24, maxCommitmentNumber} {
		lockTime, sequence := commitmentLockTimeAndSequence(n, factor)
		tx := wire.NewMsgTx(2)
		tx.LockTime = lockTime
		tx.AddTxIn(&wire.TxIn{Sequence: sequence})
		got, err := CommitmentNumberOf(tx, factor)
		if err != nil || got != n {
			t.Fatalf("commitment %d: got %d, %v", n, got, err)
		}
	}
	notCommitment := wire.NewMsgTx(2)
	notCommitment.AddTxIn(&wire.TxIn{Sequence: wire.MaxTxInSequenceNum})
	if _, err := CommitmentNumberOf(notCommitment, factor); !errors.Is(err, ErrNotCommitment) {
		t.Fatalf("got %v", err)
	}
}
