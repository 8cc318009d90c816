package channeltx

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// txWeight is the BIP 141 weight of a transaction.
func txWeight(tx *wire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
}

// TestFeeExample reproduces the worked example of BOLT #3 "Fees", "Example".
func TestFeeExample(t *testing.T) {
	ch := loadVectorChannel(t)
	const feerate, dust = 5000, 546
	if got := HTLCTimeoutFee(StaticRemoteKey, feerate); got != 3315 {
		t.Errorf("HTLC-timeout fee %d, want 3315", got)
	}
	if got := HTLCSuccessFee(StaticRemoteKey, feerate); got != 3515 {
		t.Errorf("HTLC-success fee %d, want 3515", got)
	}
	htlcs := []HTLC{
		{Offerer: Local, Amount: 5000000, PaymentHash: [32]byte{1}, CLTVExpiry: 600},
		{Offerer: Local, Amount: 1000000, PaymentHash: [32]byte{2}, CLTVExpiry: 600},
		{Offerer: Remote, Amount: 7000000, PaymentHash: [32]byte{3}, CLTVExpiry: 600},
		{Offerer: Remote, Amount: 800000, PaymentHash: [32]byte{4}, CLTVExpiry: 600},
	}
	remote := lnwire.MilliSatoshi(3000000000)
	local := ch.funding.Amount.ToMilliSatoshis() - remote - 13800000
	c, err := BuildCommitment(ch.spec(StaticRemoteKey, local, remote, feerate, dust, htlcs))
	if err != nil {
		t.Fatal(err)
	}
	if w := ExpectedCommitmentWeight(StaticRemoteKey, 2); w != 1068 {
		t.Errorf("weight %d, want 1068", w)
	}
	if c.BaseFee != 5340 || c.Fee != 7140 {
		t.Errorf("base fee %d, actual fee %d; want 5340 and 7140", c.BaseFee, c.Fee)
	}
	if !slices.Equal(c.Trimmed, []int{1, 3}) {
		t.Errorf("trimmed %v, want the 1000 and 800 satoshi HTLCs", c.Trimmed)
	}
	for _, h := range c.HTLCTransactions() {
		want := map[HTLCDirection]int64{Offered: 5000 - 3315, Received: 7000 - 3515}[h.Direction]
		if h.Tx.TxOut[0].Value != want {
			t.Errorf("%s HTLC transaction pays %d, want %d", h.Direction, h.Tx.TxOut[0].Value, want)
		}
	}
}

func TestTrimmingWithZeroFeeHTLCs(t *testing.T) {
	// With option_anchors, HTLC transactions have no fee, so only the dust
	// limit decides.
	for _, tc := range []struct {
		typ    ChannelType
		dir    HTLCDirection
		amount lnwire.MilliSatoshi
		want   bool
	}{
		{AnchorsZeroFeeHTLC, Offered, 546000, false},
		{AnchorsZeroFeeHTLC, Offered, 545999, true},
		{AnchorsZeroFeeHTLC, Received, 546000, false},
		{StaticRemoteKey, Offered, (546 + 663) * 1000, false},
		{StaticRemoteKey, Offered, (546+663)*1000 - 1, true},
		{StaticRemoteKey, Received, (546 + 663) * 1000, true},
		{StaticRemoteKey, Received, (546 + 703) * 1000, false},
	} {
		if got := IsTrimmed(tc.typ, 1000, 546, tc.dir, tc.amount); got != tc.want {
			t.Errorf("%s %s %d: trimmed %v, want %v", tc.typ, tc.dir, tc.amount, got, tc.want)
		}
	}
}

