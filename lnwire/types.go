package lnwire

import (
	"encoding/hex"
)

// ChannelID identifies a channel once its funding transaction is known
// (BOLT 2), and carries temporary_channel_id before that.
type ChannelID [32]byte

// NewChannelID derives the channel_id of a channel funded by output
// outputIndex of the transaction fundingTxid (in internal byte order, as in
// funding_created).
//
// BOLT 2: "This message introduces the `channel_id` to identify the channel.
// It's derived from the funding transaction by combining the `funding_txid`
// and the `funding_output_index`, using big-endian exclusive-OR (i.e.
// `funding_output_index` alters the last 2 bytes)."
func NewChannelID(fundingTxid [32]byte, outputIndex uint16) ChannelID {
	id := ChannelID(fundingTxid)
	id[30] ^= byte(outputIndex >> 8)
	id[31] ^= byte(outputIndex)
	return id
}

// IsAll reports whether id is all zeros, the channel_id an error or warning
// uses to refer to every channel (BOLT 1).
func (id ChannelID) IsAll() bool { return id == ChannelID{} }

// String returns the id in hex.
func (id ChannelID) String() string { return hex.EncodeToString(id[:]) }

// ChainHash identifies a chain by its genesis block hash, in internal byte
// order (BOLT 0: "the hash of the genesis block").
type ChainHash [32]byte

// String returns the hash in hex, in wire order.
func (h ChainHash) String() string { return hex.EncodeToString(h[:]) }
