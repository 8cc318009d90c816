package channeltx

import (
	"fmt"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// ClosingSpec describes a closing transaction of option_simple_close
// (closing_complete / closing_sig, BOLT #3 "Closing Transaction").
type ClosingSpec struct {
	Funding Funding
	// Closer sent closing_complete and pays the fee.
	Closer Party
	Fee    lnwire.Satoshi
	// LockTime is closing_complete's locktime.
	LockTime uint32
	// LocalScript and RemoteScript are the parties' scriptpubkeys; nil
	// omits that party's output.
	LocalScript, RemoteScript []byte
	LocalBalance              lnwire.MilliSatoshi
	RemoteBalance             lnwire.MilliSatoshi
}

// LegacyClosingSpec describes a closing transaction negotiated with
// closing_signed (BOLT #3 "Legacy Closing Transaction").
type LegacyClosingSpec struct {
	Funding Funding
	// Opener funded the channel and pays the fee.
	Opener Party
	// Fee is closing_signed's fee_satoshis.
	Fee lnwire.Satoshi
	// DustLimit is the signer's dust_limit_satoshis: outputs below it are
	// removed.
	DustLimit                 lnwire.Satoshi
	LocalScript, RemoteScript []byte
	LocalBalance              lnwire.MilliSatoshi
	RemoteBalance             lnwire.MilliSatoshi
}

// ClosingTx is an unsigned closing transaction.
type ClosingTx struct {
	FundingSpend
}

// isOpReturn reports whether a scriptpubkey starts with OP_RETURN.
func isOpReturn(script []byte) bool {
	return len(script) > 0 && script[0] == txscript.OP_RETURN
}

func closingBalances(f *Funding, payer Party, fee lnwire.Satoshi, local, remote lnwire.MilliSatoshi) (localSat, remoteSat lnwire.Satoshi, err error) {
	if err := payer.validate(); err != nil {
		return 0, 0, err
	}
	if fee < 0 {
		return 0, 0, fmt.Errorf("%w: fee %d", ErrNegativeAmount, fee)
	}
	if uint64(local)+uint64(remote) > uint64(f.Amount.ToMilliSatoshis()) || uint64(local)+uint64(remote) < uint64(local) {
		return 0, 0, fmt.Errorf("%w: balances %d + %d msat exceed funding %d sat", ErrUnbalanced, local, remote, f.Amount)
	}
	// BOLT #3: MUST round each output down to whole satoshis.
	localSat, remoteSat = local.ToSatoshis(), remote.ToSatoshis()
	paying := &localSat
	if payer == Remote {
		paying = &remoteSat
	}
	if *paying < fee {
		return 0, 0, fmt.Errorf("%w: fee %d, balance %d", ErrFeeTooHigh, fee, *paying)
	}
	*paying -= fee
	return localSat, remoteSat, nil
}

func finishClosing(f *Funding, sequence, lockTime uint32, outputs []*wire.TxOut) (*ClosingTx, error) {
	if len(outputs) == 0 {
		return nil, ErrNoOutputs
	}
	fs, err := newFundingSpend(f)
	if err != nil {
		return nil, err
	}
	fs.Tx.TxIn[0].Sequence = sequence
	fs.Tx.LockTime = lockTime
	SortOutputs(outputs)
	fs.Tx.TxOut = outputs
	return &ClosingTx{FundingSpend: fs}, nil
}

// BuildClosingTx builds the option_simple_close closing transaction.
func BuildClosingTx(spec *ClosingSpec) (*ClosingTx, error) {
	// BOLT #3: MUST subtract the fee given by fee_satoshis from the closer
	// output.
	localSat, remoteSat, err := closingBalances(&spec.Funding, spec.Closer, spec.Fee, spec.LocalBalance, spec.RemoteBalance)
	if err != nil {
		return nil, err
	}
	var outputs []*wire.TxOut
	for _, o := range []struct {
		script []byte
		amount lnwire.Satoshi
	}{{spec.LocalScript, localSat}, {spec.RemoteScript, remoteSat}} {
		if o.script == nil {
			continue
		}
		// BOLT #3: MUST set the output amount to 0 if the scriptpubkey is
		// OP_RETURN.
		if isOpReturn(o.script) {
			o.amount = 0
		}
		outputs = append(outputs, wire.NewTxOut(int64(o.amount), o.script))
	}
	// BOLT #3: txin[0] sequence: 0xFFFFFFFD; locktime: locktime from the
	// closing_complete message.
	return finishClosing(&spec.Funding, wire.MaxTxInSequenceNum-2, spec.LockTime, outputs)
}

// BuildLegacyClosingTx builds the closing_signed closing transaction.
func BuildLegacyClosingTx(spec *LegacyClosingSpec) (*ClosingTx, error) {
	// BOLT #3: MUST subtract the fee given by fee_satoshis from the output
	// to the funder.
	localSat, remoteSat, err := closingBalances(&spec.Funding, spec.Opener, spec.Fee, spec.LocalBalance, spec.RemoteBalance)
	if err != nil {
		return nil, err
	}
	var outputs []*wire.TxOut
	for _, o := range []struct {
		script []byte
		amount lnwire.Satoshi
	}{{spec.LocalScript, localSat}, {spec.RemoteScript, remoteSat}} {
		// BOLT #3: MUST remove any output below its own
		// dust_limit_satoshis. MAY eliminate its own output (nil script).
		if o.script == nil || o.amount < spec.DustLimit {
			continue
		}
		outputs = append(outputs, wire.NewTxOut(int64(o.amount), o.script))
	}
	// BOLT #3: locktime: 0; txin[0] sequence: 0xFFFFFFFF
	return finishClosing(&spec.Funding, wire.MaxTxInSequenceNum, 0, outputs)
}

// ExpectedWeight returns the weight the closing transaction will have
// once signed, counting both signatures at their 73-byte maximum (as
// Appendix A does for the commitment's funding witness).
func (c *ClosingTx) ExpectedWeight() int64 {
	return int64(c.Tx.SerializeSizeStripped())*4 + FundingWitnessWeight
}
