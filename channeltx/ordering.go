package channeltx

import (
	"bytes"
	"sort"

	"github.com/btcsuite/btcd/wire"
)

// compareOutputs orders two outputs as BOLT #3 "Transaction Output
// Ordering" requires, cltv being the expiry of an HTLC output (0 for other
// outputs).
//
// BOLT #3: Outputs in transactions are always sorted according to: first
// according to their value, smallest first [...], followed by scriptpubkey,
// comparing the common-length prefix lexicographically as if by memcmp,
// then selecting the shorter script (if they differ in length), finally,
// for HTLC outputs, in increasing cltv_expiry order.
func compareOutputs(a, b *wire.TxOut, cltvA, cltvB uint32) int {
	switch {
	case a.Value < b.Value:
		return -1
	case a.Value > b.Value:
		return 1
	}
	// bytes.Compare is memcmp on the common prefix, then the shorter first.
	if c := bytes.Compare(a.PkScript, b.PkScript); c != 0 {
		return c
	}
	switch {
	case cltvA < cltvB:
		return -1
	case cltvA > cltvB:
		return 1
	}
	return 0
}

// SortOutputs sorts outputs in BIP 69 order (value, then script), as BOLT #3
// requires for every transaction it defines. Equal outputs keep their order.
func SortOutputs(outputs []*wire.TxOut) {
	sort.SliceStable(outputs, func(i, j int) bool {
		return compareOutputs(outputs[i], outputs[j], 0, 0) < 0
	})
}
