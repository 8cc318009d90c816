package channeltx

import "github.com/fulmen-ln/fulmen/lnwire"

// Expected weights (BOLT #3 "Fees" and "Appendix A: Expected Weights").
const (
	// CommitmentWeight is the expected weight of a commitment transaction
	// without HTLC outputs and without option_anchors.
	CommitmentWeight int64 = 724
	// AnchorCommitmentWeight is the same with option_anchors.
	AnchorCommitmentWeight int64 = 1124
	// HTLCOutputWeight is the weight each untrimmed HTLC output adds.
	HTLCOutputWeight int64 = 172

	// HTLCTimeoutWeight and HTLCSuccessWeight are the expected weights of
	// the second-stage transactions without option_anchors.
	HTLCTimeoutWeight int64 = 663
	HTLCSuccessWeight int64 = 703
	// AnchorHTLCTimeoutWeight and AnchorHTLCSuccessWeight are the same
	// with option_anchors.
	AnchorHTLCTimeoutWeight int64 = 666
	AnchorHTLCSuccessWeight int64 = 706

	// FundingWitnessWeight is the weight of the witness spending the funding
	// output with two 73-byte signatures, including the segwit marker and
	// flag (Appendix A: witness_header + witness = 224).
	FundingWitnessWeight int64 = 224
)

// AnchorValue is the value of each anchor output.
//
// BOLT #3: The amount of the output is fixed at 330 sats, the default dust
// limit for P2WSH.
const AnchorValue lnwire.Satoshi = 330

// Dust thresholds of Bitcoin Core's relay policy (BOLT #3 "Dust Limits").
const (
	DustLimitP2PKH         lnwire.Satoshi = 546
	DustLimitP2SH          lnwire.Satoshi = 540
	DustLimitP2WPKH        lnwire.Satoshi = 294
	DustLimitP2WSH         lnwire.Satoshi = 330
	DustLimitUnknownSegwit lnwire.Satoshi = 354
)

// ExpectedCommitmentWeight returns the expected weight of a commitment
// transaction with the given number of untrimmed HTLC outputs.
//
// BOLT #3: Start with weight = 724 (1124 if option_anchors applies). For
// each committed HTLC, if that output is not trimmed [...], add 172 to weight.
func ExpectedCommitmentWeight(t ChannelType, untrimmedHTLCs int) int64 {
	base := CommitmentWeight
	if t.HasAnchors() {
		base = AnchorCommitmentWeight
	}
	return base + HTLCOutputWeight*int64(untrimmedHTLCs)
}

// CommitmentFee returns the base fee of a commitment transaction.
//
// BOLT #3: Multiply feerate_per_kw by weight, divide by 1000 (rounding down).
func CommitmentFee(t ChannelType, feerate lnwire.FeeratePerKW, untrimmedHTLCs int) lnwire.Satoshi {
	return feerate.FeeForWeight(ExpectedCommitmentWeight(t, untrimmedHTLCs))
}

// HTLCTimeoutFee returns the fee of an HTLC-timeout transaction.
//
// BOLT #3: If option_anchors applies: MUST be 0. Otherwise, MUST be
// calculated to match: Multiply feerate_per_kw by 663 and divide by 1000
// (rounding down).
func HTLCTimeoutFee(t ChannelType, feerate lnwire.FeeratePerKW) lnwire.Satoshi {
	if t.HasAnchors() {
		return 0
	}
	return feerate.FeeForWeight(HTLCTimeoutWeight)
}

// HTLCSuccessFee returns the fee of an HTLC-success transaction.
//
// BOLT #3: If option_anchors applies: MUST be 0. Otherwise, MUST be
// calculated to match: Multiply feerate_per_kw by 703 and divide by 1000
// (rounding down).
func HTLCSuccessFee(t ChannelType, feerate lnwire.FeeratePerKW) lnwire.Satoshi {
	if t.HasAnchors() {
		return 0
	}
	return feerate.FeeForWeight(HTLCSuccessWeight)
}

// secondStageFee returns the fee of the HTLC transaction spending an HTLC
// output of the given direction.
func secondStageFee(t ChannelType, feerate lnwire.FeeratePerKW, d HTLCDirection) lnwire.Satoshi {
	if d == Offered {
		return HTLCTimeoutFee(t, feerate)
	}
	return HTLCSuccessFee(t, feerate)
}

// IsTrimmed reports whether an HTLC is left out of a commitment transaction
// (its value added to the fee), given the broadcaster's dust limit.
//
// BOLT #3: for every offered HTLC: if the HTLC amount minus the HTLC-timeout
// fee would be less than dust_limit_satoshis set by the transaction owner:
// MUST NOT contain that output. (And likewise for every received HTLC with
// the HTLC-success fee.)
func IsTrimmed(t ChannelType, feerate lnwire.FeeratePerKW, dustLimit lnwire.Satoshi, d HTLCDirection, amount lnwire.MilliSatoshi) bool {
	return amount.ToSatoshis()-secondStageFee(t, feerate, d) < dustLimit
}

// ExpectedFundingWeight returns the expected weight of a funding transaction
// built with the interactive protocol (Appendix A, "Expected Weight of the
// Funding Transaction (v2 Channel Establishment)"): numInputs segwit inputs
// whose witnesses total witnessBytes, the funding output, and one output per
// script length in otherOutputScriptLens.
func ExpectedFundingWeight(numInputs int, witnessBytes int, otherOutputScriptLens ...int) int64 {
	// funding_transaction = 43 + num_inputs * 41 + num_outputs * 9 + sum(scriptlen)
	size := int64(43 + numInputs*41 + len(otherOutputScriptLens)*9)
	for _, l := range otherOutputScriptLens {
		size += int64(l)
	}
	const transactionFields, segwitFields = 10, 2
	// funding_transaction_weight = 4 * (funding_transaction + transaction_fields) + segwit_fields
	// overall_weight = funding_transaction_weight + witness_weight
	return 4*(size+transactionFields) + segwitFields + int64(witnessBytes)
}
