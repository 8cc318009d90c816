package channeltx

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// spendCase spends one output of a commitment (or HTLC) transaction: the
// witness builder under test is run by the script engine.
type spendCase struct {
	name     string
	kind     OutputKind // which output of the commitment, 0 for the HTLC tx output
	htlc     int        // for HTLC outputs: the appendix HTLC number
	sequence uint32
	lockTime uint32
	witness  func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, script []byte) wire.TxWitness
	wantOK   bool
}

// spendOutput builds a transaction spending prevOut with the case's witness
// and reports whether the script engine accepts it.
func spendOutput(t *testing.T, prevTx *wire.MsgTx, index int, witnessScript []byte, sc spendCase) error {
	t.Helper()
	prevOut := prevTx.TxOut[index]
	tx := wire.NewMsgTx(2)
	tx.LockTime = sc.lockTime
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prevTx.TxHash(), Index: uint32(index)}, Sequence: sc.sequence})
	tx.AddTxOut(wire.NewTxOut(prevOut.Value/2, []byte{txscript.OP_0, txscript.OP_DATA_20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}))
	sign := func(key *btcec.PrivateKey, script []byte) *ecdsa.Signature {
		sig, err := SignWitness(key, tx, 0, script, lnwire.Satoshi(prevOut.Value), txscript.SigHashAll)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	tx.TxIn[0].Witness = sc.witness(sign, witnessScript)
	return scriptError(tx, 0, prevOut.PkScript, lnwire.Satoshi(prevOut.Value))
}

