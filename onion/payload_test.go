package onion

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/tlv"
)

func ptr[T any](v T) *T { return &v }

// BOLT #4 test vector onion-test.json: the payloads of the five hops, four
// forwarding and one final, with unknown odd records.
func TestHopPayloadsOfOnionVector(t *testing.T) {
	var v onionVector
	loadJSON(t, "onion-test.json", &v)
	hops := vectorHops(t, &v)
	secret := mustHex32(t, "24a33562c54507a9334e79f0dc4f17d407e6d7c61f0e2f3d0d38599502f61704")
	want := []*HopPayload{
		{AmountToForward: ptr[lnwire.MilliSatoshi](15000), OutgoingCLTV: ptr[lnwire.BlockHeight](1500), ShortChannelID: ptr(lnwire.NewShortChannelIDFromUint64(1))},
		{AmountToForward: ptr[lnwire.MilliSatoshi](14000), OutgoingCLTV: ptr[lnwire.BlockHeight](1400), ShortChannelID: ptr(lnwire.NewShortChannelIDFromUint64(2)),
			Extra: tlv.Stream{{Type: 513, Value: mustHex(t, strings.Repeat("0102030405060708090a0b0c0d0e0f", 4))}}},
		{AmountToForward: ptr[lnwire.MilliSatoshi](12500), OutgoingCLTV: ptr[lnwire.BlockHeight](1250), ShortChannelID: ptr(lnwire.NewShortChannelIDFromUint64(3))},
		{AmountToForward: ptr[lnwire.MilliSatoshi](10000), OutgoingCLTV: ptr[lnwire.BlockHeight](1000), ShortChannelID: ptr(lnwire.NewShortChannelIDFromUint64(4))},
		{AmountToForward: ptr[lnwire.MilliSatoshi](10000), OutgoingCLTV: ptr[lnwire.BlockHeight](1000),
			PaymentData: &PaymentData{PaymentSecret: secret, TotalMsat: 10000},
			Extra:       tlv.Stream{{Type: 301, Value: bytes.Repeat([]byte{0x2a}, 224)}}},
	}
	for i, h := range hops {
		ctx := HopContext{Final: i == len(hops)-1}
		got, err := DecodeHopPayload(h.Payload, ctx)
		if err != nil {
			t.Fatalf("hop %d: %v", i, err)
		}
		got.offsets = nil
		if !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("hop %d\n got %+v\nwant %+v", i, got, want[i])
		}
		encoded, err := want[i].Encode()
		if err != nil || !bytes.Equal(encoded, h.Payload) {
			t.Fatalf("hop %d re-encode\n got %x\nwant %x (%v)", i, encoded, h.Payload, err)
		}
	}
}

// BOLT #4 test vector blinded-payment-onion-test.json: payloads of a route
// entering a blinded path (introduction point with current_path_key,
// blinded hops, blinded final node).
func TestHopPayloadsOfBlindedVector(t *testing.T) {
	var v blindedVector
	loadJSON(t, "blinded-payment-onion-test.json", &v)
	contexts := []HopContext{
		{},                                   // Alice: plain forward
		{},                                   // Bob: introduction point, current_path_key in the payload
		{IncomingPathKey: true},              // Carol
		{IncomingPathKey: true},              // Dave
		{IncomingPathKey: true, Final: true}, // Eve
	}
	for i, h := range v.Generate.FullRoute.Hops {
		payload := unframe(t, mustHex(t, h.Payload))
		p, err := DecodeHopPayload(payload, contexts[i])
		if err != nil {
			t.Fatalf("%s: %v", h.Alias, err)
		}
		switch h.Alias {
		case "Alice":
			if *p.AmountToForward != 110125 || *p.OutgoingCLTV != 749150 || p.ShortChannelID.ToUint64() != 10 {
				t.Fatalf("Alice: %+v", p)
			}
		case "Bob":
			if p.CurrentPathKey == nil || hex.EncodeToString(p.CurrentPathKey.SerializeCompressed()) != v.Generate.BlindedRoute.FirstPathKey ||
				!bytes.Equal(p.EncryptedRecipientData, mustHex(t, v.Generate.BlindedRoute.Hops[0].EncryptedData)) {
				t.Fatalf("Bob: %+v", p)
			}
		case "Eve":
			if *p.AmountToForward != 100000 || *p.OutgoingCLTV != 749000 || *p.TotalAmountMsat != 150000 {
				t.Fatalf("Eve: %+v", p)
			}
			if total, ok := p.TotalMsat(); !ok || total != 150000 {
				t.Fatalf("Eve total %d", total)
			}
		}
		encoded, err := p.Encode()
		if err != nil || !bytes.Equal(encoded, payload) {
			t.Fatalf("%s re-encode\n got %x\nwant %x", h.Alias, encoded, payload)
		}
	}
}

