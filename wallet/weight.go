package wallet

import (
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
)

// Transaction weights in weight units (BIP 141: non-witness bytes count 4,
// witness bytes 1). Every wallet input is segwit, so every transaction the
// wallet builds carries the segwit marker and flag.
const (
	// version (4) and locktime (4), non-witness.
	txFixedWeight = 4 * (4 + 4)
	// segwit marker and flag, witness bytes.
	segwitMarkerWeight = 2
	// outpoint (36), empty scriptSig length (1), sequence (4).
	inputBaseWeight = 4 * (36 + 1 + 4)
	// P2WPKH witness: item count (1), signature length (1), DER signature
	// with sighash byte (at most 73), key length (1), compressed key (33).
	// The estimate takes the longest signature, so the real feerate is never
	// below the one asked for.
	p2wpkhWitnessWeight = 1 + 1 + 73 + 1 + 33
	// P2TR key-path witness: item count (1), length (1), 64-byte BIP 340
	// signature (SIGHASH_DEFAULT adds no byte).
	p2trWitnessWeight = 1 + 1 + 64
	// Output scripts of the wallet's own kinds.
	p2wpkhScriptLen = 22
	p2trScriptLen   = 34
)

// DustLimit is the smallest output the wallet creates: Core Lightning's
// chainparams dust_limit (546 sat, bitcoind's P2PKH dust threshold), used
// for every output type. Change below it is left to the fee.
const DustLimit lnwire.Satoshi = 546

// varIntLen is the length of a Bitcoin CompactSize integer.
func varIntLen(n int) int { return wire.VarIntSerializeSize(uint64(n)) }

// InputWeight is the weight of spending one wallet output of the kind,
// witness included.
func InputWeight(kind signer.AddressKind) int64 {
	switch kind {
	case signer.P2WPKH:
		return inputBaseWeight + p2wpkhWitnessWeight
	case signer.P2TR:
		return inputBaseWeight + p2trWitnessWeight
	}
	panic("wallet: input weight of unknown address kind")
}

// OutputWeight is the weight of an output paying pkScript.
func OutputWeight(scriptLen int) int64 {
	return int64(4 * (8 + varIntLen(scriptLen) + scriptLen))
}

// TxWeight is the weight of a transaction spending inputs of the given
// kinds to outputs with the given script lengths.
func TxWeight(inputs []signer.AddressKind, outputScriptLens []int) int64 {
	w := int64(txFixedWeight + segwitMarkerWeight + 4*(varIntLen(len(inputs))+varIntLen(len(outputScriptLens))))
	for _, k := range inputs {
		w += InputWeight(k)
	}
	for _, n := range outputScriptLens {
		w += OutputWeight(n)
	}
	return w
}

// ActualWeight measures a serialized transaction.
func ActualWeight(tx *wire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
}
