package onion

import (
	"errors"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// BOLT #4 "payload format", the reader's requirements, one row per rule.
func TestHopPayloadReaderRules(t *testing.T) {
	const (
		amt       = "020101"
		cltv      = "040102"
		scid      = "06080000000000000001"
		payData   = "0821" + "11111111111111111111111111111111111111111111111111111111111111110a"
		encData   = "0a03aabbcc"
		metadata  = "1002beef"
		total     = "120164"
		oddRecord = "fe000100010100" // type 65537, empty
	)
	pathKey := "0c21024d4b6cd1361032ca9bd2aeb9d900aa4d45d9ead80ac9423374c451a7254d0766"
	keysend := "ff0000000146c6616c20" + strings.Repeat("07", 32)
	forward := HopContext{}
	final := HopContext{Final: true}
	blindedForward := HopContext{IncomingPathKey: true}
	blindedFinal := HopContext{IncomingPathKey: true, Final: true}

	tests := []struct {
		name   string
		hex    string
		ctx    HopContext
		want   error // nil: accepted
		typ    uint64
		offset uint16
	}{
		// Outside blinded routes.
		{"forward", amt + cltv + scid, forward, nil, 0, 0},
		{"forward with unknown odd record", amt + cltv + scid + oddRecord, forward, nil, 0, 0},
		{"forward without short_channel_id", amt + cltv, forward, ErrMissingField, TypeShortChannelID, 0},
		{"forward without amt_to_forward", cltv + scid, forward, ErrMissingField, TypeAmountToForward, 0},
		{"forward without outgoing_cltv_value", amt + scid, forward, ErrMissingField, TypeOutgoingCLTV, 0},
		{"final", amt + cltv, final, nil, 0, 0},
		{"final with payment_data and metadata", amt + cltv + payData + metadata, final, nil, 0, 0},
		{"final keysend", amt + cltv + keysend, final, nil, 0, 0},
		{"final without amt_to_forward", cltv + payData, final, ErrMissingField, TypeAmountToForward, 0},
		{"final without outgoing_cltv_value", amt + payData, final, ErrMissingField, TypeOutgoingCLTV, 0},
		{"current_path_key outside a blinded route", amt + cltv + scid + pathKey, forward, ErrUnexpectedField, TypeCurrentPathKey, 16},
		{"incoming path_key without encrypted_recipient_data", amt + cltv + scid, blindedForward, ErrMissingField, TypeEncryptedRecipientData, 0},

		// Inside blinded routes.
		{"introduction point", encData + pathKey, forward, nil, 0, 0},
		{"introduction point without current_path_key", encData, forward, ErrMissingField, TypeCurrentPathKey, 0},
		{"blinded forward", encData, blindedForward, nil, 0, 0},
		{"blinded forward with current_path_key", encData + pathKey, blindedForward, ErrUnexpectedField, TypeCurrentPathKey, 5},
		{"blinded forward with amt_to_forward", amt + encData, blindedForward, ErrUnexpectedField, TypeAmountToForward, 0},
		{"blinded forward with unknown odd record", encData + oddRecord, blindedForward, ErrUnexpectedField, 65537, 5},
		{"blinded final", amt + cltv + encData + total, blindedFinal, nil, 0, 0},
		{"blinded final reached via current_path_key", amt + cltv + encData + pathKey + total, final, nil, 0, 0},
		{"blinded final without total_amount_msat", amt + cltv + encData, blindedFinal, ErrMissingField, TypeTotalAmountMsat, 0},
		{"blinded final without amt_to_forward", cltv + encData + total, blindedFinal, ErrMissingField, TypeAmountToForward, 0},
		{"blinded final without outgoing_cltv_value", amt + encData + total, blindedFinal, ErrMissingField, TypeOutgoingCLTV, 0},
		{"blinded final with payment_data", amt + cltv + payData + encData + total, blindedFinal, ErrUnexpectedField, TypePaymentData, 6},
		{"blinded final reports the lowest stray type", amt + cltv + scid + payData + encData + total, blindedFinal, ErrUnexpectedField, TypeShortChannelID, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := DecodeHopPayload(mustHex(t, tc.hex), tc.ctx)
			if tc.want == nil {
				if err != nil || p == nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var invalid *InvalidPayloadError
			if !errors.As(err, &invalid) || !errors.Is(err, tc.want) || !errors.Is(err, ErrInvalidOnionPayload) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if invalid.Type != tc.typ || invalid.Offset != tc.offset {
				t.Fatalf("type %d offset %d, want type %d offset %d", invalid.Type, invalid.Offset, tc.typ, tc.offset)
			}
		})
	}
}

func TestTotalMsat(t *testing.T) {
	tests := []struct {
		name    string
		payload *HopPayload
		want    uint64
		ok      bool
	}{
		{"payment_data", NewFinalPayload(10, 1, &PaymentData{TotalMsat: 30}), 30, true},
		{"total_amount_msat", &HopPayload{AmountToForward: ptr[lnwire.MilliSatoshi](10), TotalAmountMsat: ptr[lnwire.MilliSatoshi](40)}, 40, true},
		// BOLT #4: "MUST treat total_msat as if it were equal to
		// amt_to_forward if it is not present."
		{"defaults to amt_to_forward", NewFinalPayload(10, 1, nil), 10, true},
		{"nothing", &HopPayload{}, 0, false},
	}
	for _, tc := range tests {
		got, ok := tc.payload.TotalMsat()
		if uint64(got) != tc.want || ok != tc.ok {
			t.Errorf("%s: got %d %v", tc.name, got, ok)
		}
	}
}