// Encodings of the fields, built by hand from BOLT #4 and BOLT #1.
func TestHopPayloadEncode(t *testing.T) {
	key := mustPubKey(t, "024d4b6cd1361032ca9bd2aeb9d900aa4d45d9ead80ac9423374c451a7254d0766")
	keysend := NewFinalPayload(1, 0, nil)
	keysend.KeysendPreimage = &[32]byte{0x11, 31: 0x22}
	tests := []struct {
		name    string
		payload *HopPayload
		hex     string
	}{
		{"forward", NewForwardPayload(lnwire.ShortChannelID{BlockHeight: 1, TxIndex: 2, OutputIndex: 3}, 0x0100, 0x010000),
			"02020100" + "0403010000" + "06080000010000020003"},
		{"final zero amount", NewFinalPayload(0, 0, nil), "0200" + "0400"},
		{"final with payment_data", NewFinalPayload(5, 6, &PaymentData{PaymentSecret: [32]byte{1}, TotalMsat: 0}),
			"020105" + "040106" + "0820" + "01" + strings.Repeat("00", 31)},
		{"metadata present but empty", &HopPayload{AmountToForward: ptr[lnwire.MilliSatoshi](1), OutgoingCLTV: ptr[lnwire.BlockHeight](2), PaymentMetadata: []byte{}},
			"020101" + "040102" + "1000"},
		{"blinded", &HopPayload{EncryptedRecipientData: []byte{0xaa}, CurrentPathKey: key, TotalAmountMsat: ptr[lnwire.MilliSatoshi](0xffffffffffffffff)},
			"0a01aa" + "0c21" + hex.EncodeToString(key.SerializeCompressed()) + "1208ffffffffffffffff"},
		{"keysend", keysend, "020101" + "0400" + "ff0000000146c6616c20" + "11" + strings.Repeat("00", 30) + "22"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.payload.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.hex {
				t.Fatalf("\n got %x\nwant %s", got, tc.hex)
			}
			back, err := ParseHopPayload(got)
			if err != nil {
				t.Fatal(err)
			}
			back.offsets = nil
			if !reflect.DeepEqual(back, tc.payload) {
				t.Fatalf("round trip\n got %+v\nwant %+v", back, tc.payload)
			}
		})
	}
	bad := &HopPayload{Extra: tlv.Stream{{Type: TypeShortChannelID, Value: make([]byte, 8)}}}
	if _, err := bad.Encode(); !errors.Is(err, ErrUnexpectedField) {
		t.Fatalf("known type in Extra: %v", err)
	}
}

// Malformed payloads: invalid_onion_payload naming the record and its
// offset where there is one.
func TestParseHopPayloadErrors(t *testing.T) {
	amtCLTV := "020101" + "040102" // 6 bytes
	tests := []struct {
		name   string
		hex    string
		typ    uint64
		offset uint16
		want   error
	}{
		{"truncated record", "0205ff", 0, 0, tlv.ErrLengthExceedsStream},
		{"types not increasing", "040102" + "020101", 0, 0, tlv.ErrNotIncreasing},
		{"unknown even type", amtCLTV + "0e00", 14, 6, tlv.ErrUnknownEvenType},
		{"unknown even type above odd ones", amtCLTV + "0f00" + "fd0100" + "00", 256, 8, tlv.ErrUnknownEvenType},
		{"amount with leading zero", "02020001" + "040102", 2, 0, tlv.ErrNonCanonical},
		{"amount of 9 bytes", "0209010000000000000000", 2, 0, tlv.ErrValueTooLong},
		{"cltv of 5 bytes", "020101" + "04050100000000", 4, 3, tlv.ErrValueTooLong},
		{"short_channel_id of 7 bytes", amtCLTV + "060700000000000001", 6, 6, ErrBadFieldValue},
		{"payment_data of 31 bytes", amtCLTV + "081f" + strings.Repeat("00", 31), 8, 6, ErrBadFieldValue},
		{"payment_data total with leading zero", amtCLTV + "0822" + strings.Repeat("00", 32) + "0001", 8, 6, tlv.ErrNonCanonical},
		{"current_path_key not a point", "0c21" + "02" + strings.Repeat("ff", 32), 12, 0, ErrBadFieldValue},
		{"total_amount_msat with leading zero", amtCLTV + "120100", 18, 6, tlv.ErrNonCanonical},
		{"keysend preimage of 31 bytes", amtCLTV + "ff0000000146c6616c1f" + strings.Repeat("00", 31), TypeKeysendPreimage, 6, ErrBadFieldValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mustHex(t, tc.hex)
			_, err := ParseHopPayload(b)
			var invalid *InvalidPayloadError
			if !errors.As(err, &invalid) || !errors.Is(err, tc.want) || !errors.Is(err, ErrInvalidOnionPayload) {
				t.Fatalf("err = %v, want InvalidPayloadError matching %v", err, tc.want)
			}
			if invalid.Type != tc.typ || invalid.Offset != tc.offset {
				t.Fatalf("type %d offset %d, want %d at %d", invalid.Type, invalid.Offset, tc.typ, tc.offset)
			}
			f := invalid.Failure()
			if f.Code != CodeInvalidOnionPayload || f.PayloadType != tc.typ || f.PayloadOffset != tc.offset {
				t.Fatalf("failure %+v", f)
			}
		})
	}
}
