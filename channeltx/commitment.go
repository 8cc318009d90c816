package channeltx

import (
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// HTLC is one HTLC committed to the channel.
type HTLC struct {
	// Offerer is the party that sent update_add_htlc.
	Offerer     Party
	Amount      lnwire.MilliSatoshi
	PaymentHash [32]byte
	CLTVExpiry  lnwire.BlockHeight
}

// CommitmentSpec describes one commitment transaction. Balances, HTLCs and
// funding keys are given from this node's point of view (Local/Remote);
// Owner says whose commitment transaction it is, and the fields documented
// as "of the owner" belong to that commitment only.
type CommitmentSpec struct {
	Type    ChannelType
	Funding Funding
	// Owner is the broadcaster: the party that holds this commitment
	// transaction and can publish it.
	Owner Party
	// Opener sent open_channel; it pays the commitment fee and anchors.
	Opener Party
	// CommitmentNumber counts commitments from 0; it must fit in 48 bits.
	CommitmentNumber uint64
	// ObscuringFactor comes from ObscuringFactor(opener's payment basepoint,
	// accepter's payment basepoint).
	ObscuringFactor uint64
	Feerate         lnwire.FeeratePerKW
	// DustLimit is the owner's dust_limit_satoshis.
	DustLimit lnwire.Satoshi
	// ToSelfDelay is the CSV delay on the owner's outputs: the
	// to_self_delay the other party asked for.
	ToSelfDelay uint16
	// Keys are this commitment's keys, derived with the owner's
	// per-commitment point (DeriveCommitmentKeys).
	Keys          CommitmentKeys
	LocalBalance  lnwire.MilliSatoshi
	RemoteBalance lnwire.MilliSatoshi
	HTLCs         []HTLC
}

// OutputKind names an output of a commitment transaction, with BOLT #3's
// words: "local" is the owner (broadcaster), "remote" the other party.
type OutputKind uint8

const (
	// ToLocal pays the owner's balance after ToSelfDelay.
	ToLocal OutputKind = iota + 1
	// ToRemote pays the other party's balance.
	ToRemote
	// LocalAnchor is to_local_anchor, locked to the owner's funding key.
	LocalAnchor
	// RemoteAnchor is to_remote_anchor, locked to the other party's
	// funding key.
	RemoteAnchor
	// OfferedHTLC is an HTLC offered by the owner.
	OfferedHTLC
	// ReceivedHTLC is an HTLC received by the owner.
	ReceivedHTLC
)

// String names the kind as BOLT #3 does.
func (k OutputKind) String() string {
	switch k {
	case ToLocal:
		return "to_local"
	case ToRemote:
		return "to_remote"
	case LocalAnchor:
		return "to_local_anchor"
	case RemoteAnchor:
		return "to_remote_anchor"
	case OfferedHTLC:
		return "offered_htlc"
	case ReceivedHTLC:
		return "received_htlc"
	default:
		return fmt.Sprintf("OutputKind(%d)", uint8(k))
	}
}

// CommitmentOutput describes Tx.TxOut[i] of a Commitment.
type CommitmentOutput struct {
	Kind  OutputKind
	Value lnwire.Satoshi
	// WitnessScript is the P2WSH script; nil for the P2WPKH to_remote of
	// static_remotekey channels.
	WitnessScript []byte
	// HTLCIndex is the index in CommitmentSpec.HTLCs of an HTLC output,
	// -1 for other outputs.
	HTLCIndex int
}

// Commitment is an unsigned commitment transaction with what is needed to
// sign it and to build its HTLC transactions.
type Commitment struct {
	FundingSpend
	// Outputs describes Tx.TxOut, index for index.
	Outputs []CommitmentOutput
	// Trimmed lists the indexes in CommitmentSpec.HTLCs of HTLCs left out
	// as dust.
	Trimmed []int
	// BaseFee is the fee BOLT #3 computes from the expected weight.
	BaseFee lnwire.Satoshi
	// Fee is what the transaction actually pays: the funding amount minus
	// its outputs (base fee plus trimmed HTLCs, dust balances, rounding and
	// an anchor that was not added).
	Fee lnwire.Satoshi

	spec CommitmentSpec
}

// Spec returns the description the commitment was built from.
func (c *Commitment) Spec() CommitmentSpec { return c.spec }

func (s *CommitmentSpec) validate() error {
	if err := s.Type.Validate(); err != nil {
		return err
	}
	if err := s.Owner.validate(); err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	if err := s.Opener.validate(); err != nil {
		return fmt.Errorf("opener: %w", err)
	}
	if s.Funding.LocalKey == nil || s.Funding.RemoteKey == nil {
		return fmt.Errorf("%w: funding key", ErrMissingKey)
	}
	if err := s.Keys.validate(); err != nil {
		return err
	}
	if s.CommitmentNumber > maxCommitmentNumber {
		return fmt.Errorf("%w: %d", ErrCommitmentNumber, s.CommitmentNumber)
	}
	if s.Funding.Amount < 0 {
		return fmt.Errorf("%w: negative funding amount", ErrUnbalanced)
	}
	if s.DustLimit < 0 {
		return fmt.Errorf("%w: negative dust limit", ErrNegativeAmount)
	}
	total := uint64(s.LocalBalance)
	for _, h := range s.HTLCs {
		if err := h.Offerer.validate(); err != nil {
			return fmt.Errorf("HTLC offerer: %w", err)
		}
		total += uint64(h.Amount)
		if total < uint64(h.Amount) {
			return fmt.Errorf("%w: amounts overflow", ErrUnbalanced)
		}
	}
	if total+uint64(s.RemoteBalance) < total ||
		total+uint64(s.RemoteBalance) != uint64(s.Funding.Amount.ToMilliSatoshis()) {
		return fmt.Errorf("%w: %d msat in balances and HTLCs, funding %d sat",
			ErrUnbalanced, total+uint64(s.RemoteBalance), s.Funding.Amount)
	}
	return nil
}

// pendingOutput is an output before sorting.
type pendingOutput struct {
	out  wire.TxOut
	info CommitmentOutput
	cltv uint32
}

// BuildCommitment builds the commitment transaction following BOLT #3
// "Commitment Transaction Construction".
func BuildCommitment(spec *CommitmentSpec) (*Commitment, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	fs, err := newFundingSpend(&spec.Funding)
	if err != nil {
		return nil, err
	}
	c := &Commitment{FundingSpend: fs, spec: *spec}
	owner, keys := spec.Owner, &spec.Keys

	// BOLT #3: Initialize the commitment transaction input and locktime.
	lockTime, sequence := commitmentLockTimeAndSequence(spec.CommitmentNumber, spec.ObscuringFactor)
	c.Tx.LockTime = lockTime
	c.Tx.TxIn[0].Sequence = sequence

	// BOLT #3: Calculate which committed HTLCs need to be trimmed.
	outputs := make([]pendingOutput, 0, len(spec.HTLCs)+4)
	for i := range spec.HTLCs {
		h := &spec.HTLCs[i]
		dir := Received
		if h.Offerer == owner {
			dir = Offered
		}
		if IsTrimmed(spec.Type, spec.Feerate, spec.DustLimit, dir, h.Amount) {
			c.Trimmed = append(c.Trimmed, i)
			continue
		}
		// BOLT #3: For every offered HTLC, if it is not trimmed, add an
		// offered HTLC output; for every received HTLC, if it is not
		// trimmed, add a received HTLC output.
		info := CommitmentOutput{Kind: OfferedHTLC, Value: h.Amount.ToSatoshis(), HTLCIndex: i}
		if dir == Offered {
			info.WitnessScript = OfferedHTLCScript(spec.Type, keys, h.PaymentHash)
		} else {
			info.Kind = ReceivedHTLC
			info.WitnessScript = ReceivedHTLCScript(spec.Type, keys, h.PaymentHash, uint32(h.CLTVExpiry))
		}
		outputs = append(outputs, pendingOutput{
			out:  wire.TxOut{Value: int64(info.Value), PkScript: WitnessScriptHash(info.WitnessScript)},
			info: info,
			cltv: uint32(h.CLTVExpiry),
		})
	}
	untrimmed := len(outputs)

	// BOLT #3: Calculate the base commitment transaction fee. Subtract this
	// base fee from the funder (either to_local or to_remote). If
	// option_anchors applies to the commitment transaction, also subtract
	// two times the fixed anchor size of 330 sats from the funder.
	c.BaseFee = CommitmentFee(spec.Type, spec.Feerate, untrimmed)
	charge := c.BaseFee
	if spec.Type.HasAnchors() {
		charge += 2 * AnchorValue
	}
	ownerBalance, otherBalance := spec.LocalBalance, spec.RemoteBalance
	if owner == Remote {
		ownerBalance, otherBalance = otherBalance, ownerBalance
	}
	// BOLT #3: The amounts for each output MUST be rounded down to whole
	// satoshis.
	toLocal, toRemote := ownerBalance.ToSatoshis(), otherBalance.ToSatoshis()
	if spec.Opener == owner {
		toLocal = max(toLocal-charge, 0)
	} else {
		toRemote = max(toRemote-charge, 0)
	}

	// BOLT #3: If the to_local amount is greater or equal to
	// dust_limit_satoshis, add a to_local output.
	hasToLocal := toLocal >= spec.DustLimit
	if hasToLocal {
		script := ToLocalScript(keys.Revocation, keys.BroadcasterDelayed, spec.ToSelfDelay)
		outputs = append(outputs, pendingOutput{
			out:  wire.TxOut{Value: int64(toLocal), PkScript: WitnessScriptHash(script)},
			info: CommitmentOutput{Kind: ToLocal, Value: toLocal, WitnessScript: script, HTLCIndex: -1},
		})
	}
	// BOLT #3: If the to_remote amount is greater or equal to
	// dust_limit_satoshis, add a to_remote output.
	hasToRemote := toRemote >= spec.DustLimit
	if hasToRemote {
		pkScript, script := ToRemoteOutputScript(spec.Type, keys.CountersignatoryPayment)
		outputs = append(outputs, pendingOutput{
			out:  wire.TxOut{Value: int64(toRemote), PkScript: pkScript},
			info: CommitmentOutput{Kind: ToRemote, Value: toRemote, WitnessScript: script, HTLCIndex: -1},
		})
	}

	if spec.Type.HasAnchors() {
		// BOLT #3: if to_local exists or there are untrimmed HTLCs, add a
		// to_local_anchor output; if to_remote exists or there are
		// untrimmed HTLCs, add a to_remote_anchor output.
		if hasToLocal || untrimmed > 0 {
			outputs = append(outputs, anchorOutput(LocalAnchor, spec.Funding.Key(owner)))
		}
		if hasToRemote || untrimmed > 0 {
			outputs = append(outputs, anchorOutput(RemoteAnchor, spec.Funding.Key(owner.Other())))
		}
	}

	// BOLT #3: Sort the outputs into BIP 69+CLTV order.
	sort.SliceStable(outputs, func(i, j int) bool {
		return compareOutputs(&outputs[i].out, &outputs[j].out, outputs[i].cltv, outputs[j].cltv) < 0
	})
	var paid lnwire.Satoshi
	c.Outputs = make([]CommitmentOutput, len(outputs))
	for i := range outputs {
		c.Tx.AddTxOut(&outputs[i].out)
		c.Outputs[i] = outputs[i].info
		paid += outputs[i].info.Value
	}
	c.Fee = spec.Funding.Amount - paid
	if c.Fee < 0 {
		// Only anchors can do this: they are added at their full value even
		// when the opener's balance could not pay for them. BOLT #2 keeps
		// the opener able to pay; refuse rather than create money.
		return nil, fmt.Errorf("%w: the opener cannot pay the anchor outputs", ErrFeeTooHigh)
	}
	return c, nil
}

// anchorOutput returns an anchor output locked to a funding key.
func anchorOutput(kind OutputKind, fundingKey *btcec.PublicKey) pendingOutput {
	script := AnchorScript(fundingKey)
	return pendingOutput{
		out:  wire.TxOut{Value: int64(AnchorValue), PkScript: WitnessScriptHash(script)},
		info: CommitmentOutput{Kind: kind, Value: AnchorValue, WitnessScript: script, HTLCIndex: -1},
	}
}
