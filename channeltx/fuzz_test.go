package channeltx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// fuzzSpec turns fuzzer input into a valid commitment description over the
// Appendix C channel: HTLCs are 8-byte records (offerer bit, amount, CLTV,
// payment hash byte, the latter drawn from few values so that identical
// HTLC outputs occur).
func fuzzSpec(ch *vectorChannel, flags byte, feerate uint32, dust uint16, fundingSat uint32, localShare uint64, htlcData []byte) *CommitmentSpec {
	typ := StaticRemoteKey
	if flags&1 != 0 {
		typ = AnchorsZeroFeeHTLC
	}
	funding := ch.funding
	funding.Amount = lnwire.Satoshi(fundingSat%2_000_000_000 + 1)
	remaining := uint64(funding.Amount.ToMilliSatoshis())
	var htlcs []HTLC
	for len(htlcData) >= 8 && len(htlcs) < 60 {
		rec := htlcData[:8]
		htlcData = htlcData[8:]
		amount := uint64(binary.BigEndian.Uint32(rec[1:5])) * uint64(1+rec[0]>>4)
		if amount > remaining {
			amount = remaining
		}
		remaining -= amount
		h := HTLC{
			Offerer:    Party(rec[0] & 1),
			Amount:     lnwire.MilliSatoshi(amount),
			CLTVExpiry: lnwire.BlockHeight(500 + uint32(rec[5])%4),
		}
		h.PaymentHash[0] = rec[6] % 3
		htlcs = append(htlcs, h)
	}
	local := localShare % (remaining + 1)
	spec := ch.spec(typ, lnwire.MilliSatoshi(local), lnwire.MilliSatoshi(remaining-local),
		lnwire.FeeratePerKW(feerate%200_000), lnwire.Satoshi(dust), htlcs)
	spec.Funding = funding
	spec.Owner = Party(flags >> 1 & 1)
	spec.Opener = Party(flags >> 2 & 1)
	spec.CommitmentNumber = uint64(localShare) & maxCommitmentNumber
	return spec
}

