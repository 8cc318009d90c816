package onion

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/tlv"
)

// Every BOLT #4 failure code with its data fields, encoded by hand from
// the "Failure Messages" layouts.
func TestFailureEncodeDecode(t *testing.T) {
	hash := [32]byte{0xaa, 31: 0xbb}
	hashHex := "aa" + strings.Repeat("00", 30) + "bb"
	update := []byte{0x01, 0x02, 0x03}
	tests := []struct {
		failure Failure
		hex     string
	}{
		{Failure{Code: CodeTemporaryNodeFailure}, "2002"},
		{Failure{Code: CodePermanentNodeFailure}, "6002"},
		{Failure{Code: CodeRequiredNodeFeatureMissing}, "6003"},
		{Failure{Code: CodeInvalidOnionVersion, OnionHash: hash}, "c004" + hashHex},
		{Failure{Code: CodeInvalidOnionHMAC, OnionHash: hash}, "c005" + hashHex},
		{Failure{Code: CodeInvalidOnionKey, OnionHash: hash}, "c006" + hashHex},
		{Failure{Code: CodeTemporaryChannelFailure, ChannelUpdate: update}, "1007" + "0003" + "010203"},
		{Failure{Code: CodeTemporaryChannelFailure, ChannelUpdate: []byte{}}, "1007" + "0000"},
		{Failure{Code: CodePermanentChannelFailure}, "4008"},
		{Failure{Code: CodeRequiredChannelFeatureMissing}, "4009"},
		{Failure{Code: CodeUnknownNextPeer}, "400a"},
		{Failure{Code: CodeAmountBelowMinimum, HTLCMsat: 0x0102, ChannelUpdate: update}, "100b" + "0000000000000102" + "0003010203"},
		{Failure{Code: CodeFeeInsufficient, HTLCMsat: 5, ChannelUpdate: []byte{}}, "100c" + "0000000000000005" + "0000"},
		{Failure{Code: CodeIncorrectCLTVExpiry, CLTVExpiry: 800000, ChannelUpdate: update}, "100d" + "000c3500" + "0003010203"},
		{Failure{Code: CodeExpiryTooSoon, ChannelUpdate: update}, "100e" + "0003010203"},
		{Failure{Code: CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: 100, Height: 800000}, "400f" + "0000000000000064" + "000c3500"},
		{Failure{Code: CodeFinalIncorrectCLTVExpiry, CLTVExpiry: 144}, "0012" + "00000090"},
		{Failure{Code: CodeFinalIncorrectHTLCAmount, HTLCMsat: 999}, "0013" + "00000000000003e7"},
		{Failure{Code: CodeChannelDisabled, DisabledFlags: 0, ChannelUpdate: update}, "1014" + "0000" + "0003010203"},
		{Failure{Code: CodeExpiryTooFar}, "0015"},
		{Failure{Code: CodeInvalidOnionPayload, PayloadType: 8, PayloadOffset: 20}, "4016" + "08" + "0014"},
		{Failure{Code: CodeInvalidOnionPayload, PayloadType: 5482373484, PayloadOffset: 0x100}, "4016" + "ff0000000146c6616c" + "0100"},
		{Failure{Code: CodeMPPTimeout}, "0017"},
		{Failure{Code: CodeInvalidOnionBlinding, OnionHash: hash}, "c018" + hashHex},
		{Failure{Code: 0x7777, Data: []byte{1, 2, 3}}, "7777010203"},
		{Failure{Code: CodeMPPTimeout, Extension: tlv.Stream{{Type: 1, Value: []byte{0xff}}}}, "0017" + "0101ff"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code.String(), func(t *testing.T) {
			got, err := tc.failure.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.hex {
				t.Fatalf("encode\n got %x\nwant %s", got, tc.hex)
			}
			decoded, err := DecodeFailure(got)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(decoded, tc.failure) {
				t.Fatalf("decode\n got %+v\nwant %+v", decoded, tc.failure)
			}
		})
	}
}

func TestDecodeFailureErrors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"empty", "", ErrFailureMalformed},
		{"one byte", "20", ErrFailureMalformed},
		{"short onion hash", "c005" + "0102", ErrFailureMalformed},
		{"update len overruns", "1007" + "0005" + "0102", ErrFailureMalformed},
		{"update len cut", "1007" + "00", ErrFailureMalformed},
		{"short htlc_msat", "100b" + "00000000", ErrFailureMalformed},
		{"half a height", "400f" + "0000000000000064" + "0000", ErrFailureMalformed},
		{"non-canonical payload type", "4016" + "fd0001" + "0000", ErrFailureMalformed},
		{"payload type cut", "4016" + "fd00", ErrFailureMalformed},
		{"no disabled_flags", "1014", ErrFailureMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tc.hex)
			if _, err := DecodeFailure(b); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// Lenient reading the origin needs: older nodes, and extra bytes.
func TestDecodeFailureLenient(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want Failure
	}{
		{"payment details without fields", "400f", Failure{Code: CodeIncorrectOrUnknownPaymentDetails}},
		{"payment details without height", "400f" + "0000000000000064", Failure{Code: CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: 100}},
		// BOLT #4: "MUST ignore any extra bytes in failuremsg."
		{"extra bytes not a TLV stream", "2002" + "fd", Failure{Code: CodeTemporaryNodeFailure}},
		{"extra TLV kept", "2002" + "0300", Failure{Code: CodeTemporaryNodeFailure, Extension: tlv.Stream{{Type: 3, Value: []byte{}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tc.hex)
			got, err := DecodeFailure(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFailureCodeFlags(t *testing.T) {
	tests := []struct {
		code                         FailureCode
		name                         string
		badOnion, perm, node, update bool
	}{
		{CodeTemporaryNodeFailure, "temporary_node_failure", false, false, true, false},
		{CodePermanentNodeFailure, "permanent_node_failure", false, true, true, false},
		{CodeInvalidOnionHMAC, "invalid_onion_hmac", true, true, false, false},
		{CodeTemporaryChannelFailure, "temporary_channel_failure", false, false, false, true},
		{CodeIncorrectOrUnknownPaymentDetails, "incorrect_or_unknown_payment_details", false, true, false, false},
		{CodeMPPTimeout, "mpp_timeout", false, false, false, false},
		{CodeInvalidOnionBlinding, "invalid_onion_blinding", true, true, false, false},
		{FlagPerm | FlagNode | 99, "PERM|NODE|99", false, true, true, false},
		{FlagBadOnion | FlagUpdate | 1, "BADONION|UPDATE|1", true, false, false, true},
	}
	for _, tc := range tests {
		if tc.code.String() != tc.name || tc.code.IsBadOnion() != tc.badOnion || tc.code.IsPermanent() != tc.perm ||
			tc.code.IsNode() != tc.node || tc.code.IsUpdate() != tc.update {
			t.Errorf("%#04x: %s bad=%v perm=%v node=%v update=%v", uint16(tc.code), tc.code,
				tc.code.IsBadOnion(), tc.code.IsPermanent(), tc.code.IsNode(), tc.code.IsUpdate())
		}
		if tc.code.Known() != (tc.name[0] >= 'a') {
			t.Errorf("%s: Known = %v", tc.name, tc.code.Known())
		}
	}
	if len(failureLayout) != 22 {
		t.Fatalf("%d codes, BOLT #4 defines 22", len(failureLayout))
	}
}
