package lnwire

import (
	"encoding/hex"
	"errors"
	"testing"
)

// BOLT 2: the channel_id "is derived from the funding transaction by
// combining the `funding_txid` and the `funding_output_index`, using
// big-endian exclusive-OR (i.e. `funding_output_index` alters the last 2
// bytes)."
func TestNewChannelID(t *testing.T) {
	var txid [32]byte
	for i := range txid {
		txid[i] = byte(i)
	}
	tests := []struct {
		index uint16
		tail  string // last two bytes of the channel_id
	}{
		{0, "1e1f"},
		{1, "1e1e"},
		{0x0100, "1f1f"},
		{0xffff, "e1e0"},
	}
	for _, tc := range tests {
		id := NewChannelID(txid, tc.index)
		if got := hex.EncodeToString(id[30:]); got != tc.tail {
			t.Errorf("index %#x: tail %s, want %s", tc.index, got, tc.tail)
		}
		if [30]byte(id[:30]) != [30]byte(txid[:30]) {
			t.Errorf("index %#x changed more than the last 2 bytes", tc.index)
		}
	}
	if id := NewChannelID(txid, 0); id.String() != hex.EncodeToString(txid[:]) {
		t.Errorf("String = %s", id)
	}
	if (ChannelID{}).IsAll() != true || NewChannelID(txid, 0).IsAll() {
		t.Error("IsAll is wrong")
	}
}

func TestShortChannelIDEncodedIDs(t *testing.T) {
	ids := []ShortChannelID{{BlockHeight: 103, TxIndex: 1, OutputIndex: 0}, {BlockHeight: 0xffffff, TxIndex: 0xffffff, OutputIndex: 0xffff}}
	enc := EncodeShortChannelIDs(ids)
	if hex.EncodeToString(enc) != "00"+"0000670000010000"+"ffffffffffffffff" {
		t.Fatalf("encoded %x", enc)
	}
	got, err := DecodeShortChannelIDs(enc)
	if err != nil || len(got) != 2 || got[0] != ids[0] || got[1] != ids[1] {
		t.Fatalf("decoded %v, %v", got, err)
	}
	for _, bad := range []struct {
		hex  string
		want error
	}{{"", ErrUnknownEncoding}, {"01", ErrUnknownEncoding}, {"00000067", ErrPartialShortChannelID}} {
		if _, err := DecodeShortChannelIDs(mustHex(t, bad.hex)); err == nil || !errors.Is(err, bad.want) {
			t.Errorf("%q: error %v, want %v", bad.hex, err, bad.want)
		}
	}
}
