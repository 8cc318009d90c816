package node

import (
	"math"
	"testing"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

func TestForwardFee(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy forwardPolicy
		amount lnwire.MilliSatoshi
		want   lnwire.MilliSatoshi
	}{
		{"base only", forwardPolicy{FeeBase: 1000}, 5_000_000, 1000},
		{"proportional rounds down", forwardPolicy{FeeProportional: 10}, 99_999, 0},
		{"both", forwardPolicy{FeeBase: 1000, FeeProportional: 10}, 10_000_000, 1100},
		// BOLT #7 worked example: B->C fee_base_msat 200,
		// fee_proportional_millionths 2000, forwarding 4,999,999 msat.
		{"BOLT #7 example", forwardPolicy{FeeBase: 200, FeeProportional: 2000}, 4_999_999, 200 + 9999},
		{"huge amount", forwardPolicy{FeeProportional: 1_000_000}, math.MaxUint64, math.MaxUint64},
		{"base overflows", forwardPolicy{FeeBase: math.MaxUint64, FeeProportional: 1}, 1_000_000, math.MaxUint64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.Fee(tc.amount); got != tc.want {
				t.Fatalf("fee %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCheckForward(t *testing.T) {
	policy := &forwardPolicy{FeeBase: 1000, FeeProportional: 10, CLTVDelta: 34, HTLCMinimum: 1000}
	const height = 500
	hop := func(inAmt lnwire.MilliSatoshi, inCLTV lnwire.BlockHeight, out lnwire.MilliSatoshi, outCLTV lnwire.BlockHeight) forwardHop {
		return forwardHop{In: channel.HTLC{Amount: inAmt, CLTVExpiry: inCLTV}, AmountToForward: out, OutgoingCLTV: outCLTV, Height: height}
	}
	cases := []struct {
		name   string
		hop    forwardHop
		policy *forwardPolicy
		want   onion.Failure // zero Code: relayed
	}{
		{"exact fee and delta", hop(10_001_100, 554, 10_000_000, 520), policy, onion.Failure{}},
		{"generous", hop(10_100_000, 700, 10_000_000, 520), policy, onion.Failure{}},
		{"no such channel", hop(10_001_100, 554, 10_000_000, 520), nil, onion.Failure{Code: onion.CodeUnknownNextPeer}},
		{"below the minimum", hop(2_000, 554, 999, 520), policy,
			onion.Failure{Code: onion.CodeAmountBelowMinimum, HTLCMsat: 999}},
		{"fee one short", hop(10_001_099, 554, 10_000_000, 520), policy,
			onion.Failure{Code: onion.CodeFeeInsufficient, HTLCMsat: 10_001_099}},
		{"incoming below outgoing", hop(9_000_000, 554, 10_000_000, 520), policy,
			onion.Failure{Code: onion.CodeFeeInsufficient, HTLCMsat: 9_000_000}},
		{"delta one short", hop(10_001_100, 553, 10_000_000, 520), policy,
			onion.Failure{Code: onion.CodeIncorrectCLTVExpiry, CLTVExpiry: 520}},
		{"incoming cltv below outgoing", hop(10_001_100, 510, 10_000_000, 520), policy,
			onion.Failure{Code: onion.CodeIncorrectCLTVExpiry, CLTVExpiry: 520}},
		{"incoming expires within the delta", hop(10_001_100, 533, 10_000_000, 499), policy,
			onion.Failure{Code: onion.CodeExpiryTooSoon}},
		{"outgoing already expired", hop(10_001_100, 600, 10_000_000, 500), policy,
			onion.Failure{Code: onion.CodeExpiryTooSoon}},
		{"too far", hop(10_001_100, height+MaxHTLCCLTVFuture+1, 10_000_000, 520), policy,
			onion.Failure{Code: onion.CodeExpiryTooFar}},
		// BOLT #7 "A->B->C": B->C fee_base_msat 200, proportional 2000,
		// cltv_expiry_delta 20; amount_msat 5010198 forwarding 4999999.
		{"BOLT #7 example", hop(5_010_198, height+20+18+42, 4_999_999, height+18+42),
			&forwardPolicy{FeeBase: 200, FeeProportional: 2000, CLTVDelta: 20, HTLCMinimum: 1}, onion.Failure{}},
		{"BOLT #7 example, one msat short", hop(5_010_197, height+20+18+42, 4_999_999, height+18+42),
			&forwardPolicy{FeeBase: 200, FeeProportional: 2000, CLTVDelta: 20, HTLCMinimum: 1},
			onion.Failure{Code: onion.CodeFeeInsufficient, HTLCMsat: 5_010_197}},
		{"first error wins: fee before cltv", hop(10_000_000, 510, 10_000_000, 520), policy,
			onion.Failure{Code: onion.CodeFeeInsufficient, HTLCMsat: 10_000_000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := checkForward(tc.hop, tc.policy)
			if ok != (tc.want.Code == 0) || got.Code != tc.want.Code || got.HTLCMsat != tc.want.HTLCMsat ||
				got.CLTVExpiry != tc.want.CLTVExpiry || len(got.ChannelUpdate) != 0 {
				t.Fatalf("got %+v (%v), want %+v", got, ok, tc.want)
			}
			if !ok {
				if _, err := got.Encode(); err != nil {
					t.Fatalf("the failure does not encode: %v", err)
				}
			}
		})
	}
}

// FuzzCheckForward: whatever the amounts and heights, a relayed HTLC pays
// at least our fee and leaves us at least our CLTV delta.
func FuzzCheckForward(f *testing.F) {
	f.Add(uint64(10_001_100), uint32(554), uint64(10_000_000), uint32(520), uint32(500), uint64(1000), uint32(10))
	f.Add(uint64(math.MaxUint64), uint32(math.MaxUint32), uint64(0), uint32(0), uint32(0), uint64(0), uint32(math.MaxUint32))
	f.Fuzz(func(t *testing.T, inAmt uint64, inCLTV uint32, out uint64, outCLTV, height uint32, base uint64, prop uint32) {
		policy := &forwardPolicy{FeeBase: lnwire.MilliSatoshi(base), FeeProportional: prop, CLTVDelta: 34, HTLCMinimum: 1}
		h := forwardHop{In: channel.HTLC{Amount: lnwire.MilliSatoshi(inAmt), CLTVExpiry: lnwire.BlockHeight(inCLTV)},
			AmountToForward: lnwire.MilliSatoshi(out), OutgoingCLTV: lnwire.BlockHeight(outCLTV), Height: lnwire.BlockHeight(height)}
		failure, ok := checkForward(h, policy)
		if !ok {
			if failure.Code == 0 {
				t.Fatal("refused without a failure code")
			}
			return
		}
		if inAmt < out || inAmt-out < uint64(policy.Fee(h.AmountToForward)) {
			t.Fatalf("relayed %d for %d, fee %d", out, inAmt, policy.Fee(h.AmountToForward))
		}
		if uint64(inCLTV) < uint64(outCLTV)+34 || uint64(inCLTV) < uint64(height)+34 || outCLTV <= height {
			t.Fatalf("relayed cltv %d for %d at height %d", outCLTV, inCLTV, height)
		}
	})
}

func BenchmarkCheckForward(b *testing.B) {
	policy := &forwardPolicy{FeeBase: 1000, FeeProportional: 10, CLTVDelta: 34, HTLCMinimum: 1000}
	h := forwardHop{In: channel.HTLC{Amount: 10_001_100, CLTVExpiry: 554}, AmountToForward: 10_000_000, OutgoingCLTV: 520, Height: 500}
	for i := 0; i < b.N; i++ {
		if _, ok := checkForward(h, policy); !ok {
			b.Fatal("refused")
		}
	}
}
