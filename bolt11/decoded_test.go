package bolt11

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// clnBolt11Fields are the properties Core Lightning's doc/schemas/decode.json
// allows in a reply of type "bolt11 invoice" (additionalProperties: false),
// with the sub-properties of fallbacks, routes and extra entries.
var (
	clnBolt11Fields = map[string]bool{
		"type": true, "valid": true, "currency": true, "created_at": true, "expiry": true, "payee": true,
		"amount_msat": true, "payment_hash": true, "signature": true, "description": true,
		"description_hash": true, "min_final_cltv_expiry": true, "payment_secret": true, "features": true,
		"payment_metadata": true, "fallbacks": true, "routes": true, "extra": true,
	}
	clnBolt11Required = []string{"currency", "created_at", "expiry", "payee", "min_final_cltv_expiry", "payment_hash", "signature"}
	clnFallbackFields = map[string]bool{"type": true, "addr": true, "hex": true}
	clnRouteFields    = map[string]bool{
		"pubkey": true, "short_channel_id": true, "fee_base_msat": true, "fee_proportional_millionths": true, "cltv_expiry_delta": true,
	}
	clnExtraFields = map[string]bool{"tag": true, "data": true}
)

// clnFeatures is how Core Lightning prints the spec examples' feature bits:
// the 9 field's elements as ceil(elements*5/8) big-endian bytes. Bits 8 and
// 14 take 3 elements (2 bytes); 8, 14, 99 take 20 (13 bytes); 8, 14, 48 take
// 10 (7 bytes).
var clnFeatures = map[string]string{
	"[8 14]":    "4100",
	"[8 14 99]": "08000000000000000000004100",
	"[8 14 48]": "01000000004100",
}

func checkKeys(t *testing.T, what string, obj map[string]any, allowed map[string]bool) {
	t.Helper()
	for k := range obj {
		if !allowed[k] {
			t.Errorf("%s: field %q is not in Core Lightning's schema", what, k)
		}
	}
}

func TestDecodedMatchesCoreLightningSchema(t *testing.T) {
	ex := loadExamples(t)
	for _, want := range ex.Valid {
		t.Run(want.Name, func(t *testing.T) {
			inv, err := Decode(want.Invoice)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(NewDecoded(inv))
			if err != nil {
				t.Fatal(err)
			}
			var obj map[string]any
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatal(err)
			}
			checkKeys(t, "reply", obj, clnBolt11Fields)
			for _, k := range clnBolt11Required {
				if _, ok := obj[k]; !ok {
					t.Errorf("required field %q missing", k)
				}
			}
			for _, fb := range asObjects(obj["fallbacks"]) {
				checkKeys(t, "fallback", fb, clnFallbackFields)
			}
			if routes, ok := obj["routes"].([]any); ok {
				for _, route := range routes {
					for _, hop := range asObjects(route) {
						checkKeys(t, "route hop", hop, clnRouteFields)
					}
				}
			}
			for _, e := range asObjects(obj["extra"]) {
				checkKeys(t, "extra", e, clnExtraFields)
			}
			checkDecodedValues(t, want, NewDecoded(inv))
		})
	}
}

func asObjects(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func checkDecodedValues(t *testing.T, want validExample, d Decoded) {
	t.Helper()
	if d.Type != "bolt11 invoice" || !d.Valid || d.Currency != want.Currency || d.CreatedAt != want.Timestamp ||
		d.Payee != want.Payee || d.PaymentHash != want.PaymentHash || d.PaymentSecret != want.PaymentSecret {
		t.Errorf("decoded %+v", d)
	}
	wantExpiry := uint64(DefaultExpiry)
	if want.Expiry != nil {
		wantExpiry = *want.Expiry
	}
	wantCLTV := uint32(DefaultMinFinalCLTVExpiryDelta)
	if want.MinFinalCLTVExpiry != nil {
		wantCLTV = *want.MinFinalCLTVExpiry
	}
	if d.Expiry != wantExpiry || d.MinFinalCLTVExpiry != wantCLTV {
		t.Errorf("expiry %d cltv %d, want %d %d", d.Expiry, d.MinFinalCLTVExpiry, wantExpiry, wantCLTV)
	}
	if (want.AmountMsat == nil) != (d.AmountMsat == nil) || want.AmountMsat != nil && uint64(*d.AmountMsat) != *want.AmountMsat {
		t.Errorf("amount_msat %v", d.AmountMsat)
	}
	if want.Description != nil && (d.Description == nil || *d.Description != *want.Description || d.DescriptionHash != "") ||
		want.Description == nil && (d.Description != nil || d.DescriptionHash != want.DescriptionHash) {
		t.Errorf("description %v hash %q", d.Description, d.DescriptionHash)
	}
	if d.PaymentMetadata != want.PaymentMetadata {
		t.Errorf("payment_metadata %q", d.PaymentMetadata)
	}
	if wantFeatures := clnFeatures[jsonList(want.Features)]; d.Features != wantFeatures {
		t.Errorf("features %q, want %q", d.Features, wantFeatures)
	}
	// Fallback scripts, checked against btcutil's address decoding.
	params, _ := Currency(want.Currency).ChainParams()
	for i, fb := range want.Fallbacks {
		addr, err := btcutil.DecodeAddress(fb.Addr, params)
		if err != nil {
			t.Fatal(err)
		}
		script, err := txscript.PayToAddrScript(addr)
		if err != nil {
			t.Fatal(err)
		}
		if d.Fallbacks[i].Hex != hex.EncodeToString(script) {
			t.Errorf("fallback %d hex %s, want %x", i, d.Fallbacks[i].Hex, script)
		}
	}
	if want.Signature != "" {
		rs := mustHex(t, want.Signature)
		der := mustHex(t, d.Signature)
		if want.HighS {
			// DER keeps S as it is: its last 32 bytes are the high S.
			if !bytes.Equal(der[len(der)-32:], rs[32:]) {
				t.Errorf("signature %s does not keep the high S", d.Signature)
			}
			return
		}
		var r, s btcec.ModNScalar
		r.SetByteSlice(rs[:32])
		s.SetByteSlice(rs[32:])
		if !bytes.Equal(der, ecdsa.NewSignature(&r, &s).Serialize()) {
			t.Errorf("signature %s, want DER of %s", d.Signature, want.Signature)
		}
	}
}

func jsonList(bits []lnwire.FeatureBit) string {
	b, _ := json.Marshal(bits)
	return string(bytes.ReplaceAll(b, []byte(","), []byte(" ")))
}
