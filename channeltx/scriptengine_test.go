package channeltx

import (
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// scriptError executes input inputIndex of tx against the output it spends
// (pkScript, value) with Bitcoin Core's standard script flags.
func scriptError(tx *wire.MsgTx, inputIndex int, pkScript []byte, value lnwire.Satoshi) error {
	fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, int64(value))
	vm, err := txscript.NewEngine(pkScript, tx, inputIndex, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, fetcher), int64(value), fetcher)
	if err != nil {
		return err
	}
	return vm.Execute()
}

// runScript fails the test if the input does not validate.
func runScript(t testing.TB, tx *wire.MsgTx, inputIndex int, pkScript []byte, value lnwire.Satoshi) {
	t.Helper()
	if err := scriptError(tx, inputIndex, pkScript, value); err != nil {
		t.Fatalf("script engine rejects input %d: %v", inputIndex, err)
	}
}