// The same commitment built by its owner (Owner: Local) and by the other
// party (Owner: Remote, everything mirrored) must be identical: that is how
// each side signs the other's commitment.
func TestCommitmentSameFromBothSides(t *testing.T) {
	ch := loadVectorChannel(t)
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, opener := range []Party{Local, Remote} {
			t.Run(fmt.Sprintf("%s/opener %s", typ, opener), func(t *testing.T) {
				htlcs, _ := ch.htlcsFor("all five")
				ours := ch.spec(typ, 6988000000, 3000000000, 2000, 546, htlcs)
				ours.Opener = opener
				theirs := *ours
				theirs.Owner, theirs.Opener = Remote, opener.Other()
				theirs.LocalBalance, theirs.RemoteBalance = ours.RemoteBalance, ours.LocalBalance
				theirs.Funding.LocalKey, theirs.Funding.RemoteKey = ours.Funding.RemoteKey, ours.Funding.LocalKey
				theirs.HTLCs = nil
				for _, h := range htlcs {
					h.Offerer = h.Offerer.Other()
					theirs.HTLCs = append(theirs.HTLCs, h)
				}
				a, err := BuildCommitment(ours)
				if err != nil {
					t.Fatal(err)
				}
				b, err := BuildCommitment(&theirs)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(serializeTx(t, a.Tx), serializeTx(t, b.Tx)) || a.Fee != b.Fee || !slices.Equal(a.Trimmed, b.Trimmed) {
					t.Fatal("the two views build different commitments")
				}
				for i := range a.Outputs {
					if a.Outputs[i].Kind != b.Outputs[i].Kind || a.Outputs[i].HTLCIndex != b.Outputs[i].HTLCIndex {
						t.Fatalf("output %d: %s vs %s", i, a.Outputs[i].Kind, b.Outputs[i].Kind)
					}
				}
				ha, hb := a.HTLCTransactions(), b.HTLCTransactions()
				for i := range ha {
					if !bytes.Equal(serializeTx(t, ha[i].Tx), serializeTx(t, hb[i].Tx)) {
						t.Fatalf("HTLC transaction %d differs", i)
					}
					if ha[i].HashType(Remote) != hb[i].HashType(Local) || ha[i].HashType(Local) != hb[i].HashType(Remote) {
						t.Fatal("sighash types do not follow the owner")
					}
					// The countersignatory's signature, made from either view,
					// verifies in the other.
					sig, err := hb[i].Sign(Local, ch.remoteHTLCPriv)
					if err != nil {
						t.Fatal(err)
					}
					if err := ha[i].Verify(Remote, sig); err != nil {
						t.Fatalf("HTLC %d: %v", i, err)
					}
				}
				sig, err := b.Sign(ch.remoteFundingPriv)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Verify(Remote, sig); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestAnchorOutputs(t *testing.T) {
	ch := loadVectorChannel(t)
	total := ch.funding.Amount.ToMilliSatoshis()
	bigHTLC := HTLC{Offerer: Remote, Amount: 5000000, PaymentHash: [32]byte{9}, CLTVExpiry: 700}
	tests := []struct {
		name             string
		local, remote    lnwire.MilliSatoshi
		htlcs            []HTLC
		wantLocalAnchor  bool
		wantRemoteAnchor bool
	}{
		{"both balances", total / 2, total / 2, nil, true, true},
		{"only local balance", total, 0, nil, true, false},
		{"only remote balance above dust", 100000, total - 100000, nil, false, true},
		{"HTLCs keep both anchors", 0, total - 5000000, []HTLC{bigHTLC}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := ch.spec(AnchorsZeroFeeHTLC, tc.local, tc.remote, 253, 546, tc.htlcs)
			if tc.local <= 100000 {
				spec.Opener = Remote // the opener must be able to pay fee and anchors
			}
			c, err := BuildCommitment(spec)
			if err != nil {
				t.Fatal(err)
			}
			if hasKind(c, LocalAnchor) != tc.wantLocalAnchor || hasKind(c, RemoteAnchor) != tc.wantRemoteAnchor {
				t.Fatalf("anchors: local %v remote %v", hasKind(c, LocalAnchor), hasKind(c, RemoteAnchor))
			}
			for i, o := range c.Outputs {
				if (o.Kind == LocalAnchor || o.Kind == RemoteAnchor) && c.Tx.TxOut[i].Value != int64(AnchorValue) {
					t.Fatalf("anchor of %d sat", c.Tx.TxOut[i].Value)
				}
			}
		})
	}
}

func TestBuildCommitmentErrors(t *testing.T) {
	ch := loadVectorChannel(t)
	valid := func() *CommitmentSpec {
		htlcs, _ := ch.htlcsFor("all five")
		return ch.spec(StaticRemoteKey, 6988000000, 3000000000, 1000, 546, htlcs)
	}
	tests := []struct {
		name   string
		modify func(*CommitmentSpec)
		want   error
	}{
		{"unset channel type", func(s *CommitmentSpec) { s.Type = 0 }, ErrUnknownChannelType},
		{"unknown channel type", func(s *CommitmentSpec) { s.Type = 9 }, ErrUnknownChannelType},
		{"unknown owner", func(s *CommitmentSpec) { s.Owner = 2 }, ErrUnknownParty},
		{"unknown opener", func(s *CommitmentSpec) { s.Opener = 7 }, ErrUnknownParty},
		{"unknown HTLC offerer", func(s *CommitmentSpec) { s.HTLCs[0].Offerer = 3 }, ErrUnknownParty},
		{"missing funding key", func(s *CommitmentSpec) { s.Funding.RemoteKey = nil }, ErrMissingKey},
		{"missing revocation key", func(s *CommitmentSpec) { s.Keys.Revocation = nil }, ErrMissingKey},
		{"commitment number above 48 bits", func(s *CommitmentSpec) { s.CommitmentNumber = 1 << 48 }, ErrCommitmentNumber},
		{"balances short of funding", func(s *CommitmentSpec) { s.LocalBalance-- }, ErrUnbalanced},
		{"balances above funding", func(s *CommitmentSpec) { s.RemoteBalance++ }, ErrUnbalanced},
		{"HTLC amount overflow", func(s *CommitmentSpec) { s.HTLCs[0].Amount = ^lnwire.MilliSatoshi(0) }, ErrUnbalanced},
		{"negative dust limit", func(s *CommitmentSpec) { s.DustLimit = -1 }, ErrNegativeAmount},
		{"opener cannot pay anchors", func(s *CommitmentSpec) {
			s.Type = AnchorsZeroFeeHTLC
			s.Feerate = 0
			s.LocalBalance, s.RemoteBalance = 100000, s.LocalBalance+s.RemoteBalance-100000
		}, ErrFeeTooHigh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := valid()
			tc.modify(spec)
			if _, err := BuildCommitment(spec); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := BuildCommitment(valid()); err != nil {
		t.Fatalf("valid spec: %v", err)
	}
}

// A commitment whose opener cannot pay the fee still builds: the opener's
// output disappears and the fee takes what is left (Appendix C "commitment
// tx with fee greater than funder amount").
func TestFeeAboveOpenerBalance(t *testing.T) {
	ch := loadVectorChannel(t)
	c, err := BuildCommitment(ch.spec(StaticRemoteKey, 1000000, ch.funding.Amount.ToMilliSatoshis()-1000000, 100000, 546, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Outputs) != 1 || c.Outputs[0].Kind != ToRemote || c.Fee != 1000 {
		t.Fatalf("outputs %v, fee %d", c.Outputs, c.Fee)
	}
}

// Signed transactions never weigh more than BOLT #3's expected weights.
func TestExpectedWeightsBoundActualWeights(t *testing.T) {
	ch := loadVectorChannel(t)
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, n := range []int{0, 1, 5, 30} {
			var htlcs []HTLC
			var sum lnwire.MilliSatoshi
			for i := 0; i < n; i++ {
				h := HTLC{Offerer: Party(i % 2), Amount: lnwire.MilliSatoshi(100000000 + i*1000), CLTVExpiry: lnwire.BlockHeight(500 + i)}
				h.PaymentHash = sha256.Sum256([]byte{byte(i)})
				htlcs = append(htlcs, h)
				sum += h.Amount
			}
			remote := lnwire.MilliSatoshi(3000000000)
			c, err := BuildCommitment(ch.spec(typ, ch.funding.Amount.ToMilliSatoshis()-remote-sum, remote, 1000, 546, htlcs))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Outputs) != n+2+map[bool]int{true: 2}[typ.HasAnchors()] {
				t.Fatalf("%d outputs", len(c.Outputs))
			}
			localSig, _ := c.Sign(ch.localFundingPriv)
			remoteSig, _ := c.Sign(ch.remoteFundingPriv)
			c.AddWitness(localSig, remoteSig)
			expected := ExpectedCommitmentWeight(typ, n)
			// Signatures shorter than 73 bytes, and Appendix A counting 3
			// bytes for the anchor commitment's output count, make the
			// actual weight a little lower.
			if w := txWeight(c.Tx); w > expected || w < expected-16 {
				t.Errorf("%s with %d HTLCs: weight %d, expected %d", typ, n, w, expected)
			}
			for _, h := range c.HTLCTransactions() {
				rs, _ := h.Sign(Remote, ch.remoteHTLCPriv)
				ls, _ := h.Sign(Local, ch.localHTLCPriv)
				if err := h.AddWitness(ls, rs, [32]byte{}); err != nil {
					t.Fatal(err)
				}
				want := map[HTLCDirection]int64{Offered: HTLCTimeoutWeight, Received: HTLCSuccessWeight}[h.Direction]
				if typ.HasAnchors() {
					want = map[HTLCDirection]int64{Offered: AnchorHTLCTimeoutWeight, Received: AnchorHTLCSuccessWeight}[h.Direction]
				}
				if w := txWeight(h.Tx); w > want || w < want-8 {
					t.Errorf("%s %s HTLC tx: weight %d, expected %d", typ, h.Direction, w, want)
				}
			}
		}
	}
}

func TestHTLCTxSignatureErrors(t *testing.T) {
	ch := loadVectorChannel(t)
	htlcs, _ := ch.htlcsFor("all five")
	c, err := BuildCommitment(ch.spec(AnchorsZeroFeeHTLC, 6988000000, 3000000000, 0, 546, htlcs))
	if err != nil {
		t.Fatal(err)
	}
	h := c.HTLCTransactions()[0]
	remoteSig, _ := h.Sign(Remote, ch.remoteHTLCPriv)
	if err := h.Verify(Remote, remoteSig); err != nil {
		t.Fatal(err)
	}
	if err := h.Verify(Local, remoteSig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("signature checked against the wrong key: %v", err)
	}
	// Signed with SIGHASH_ALL instead of SINGLE|ANYONECANPAY.
	allSig, _ := SignWitness(ch.remoteHTLCPriv, h.Tx, 0, h.InputScript, h.InputValue, h.HashType(Local))
	if err := h.Verify(Remote, allSig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("wrong sighash type accepted: %v", err)
	}
	if err := h.Verify(Remote, nil); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("nil signature: %v", err)
	}
	if _, err := h.SigHash(5); !errors.Is(err, ErrUnknownParty) {
		t.Fatalf("unknown party: %v", err)
	}
	if err := h.AddWitness(nil, remoteSig, [32]byte{}); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("missing signature: %v", err)
	}
	if err := c.Verify(Remote, remoteSig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("HTLC signature accepted on the commitment: %v", err)
	}
	if err := c.Verify(9, remoteSig); !errors.Is(err, ErrUnknownParty) {
		t.Fatalf("unknown party: %v", err)
	}
	if _, err := WitnessSigHash(c.Tx, 1, c.FundingScript, c.Funding.Amount, h.HashType(Local)); !errors.Is(err, ErrInputIndex) {
		t.Fatalf("input index: %v", err)
	}
	if err := VerifyWitnessSignature(nil, remoteSig, c.Tx, 0, c.FundingScript, c.Funding.Amount, h.HashType(Local)); !errors.Is(err, ErrMissingKey) {
		t.Fatalf("nil key: %v", err)
	}
}

func TestOutputOrdering(t *testing.T) {
	out := func(v int64, script ...byte) *wire.TxOut { return wire.NewTxOut(v, script) }
	tests := []struct {
		name         string
		a, b         *wire.TxOut
		cltvA, cltvB uint32
		want         int
	}{
		{"smaller value first", out(1, 9), out(2, 1), 0, 0, -1},
		{"then script memcmp", out(5, 1, 2), out(5, 1, 3), 0, 0, -1},
		{"shorter script first on a common prefix", out(5, 1, 2, 3), out(5, 1, 2), 0, 0, 1},
		{"then lower cltv_expiry", out(5, 1), out(5, 1), 506, 505, 1},
		{"identical", out(5, 1), out(5, 1), 7, 7, 0},
	}
	for _, tc := range tests {
		if got := compareOutputs(tc.a, tc.b, tc.cltvA, tc.cltvB); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
	outs := []*wire.TxOut{out(3, 1), out(1, 2), out(1, 1, 0), out(1, 1)}
	SortOutputs(outs)
	want := []*wire.TxOut{out(1, 1), out(1, 1, 0), out(1, 2), out(3, 1)}
	for i := range outs {
		if outs[i].Value != want[i].Value || !bytes.Equal(outs[i].PkScript, want[i].PkScript) {
			t.Fatalf("position %d: %v", i, outs[i])
		}
	}
}

func TestPartyAndChannelType(t *testing.T) {
	if Local.Other() != Remote || Remote.Other() != Local {
		t.Fatal("Other")
	}
	if Local.String() != "local" || Remote.String() != "remote" || Party(5).String() != "Party(5)" {
		t.Fatal("Party.String")
	}
	for typ, want := range map[ChannelType]string{
		StaticRemoteKey: "static_remotekey", AnchorsZeroFeeHTLC: "anchors_zero_fee_htlc_tx", 0: "ChannelType(0)",
	} {
		if typ.String() != want {
			t.Errorf("%d: %q", typ, typ.String())
		}
		if (typ.Validate() == nil) != (typ != 0) {
			t.Errorf("%s: Validate %v", typ, typ.Validate())
		}
	}
	if StaticRemoteKey.HasAnchors() || !AnchorsZeroFeeHTLC.HasAnchors() {
		t.Fatal("HasAnchors")
	}
	var key *btcec.PublicKey
	if _, err := FundingScript(key, key); !errors.Is(err, ErrMissingKey) {
		t.Fatal(err)
	}
}
