package lnwire

import (
	"fmt"
	"strconv"
)

// MilliSatoshi is an amount in thousandths of a satoshi, the unit of every
// off-chain amount in the BOLTs.
type MilliSatoshi uint64

// Satoshi is an on-chain amount in satoshis.
type Satoshi int64

// ToSatoshis rounds down to whole satoshis, as BOLT 3 does when an HTLC or
// balance becomes a transaction output.
func (m MilliSatoshi) ToSatoshis() Satoshi { return Satoshi(m / 1000) }

// String formats the amount the way Core Lightning prints it: "1234msat".
func (m MilliSatoshi) String() string { return strconv.FormatUint(uint64(m), 10) + "msat" }

// ToMilliSatoshis converts whole satoshis to millisatoshis.
func (s Satoshi) ToMilliSatoshis() MilliSatoshi { return MilliSatoshi(s) * 1000 }

// String formats the amount as "1234sat".
func (s Satoshi) String() string { return strconv.FormatInt(int64(s), 10) + "sat" }

// FeeratePerKW is a feerate in satoshis per 1000 weight units, the unit of
// BOLT 2's feerate_per_kw.
type FeeratePerKW uint32

// FeeForWeight returns the fee in satoshis for a transaction of the given
// weight, rounded down as BOLT 3 specifies ("fee = feerate_per_kw * weight / 1000,
// rounding down").
func (f FeeratePerKW) FeeForWeight(weight int64) Satoshi {
	return Satoshi(int64(f) * weight / 1000)
}

// BlockHeight is a height in the block chain; also used for CLTV expiries.
type BlockHeight uint32

// ShortChannelID locates a channel's funding output: block height, index of
// the transaction in the block, and output index (BOLT 7).
type ShortChannelID struct {
	BlockHeight uint32 // 3 bytes on the wire
	TxIndex     uint32 // 3 bytes on the wire
	OutputIndex uint16
}

// NewShortChannelIDFromUint64 unpacks the 8-byte wire form.
func NewShortChannelIDFromUint64(v uint64) ShortChannelID {
	return ShortChannelID{
		BlockHeight: uint32(v >> 40),
		TxIndex:     uint32(v>>16) & 0xFFFFFF,
		OutputIndex: uint16(v),
	}
}

// ToUint64 packs the id into its 8-byte wire form.
func (s ShortChannelID) ToUint64() uint64 {
	return uint64(s.BlockHeight)<<40 | uint64(s.TxIndex&0xFFFFFF)<<16 | uint64(s.OutputIndex)
}

// String formats the id as Core Lightning does: "103x1x0".
func (s ShortChannelID) String() string {
	return fmt.Sprintf("%dx%dx%d", s.BlockHeight, s.TxIndex, s.OutputIndex)
}

// ParseShortChannelID parses the "BLOCKxTXxOUT" form.
func ParseShortChannelID(text string) (ShortChannelID, error) {
	var b, t uint32
	var o uint16
	var rest string
	n, _ := fmt.Sscanf(text+" end", "%dx%dx%d %s", &b, &t, &o, &rest)
	if n != 4 || rest != "end" || b > 0xFFFFFF || t > 0xFFFFFF {
		return ShortChannelID{}, fmt.Errorf("lnwire: bad short_channel_id %q", text)
	}
	return ShortChannelID{BlockHeight: b, TxIndex: t, OutputIndex: o}, nil
}