func TestWitnessesSpendEveryOutput(t *testing.T) {
	ch := loadVectorChannel(t)
	delay := uint32(ch.toSelfDelay)
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		htlcs, numbers := ch.htlcsFor("all five")
		c, err := BuildCommitment(ch.spec(typ, 6988000000, 3000000000, 0, ch.dustLimit, htlcs))
		if err != nil {
			t.Fatal(err)
		}
		csv1 := uint32(0) // the sequence anchor channels need on to_remote and HTLC outputs
		if typ.HasAnchors() {
			csv1 = 1
		}
		revocation := func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
			return HTLCRevocationWitness(sign(ch.revocationPriv, s), ch.keys.Revocation, s)
		}
		cases := []spendCase{
			{name: "to_local after to_self_delay", kind: ToLocal, sequence: delay, wantOK: true,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ToLocalDelayedWitness(sign(ch.localDelayedPriv, s), s)
				}},
			{name: "to_local before to_self_delay", kind: ToLocal, sequence: delay - 1, wantOK: false,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ToLocalDelayedWitness(sign(ch.localDelayedPriv, s), s)
				}},
			{name: "to_local with the revocation key", kind: ToLocal, wantOK: true,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ToLocalRevocationWitness(sign(ch.revocationPriv, s), s)
				}},
			{name: "to_local revocation path with the delayed key", kind: ToLocal, wantOK: false,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ToLocalRevocationWitness(sign(ch.localDelayedPriv, s), s)
				}},
			{name: "to_remote", kind: ToRemote, sequence: csv1, wantOK: true,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ToRemoteWitness(typ, sign(ch.remotePaymentPriv, s), ch.keys.CountersignatoryPayment)
				}},
			{name: "received HTLC timed out by the remote", kind: ReceivedHTLC, htlc: 0, sequence: csv1, lockTime: 500, wantOK: true,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ReceivedHTLCTimeoutWitness(sign(ch.remoteHTLCPriv, s), s)
				}},
			{name: "received HTLC before its expiry", kind: ReceivedHTLC, htlc: 0, sequence: csv1, lockTime: 499, wantOK: false,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return ReceivedHTLCTimeoutWitness(sign(ch.remoteHTLCPriv, s), s)
				}},
			{name: "received HTLC revoked", kind: ReceivedHTLC, htlc: 0, wantOK: true, witness: revocation},
			{name: "offered HTLC claimed by the remote with the preimage", kind: OfferedHTLC, htlc: 2, sequence: csv1, wantOK: true,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return OfferedHTLCPreimageWitness(sign(ch.remoteHTLCPriv, s), ch.preimages[2], s)
				}},
			{name: "offered HTLC with a wrong preimage", kind: OfferedHTLC, htlc: 2, sequence: csv1, wantOK: false,
				witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return OfferedHTLCPreimageWitness(sign(ch.remoteHTLCPriv, s), ch.preimages[3], s)
				}},
			{name: "offered HTLC revoked", kind: OfferedHTLC, htlc: 2, wantOK: true, witness: revocation},
		}
		if typ.HasAnchors() {
			anchor := func(key *btcec.PrivateKey) func(func(*btcec.PrivateKey, []byte) *ecdsa.Signature, []byte) wire.TxWitness {
				return func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
					return AnchorWitness(sign(key, s), s)
				}
			}
			sweep := func(_ func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
				return AnchorSweepWitness(s)
			}
			cases = append(cases,
				spendCase{name: "to_remote without the 1-block CSV", kind: ToRemote, sequence: 0, wantOK: false,
					witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
						return ToRemoteWitness(typ, sign(ch.remotePaymentPriv, s), ch.keys.CountersignatoryPayment)
					}},
				spendCase{name: "offered HTLC preimage path without the 1-block CSV", kind: OfferedHTLC, htlc: 2, sequence: 0, wantOK: false,
					witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
						return OfferedHTLCPreimageWitness(sign(ch.remoteHTLCPriv, s), ch.preimages[2], s)
					}},
				spendCase{name: "local anchor with the local funding key", kind: LocalAnchor, wantOK: true, witness: anchor(ch.localFundingPriv)},
				spendCase{name: "local anchor with the remote funding key", kind: LocalAnchor, wantOK: false, witness: anchor(ch.remoteFundingPriv)},
				spendCase{name: "remote anchor with the remote funding key", kind: RemoteAnchor, wantOK: true, witness: anchor(ch.remoteFundingPriv)},
				spendCase{name: "anchor swept by anyone after 16 blocks", kind: LocalAnchor, sequence: 16, wantOK: true, witness: sweep},
				spendCase{name: "anchor swept by anyone after 15 blocks", kind: RemoteAnchor, sequence: 15, wantOK: false, witness: sweep},
			)
		}
		for _, sc := range cases {
			t.Run(fmt.Sprintf("%s/%s", typ, sc.name), func(t *testing.T) {
				index := findOutput(t, c, sc.kind, sc.htlc, numbers)
				script := c.Outputs[index].WitnessScript
				if script == nil { // P2WPKH to_remote: the sighash uses the output script
					script = c.Tx.TxOut[index].PkScript
				}
				err := spendOutput(t, c.Tx, index, script, sc)
				if sc.wantOK && err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if !sc.wantOK && err == nil {
					t.Fatal("accepted a spend that must fail")
				}
			})
		}

		// The HTLC transactions' outputs: delayed for the broadcaster,
		// immediate with the revocation key.
		for _, h := range c.HTLCTransactions() {
			remoteSig, _ := h.Sign(Remote, ch.remoteHTLCPriv)
			localSig, _ := h.Sign(Local, ch.localHTLCPriv)
			if err := h.AddWitness(localSig, remoteSig, ch.preimages[numbers[h.HTLCIndex]]); err != nil {
				t.Fatal(err)
			}
			prev := c.Tx.TxOut[h.Tx.TxIn[0].PreviousOutPoint.Index]
			runScript(t, h.Tx, 0, prev.PkScript, lnwire.Satoshi(prev.Value))
			for _, sc := range []spendCase{
				{name: "delayed", sequence: delay, wantOK: true,
					witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
						return ToLocalDelayedWitness(sign(ch.localDelayedPriv, s), s)
					}},
				{name: "too early", sequence: delay - 1, wantOK: false,
					witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
						return ToLocalDelayedWitness(sign(ch.localDelayedPriv, s), s)
					}},
				{name: "revoked", wantOK: true,
					witness: func(sign func(*btcec.PrivateKey, []byte) *ecdsa.Signature, s []byte) wire.TxWitness {
						return ToLocalRevocationWitness(sign(ch.revocationPriv, s), s)
					}},
			} {
				err := spendOutput(t, h.Tx, 0, h.OutputScript, sc)
				if (err == nil) != sc.wantOK {
					t.Errorf("%s: second-stage output of HTLC #%d, %s: %v", typ, numbers[h.HTLCIndex], sc.name, err)
				}
			}
		}
	}
}

func findOutput(t *testing.T, c *Commitment, kind OutputKind, htlc int, numbers []int) int {
	t.Helper()
	for i, o := range c.Outputs {
		if o.Kind != kind {
			continue
		}
		if (kind == OfferedHTLC || kind == ReceivedHTLC) && numbers[o.HTLCIndex] != htlc {
			continue
		}
		return i
	}
	t.Fatalf("no %s output", kind)
	return -1
}

// A P2WPKH to_remote is signed over its output script, which BIP 143 turns
// into the P2PKH script code.
func TestToRemoteStaticIsP2WPKH(t *testing.T) {
	ch := loadVectorChannel(t)
	pkScript, witnessScript := ToRemoteOutputScript(StaticRemoteKey, ch.keys.CountersignatoryPayment)
	if witnessScript != nil || len(pkScript) != 22 || !bytes.Equal(pkScript, PayToWitnessPubKeyHash(ch.keys.CountersignatoryPayment)) {
		t.Fatalf("static_remotekey to_remote must be P2WPKH, got %x", pkScript)
	}
	pkScript, witnessScript = ToRemoteOutputScript(AnchorsZeroFeeHTLC, ch.keys.CountersignatoryPayment)
	if !bytes.Equal(pkScript, WitnessScriptHash(witnessScript)) {
		t.Fatal("anchor to_remote must be P2WSH of its script")
	}
}