// FuzzBuildCommitment builds commitments with random balances, feerates,
// dust limits and HTLC sets and checks BOLT #3's invariants: outputs plus
// fee equal the funding amount, every HTLC is either an output or trimmed
// by the rule, no output is below the dust limit (anchors excepted), the
// opener alone pays fee and anchors, outputs follow BIP 69 + CLTV order,
// anchors appear by the rule, and the other party's view builds the same
// transaction.
func FuzzBuildCommitment(f *testing.F) {
	ch := loadVectorChannel(f)
	f.Add(byte(0), uint32(0), uint16(546), uint32(10000000), uint64(6988000000), []byte{})
	f.Add(byte(1), uint32(253), uint16(546), uint32(10000000), uint64(6987999999),
		[]byte{0, 0, 0x1e, 0x84, 0x80, 1, 0, 0, 1, 0, 0x4c, 0x4b, 0x40, 2, 5, 0, 1, 0, 0x4c, 0x4b, 0x41, 1, 5, 0})
	f.Add(byte(6), uint32(9651181), uint16(546), uint32(10000000), uint64(6988000000), []byte{1, 0, 0, 0x0f, 0xa0, 0, 0, 0})
	f.Add(byte(5), uint32(15000), uint16(330), uint32(5000), uint64(2500000), bytes.Repeat([]byte{0x31, 0, 0, 0x10, 0, 0, 1, 0}, 12))
	f.Fuzz(func(t *testing.T, flags byte, feerate uint32, dust uint16, fundingSat uint32, localShare uint64, htlcData []byte) {
		spec := fuzzSpec(ch, flags, feerate, dust, fundingSat, localShare, htlcData)
		c, err := BuildCommitment(spec)
		if err != nil {
			if !errors.Is(err, ErrFeeTooHigh) || !spec.Type.HasAnchors() || openerAffords(spec) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		checkCommitmentInvariants(t, spec, c)
		checkOtherView(t, spec, c)
	})
}

// openerAffords reports whether the opener's balance covers the base fee and
// both anchors.
func openerAffords(spec *CommitmentSpec) bool {
	untrimmed := 0
	for _, h := range spec.HTLCs {
		dir := Received
		if h.Offerer == spec.Owner {
			dir = Offered
		}
		if !IsTrimmed(spec.Type, spec.Feerate, spec.DustLimit, dir, h.Amount) {
			untrimmed++
		}
	}
	balance := spec.LocalBalance
	if spec.Opener == Remote {
		balance = spec.RemoteBalance
	}
	return balance.ToSatoshis() >= CommitmentFee(spec.Type, spec.Feerate, untrimmed)+2*AnchorValue
}

func checkCommitmentInvariants(t *testing.T, spec *CommitmentSpec, c *Commitment) {
	t.Helper()
	var paid lnwire.Satoshi
	seen := make([]int, len(spec.HTLCs))
	cltvs := make([]uint32, len(c.Outputs))
	var toLocal, toRemote *CommitmentOutput
	anchors := map[OutputKind]int{}
	for i := range c.Outputs {
		o := &c.Outputs[i]
		if int64(o.Value) != c.Tx.TxOut[i].Value {
			t.Fatalf("output %d: described value %d, transaction %d", i, o.Value, c.Tx.TxOut[i].Value)
		}
		paid += o.Value
		switch o.Kind {
		case OfferedHTLC, ReceivedHTLC:
			h := spec.HTLCs[o.HTLCIndex]
			seen[o.HTLCIndex]++
			cltvs[i] = uint32(h.CLTVExpiry)
			dir := map[OutputKind]HTLCDirection{OfferedHTLC: Offered, ReceivedHTLC: Received}[o.Kind]
			if (h.Offerer == spec.Owner) != (dir == Offered) {
				t.Fatalf("HTLC %d offered by %s is %s on %s's commitment", o.HTLCIndex, h.Offerer, o.Kind, spec.Owner)
			}
			if o.Value != h.Amount.ToSatoshis() || IsTrimmed(spec.Type, spec.Feerate, spec.DustLimit, dir, h.Amount) {
				t.Fatalf("HTLC %d output %d for %d msat should not be there", o.HTLCIndex, o.Value, h.Amount)
			}
		case ToLocal:
			toLocal = o
		case ToRemote:
			toRemote = o
		case LocalAnchor, RemoteAnchor:
			anchors[o.Kind]++
			if o.Value != AnchorValue {
				t.Fatalf("anchor of %d", o.Value)
			}
		}
		if o.Kind != LocalAnchor && o.Kind != RemoteAnchor && o.Value < spec.DustLimit {
			t.Fatalf("%s output of %d below the dust limit %d", o.Kind, o.Value, spec.DustLimit)
		}
	}
	for _, i := range c.Trimmed {
		seen[i]++
		h := spec.HTLCs[i]
		dir := Received
		if h.Offerer == spec.Owner {
			dir = Offered
		}
		if !IsTrimmed(spec.Type, spec.Feerate, spec.DustLimit, dir, h.Amount) {
			t.Fatalf("HTLC %d trimmed but above dust", i)
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("HTLC %d appears %d times", i, n)
		}
	}
	untrimmed := len(spec.HTLCs) - len(c.Trimmed)
	if paid+c.Fee != spec.Funding.Amount || c.Fee < 0 {
		t.Fatalf("outputs %d + fee %d != funding %d", paid, c.Fee, spec.Funding.Amount)
	}
	if c.BaseFee != CommitmentFee(spec.Type, spec.Feerate, untrimmed) {
		t.Fatalf("base fee %d", c.BaseFee)
	}

	// Balances: the other party's output is its rounded-down balance; the
	// opener's is reduced by the base fee and the anchors.
	ownerBalance, otherBalance := spec.LocalBalance, spec.RemoteBalance
	if spec.Owner == Remote {
		ownerBalance, otherBalance = otherBalance, ownerBalance
	}
	wantLocal, wantRemote := ownerBalance.ToSatoshis(), otherBalance.ToSatoshis()
	charge := c.BaseFee
	if spec.Type.HasAnchors() {
		charge += 2 * AnchorValue
	}
	if spec.Opener == spec.Owner {
		wantLocal -= charge
	} else {
		wantRemote -= charge
	}
	checkBalanceOutput(t, "to_local", toLocal, wantLocal, spec.DustLimit)
	checkBalanceOutput(t, "to_remote", toRemote, wantRemote, spec.DustLimit)

	if spec.Type.HasAnchors() {
		if want := toLocal != nil || untrimmed > 0; (anchors[LocalAnchor] == 1) != want {
			t.Fatalf("to_local_anchor present %v, want %v", anchors[LocalAnchor] == 1, want)
		}
		if want := toRemote != nil || untrimmed > 0; (anchors[RemoteAnchor] == 1) != want {
			t.Fatalf("to_remote_anchor present %v, want %v", anchors[RemoteAnchor] == 1, want)
		}
	} else if len(anchors) != 0 {
		t.Fatal("anchors without option_anchors")
	}

	for i := 1; i < len(c.Outputs); i++ {
		if compareOutputs(c.Tx.TxOut[i-1], c.Tx.TxOut[i], cltvs[i-1], cltvs[i]) > 0 {
			t.Fatalf("outputs %d and %d out of BIP 69 + CLTV order", i-1, i)
		}
	}
	if n, err := CommitmentNumberOf(c.Tx, spec.ObscuringFactor); err != nil || n != spec.CommitmentNumber {
		t.Fatalf("commitment number %d, %v", n, err)
	}
	htlcTxs := c.HTLCTransactions()
	if len(htlcTxs) != untrimmed {
		t.Fatalf("%d HTLC transactions for %d HTLC outputs", len(htlcTxs), untrimmed)
	}
	for _, h := range htlcTxs {
		fee := HTLCSuccessFee(spec.Type, spec.Feerate)
		if h.Direction == Offered {
			fee = HTLCTimeoutFee(spec.Type, spec.Feerate)
		}
		if v := h.Tx.TxOut[0].Value; v != int64(h.InputValue-fee) || v < int64(spec.DustLimit) {
			t.Fatalf("HTLC transaction pays %d from %d", v, h.InputValue)
		}
	}
}

func checkBalanceOutput(t *testing.T, name string, o *CommitmentOutput, want, dust lnwire.Satoshi) {
	t.Helper()
	switch {
	case want >= dust && (o == nil || o.Value != want):
		t.Fatalf("%s: want an output of %d, got %+v", name, want, o)
	case want < dust && o != nil:
		t.Fatalf("%s: %d is below dust %d but has an output", name, want, dust)
	}
}

// checkOtherView builds the same commitment from the other party's point of
// view and compares.
func checkOtherView(t *testing.T, spec *CommitmentSpec, c *Commitment) {
	t.Helper()
	other := *spec
	other.Owner, other.Opener = spec.Owner.Other(), spec.Opener.Other()
	other.LocalBalance, other.RemoteBalance = spec.RemoteBalance, spec.LocalBalance
	other.Funding.LocalKey, other.Funding.RemoteKey = spec.Funding.RemoteKey, spec.Funding.LocalKey
	other.HTLCs = make([]HTLC, len(spec.HTLCs))
	for i, h := range spec.HTLCs {
		h.Offerer = h.Offerer.Other()
		other.HTLCs[i] = h
	}
	c2, err := BuildCommitment(&other)
	if err != nil {
		t.Fatalf("other view: %v", err)
	}
	var a, b bytes.Buffer
	_ = c.Tx.Serialize(&a)
	_ = c2.Tx.Serialize(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the other party's view builds a different transaction")
	}
}
