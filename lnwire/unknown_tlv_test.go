package lnwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/tlv"
)

// lnd v0.21 adds to every update_add_htlc it sends a record of type 106823
// (lnwire.ExperimentalAccountableType in lnd's lnwire/update_add_htlc.go),
// one byte: 0 (unaccountable) or 7 (accountable). The BOLTs do not define
// it, and it is odd, so it must be ignored; an unknown even record must
// make the message fail to parse.
//
// BOLT 1: The receiving node: [...] if `type` is not known: if `type` is
// even: MUST fail to parse the `tlv_stream`. otherwise, if `type` is odd:
// MUST discard the next `length` bytes.
//
// 106823 is 0x01a147, above 0xffff: BigSize writes it 0xfe and 4 bytes.
var lndAccountable = []byte{0xfe, 0x00, 0x01, 0xa1, 0x47, 0x01, 0x00}

// updateAddFields is the payload of an update_add_htlc before its TLV
// stream, with recognisable field values.
func updateAddFields() []byte {
	var b []byte
	b = append(b, bytes.Repeat([]byte{0xc1}, 32)...) // channel_id
	b = binary.BigEndian.AppendUint64(b, 7)          // id
	b = binary.BigEndian.AppendUint64(b, 21_000_000) // amount_msat
	b = append(b, bytes.Repeat([]byte{0x4a}, 32)...) // payment_hash
	b = binary.BigEndian.AppendUint32(b, 600)        // cltv_expiry
	onion := make([]byte, 1366)
	onion[0], onion[1365] = 0x00, 0xee
	return append(b, onion...) // onion_routing_packet
}

// updateAddMessage is a whole update_add_htlc message (type 128) with the
// given TLV stream.
func updateAddMessage(stream ...[]byte) []byte {
	msg := binary.BigEndian.AppendUint16(nil, uint16(MsgUpdateAddHTLC))
	msg = append(msg, updateAddFields()...)
	for _, s := range stream {
		msg = append(msg, s...)
	}
	return msg
}

// blindedPathRecord is record 0 (blinded_path) with a 33-byte point.
func blindedPathRecord() []byte {
	return append([]byte{0x00, 33, 0x02}, bytes.Repeat([]byte{0x11}, 32)...)
}

func TestUpdateAddHTLCUnknownTLVs(t *testing.T) {
	tests := []struct {
		name        string
		stream      [][]byte
		wantUnknown []uint64 // odd types kept
		wantBlinded bool
		wantErr     []error // nil: decodes
	}{
		{name: "no extension"},
		{name: "lnd's accountable signal, unaccountable", stream: [][]byte{lndAccountable},
			wantUnknown: []uint64{106823}},
		{name: "lnd's accountable signal, accountable",
			stream:      [][]byte{{0xfe, 0x00, 0x01, 0xa1, 0x47, 0x01, 0x07}},
			wantUnknown: []uint64{106823}},
		{name: "blinded_path then lnd's signal", stream: [][]byte{blindedPathRecord(), lndAccountable},
			wantUnknown: []uint64{106823}, wantBlinded: true},
		{name: "several odd records", stream: [][]byte{{0x01, 0x00}, {0x03, 0x02, 0xab, 0xcd}, lndAccountable},
			wantUnknown: []uint64{1, 3, 106823}},
		{name: "unknown even record next to lnd's", stream: [][]byte{{0xfe, 0x00, 0x01, 0xa1, 0x46, 0x01, 0x00}, lndAccountable},
			wantErr: []error{ErrInvalidExtension, tlv.ErrUnknownEvenType}},
		{name: "unknown even record 2", stream: [][]byte{{0x02, 0x00}},
			wantErr: []error{ErrInvalidExtension, tlv.ErrUnknownEvenType}},
		{name: "unknown even record after an odd one", stream: [][]byte{{0x01, 0x00}, {0x04, 0x01, 0x00}},
			wantErr: []error{ErrInvalidExtension, tlv.ErrUnknownEvenType}},
		{name: "records out of order", stream: [][]byte{lndAccountable, {0x03, 0x00}},
			wantErr: []error{ErrInvalidExtension, tlv.ErrNotIncreasing}},
		{name: "record longer than the stream", stream: [][]byte{{0xfe, 0x00, 0x01, 0xa1, 0x47, 0x02, 0x00}},
			wantErr: []error{ErrInvalidExtension}},
		{name: "type not minimally encoded", stream: [][]byte{{0xff, 0, 0, 0, 0, 0, 0x01, 0xa1, 0x47, 0x01, 0x00}},
			wantErr: []error{ErrInvalidExtension, tlv.ErrNonCanonical}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := updateAddMessage(tc.stream...)
			m, err := ReadMessage(raw)
			if tc.wantErr != nil {
				for _, want := range tc.wantErr {
					if !errors.Is(err, want) {
						t.Fatalf("ReadMessage error %v, want %v", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadMessage: %v", err)
			}
			add, ok := m.(*UpdateAddHTLC)
			if !ok {
				t.Fatalf("decoded a %T", m)
			}
			if add.ID != 7 || add.AmountMsat != 21_000_000 || add.CLTVExpiry != 600 || add.PaymentHash[0] != 0x4a ||
				add.ChannelID[31] != 0xc1 || add.OnionRoutingPacket[1365] != 0xee {
				t.Fatalf("fields %+v", add)
			}
			if (add.TLVs.BlindedPath != nil) != tc.wantBlinded {
				t.Fatalf("blinded_path %v", add.TLVs.BlindedPath)
			}
			var types []uint64
			for _, rec := range add.TLVs.Unknown {
				types = append(types, rec.Type)
			}
			if len(types) != len(tc.wantUnknown) {
				t.Fatalf("unknown records %v, want %v", types, tc.wantUnknown)
			}
			for i := range types {
				if types[i] != tc.wantUnknown[i] {
					t.Fatalf("unknown records %v, want %v", types, tc.wantUnknown)
				}
			}
			// The package keeps unknown odd records (signatures cover them
			// in gossip messages): re-encoding gives back the same bytes.
			again, err := WriteMessage(add)
			if err != nil || !bytes.Equal(again, raw) {
				t.Fatalf("re-encoded differently (%v):\n got %x\nwant %x", err, again, raw)
			}
		})
	}
}

// FuzzUpdateAddHTLCExtension decodes update_add_htlc with any bytes after
// its fields: a stream that decodes re-encodes to the same bytes, and no
// decoded stream holds an even record the BOLTs do not define.
func FuzzUpdateAddHTLCExtension(f *testing.F) {
	f.Add([]byte{})
	f.Add(lndAccountable)
	f.Add(append(blindedPathRecord(), lndAccountable...))
	f.Add([]byte{0x02, 0x00})
	f.Add([]byte{0xfe, 0x00, 0x01, 0xa1, 0x47, 0x05})
	f.Fuzz(func(t *testing.T, stream []byte) {
		raw := updateAddMessage(stream)
		m, err := ReadMessage(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidExtension) {
				t.Fatalf("an extension error that is not ErrInvalidExtension: %v", err)
			}
			return
		}
		add := m.(*UpdateAddHTLC)
		for _, rec := range add.TLVs.Unknown {
			if rec.Type%2 == 0 {
				t.Fatalf("kept unknown even record %d", rec.Type)
			}
		}
		again, err := WriteMessage(add)
		if err != nil || !bytes.Equal(again, raw) {
			t.Fatalf("re-encoded differently (%v):\n got %x\nwant %x", err, again, raw)
		}
	})
}
