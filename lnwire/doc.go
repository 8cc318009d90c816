// Package lnwire holds the Lightning wire messages of BOLT 1, 2, 7 and 9,
// the core value types shared by every layer (MilliSatoshi, Satoshi,
// FeeratePerKW, BlockHeight, ShortChannelID, ChannelID) and feature bits.
//
// It is layer L0: pure encoding and decoding, no I/O beyond io.Reader and
// io.Writer. It must not import any other fulmen package except tlv.
package lnwire
