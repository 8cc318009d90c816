package channeltx

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// appendixFCase is one test vector of BOLT #3 "Appendix F: Commitment and
// HTLC Transaction Test Vectors (anchors)", which uses the channel of
// Appendix C with option_anchors (zero-fee HTLC transactions).
type appendixFCase struct {
	Name              string
	LocalBalance      uint64
	RemoteBalance     uint64
	DustLimitSatoshis int64
	FeePerKw          uint32
	UseTestHtlcs      bool
	HtlcDescs         []struct {
		RemoteSigHex    string
		ResolutionTxHex string
	}
	ExpectedCommitmentTxHex string
	RemoteSigHex            string
}

func loadAppendixF(t *testing.T) []appendixFCase {
	t.Helper()
	data, err := os.ReadFile("testdata/appendix_f.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []appendixFCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 9 {
		t.Fatalf("parsed %d Appendix F cases, want 9", len(cases))
	}
	return cases
}

func TestAppendixF(t *testing.T) {
	ch := loadVectorChannel(t)
	for _, tc := range loadAppendixF(t) {
		t.Run(tc.Name, func(t *testing.T) {
			htlcs, numbers := ch.htlcsFor(tc.Name)
			if !tc.UseTestHtlcs && htlcs != nil {
				t.Fatal("case uses no HTLCs")
			}
			spec := ch.spec(AnchorsZeroFeeHTLC, lnwire.MilliSatoshi(tc.LocalBalance), lnwire.MilliSatoshi(tc.RemoteBalance),
				lnwire.FeeratePerKW(tc.FeePerKw), lnwire.Satoshi(tc.DustLimitSatoshis), htlcs)
			c, err := BuildCommitment(spec)
			if err != nil {
				t.Fatal(err)
			}
			localSig, err := c.Sign(ch.localFundingPriv)
			if err != nil {
				t.Fatal(err)
			}
			remoteSig, err := c.Sign(ch.remoteFundingPriv)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(remoteSig.Serialize()); got != tc.RemoteSigHex {
				t.Errorf("remote signature %s, want %s", got, tc.RemoteSigHex)
			}
			if err := c.Verify(Remote, parseDER(t, tc.RemoteSigHex)); err != nil {
				t.Fatalf("appendix remote signature: %v", err)
			}
			c.AddWitness(localSig, remoteSig)
			if got := hex.EncodeToString(serializeTx(t, c.Tx)); got != tc.ExpectedCommitmentTxHex {
				t.Fatalf("commitment tx\n got %s\nwant %s", got, tc.ExpectedCommitmentTxHex)
			}
			runScript(t, c.Tx, 0, WitnessScriptHash(c.FundingScript), c.Funding.Amount)

			htlcTxs := c.HTLCTransactions()
			if len(htlcTxs) != len(tc.HtlcDescs) {
				t.Fatalf("%d HTLC transactions, want %d", len(htlcTxs), len(tc.HtlcDescs))
			}
			for i, want := range tc.HtlcDescs {
				h := htlcTxs[i]
				if h.HashType(Remote) != SigHashSingleAnyoneCanPay {
					t.Fatal("the countersignatory must sign anchor HTLC transactions with SINGLE|ANYONECANPAY")
				}
				checkHTLCTx(t, ch, c, h, numbers, htlcVector{
					output:    int(h.Tx.TxIn[0].PreviousOutPoint.Index),
					htlc:      numbers[h.HTLCIndex],
					timeout:   h.Direction == Offered,
					remoteSig: want.RemoteSigHex,
					tx:        want.ResolutionTxHex,
				})
			}
		})
	}
}
