package bolt11

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// testField is a tagged field given as raw 5-bit elements.
type testField struct {
	typ   FieldType
	elems []byte
}

func bytesField(typ FieldType, b []byte) testField {
	return testField{typ, appendBytesAsElements(nil, b)}
}

func uintField(typ FieldType, v uint64) testField { return testField{typ, appendUintElements(nil, v)} }

func repeatByte(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func testKey(seed byte) *btcec.PrivateKey {
	key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{seed}, 32))
	return key
}

// baseFields are the fields of a minimal valid invoice.
func baseFields() []testField {
	return []testField{
		bytesField(FieldPaymentHash, repeatByte(0xaa, 32)),
		bytesField(FieldPaymentSecret, repeatByte(0x11, 32)),
		bytesField(FieldDescription, []byte("test")),
		{FieldFeatures, appendFeatureElements(nil, lnwire.NewFeatureVector(8, 14))},
	}
}

// signedSig is how buildInvoice signs: it can alter the signature.
type signedSig func(sig [65]byte) [65]byte

// buildInvoice writes hrp, timestamp and fields exactly as given, then signs
// with key the way a writer must.
func buildInvoice(hrp string, fields []testField, key *btcec.PrivateKey, alter signedSig) string {
	data := appendFixedUintElements(nil, 1496314658, timestampElements)
	for _, f := range fields {
		data = append(data, byte(f.typ), byte(len(f.elems)>>5), byte(len(f.elems)&31))
		data = append(data, f.elems...)
	}
	hash := signingHash(hrp, data)
	sig, err := signatureFromCompact(ecdsa.SignCompact(key, hash[:], true))
	if err != nil {
		panic(err)
	}
	if alter != nil {
		sig = alter(sig)
	}
	return bech32Encode(hrp, appendBytesAsElements(data, sig[:]))
}

// replace returns the base fields with fields of the same types replaced and
// others appended.
func withFields(drop []FieldType, extra ...testField) []testField {
	var out []testField
	for _, f := range baseFields() {
		keep := true
		for _, d := range drop {
			keep = keep && f.typ != d
		}
		if keep {
			out = append(out, f)
		}
	}
	return append(out, extra...)
}

func negateS(sig [65]byte) [65]byte {
	var s btcec.ModNScalar
	s.SetByteSlice(sig[32:64])
	s.Negate()
	b := s.Bytes()
	copy(sig[32:64], b[:])
	sig[64] ^= 1 // keep the same public key
	return sig
}

func TestDecodeRejects(t *testing.T) {
	key, other := testKey(1), testKey(2)
	nField := bytesField(FieldNodeID, key.PubKey().SerializeCompressed())
	otherN := bytesField(FieldNodeID, other.PubKey().SerializeCompressed())
	hop := append(append(other.PubKey().SerializeCompressed(), repeatByte(1, 8)...), repeatByte(2, 10)...)
	// A field whose data_length runs past the end of the tagged fields, and
	// a field header cut short.
	truncated := func() string {
		data := appendFixedUintElements(nil, 1, timestampElements)
		data = append(data, byte(FieldDescription), 2, 0) // 64 elements announced
		data = append(data, make([]byte, 10)...)
		return bech32Encode("lnbc", append(data, make([]byte, signatureElements)...))
	}()
	headerOnly := bech32Encode("lnbc", append(appendFixedUintElements(nil, 1, timestampElements),
		append([]byte{byte(FieldDescription), 0}, make([]byte, signatureElements)...)...))
	tests := []struct {
		name    string
		invoice string
		want    []error
	}{
		{"no p field", buildInvoice("lnbc", withFields([]FieldType{FieldPaymentHash}), key, nil),
			[]error{ErrMissingPaymentHash}},
		{"p field of 51 elements only",
			buildInvoice("lnbc", withFields([]FieldType{FieldPaymentHash}, testField{FieldPaymentHash, make([]byte, 51)}), key, nil),
			[]error{ErrMissingPaymentHash, ErrFieldLength}},
		{"no s field", buildInvoice("lnbc", withFields([]FieldType{FieldPaymentSecret}), key, nil),
			[]error{ErrMissingPaymentSecret}},
		{"s field of 53 elements only",
			buildInvoice("lnbc", withFields([]FieldType{FieldPaymentSecret}, testField{FieldPaymentSecret, make([]byte, 53)}), key, nil),
			[]error{ErrMissingPaymentSecret, ErrFieldLength}},
		{"neither d nor h", buildInvoice("lnbc", withFields([]FieldType{FieldDescription}), key, nil),
			[]error{ErrMissingDescription}},
		{"h field of 51 elements, no d",
			buildInvoice("lnbc", withFields([]FieldType{FieldDescription}, testField{FieldDescriptionHash, make([]byte, 51)}), key, nil),
			[]error{ErrMissingDescription, ErrFieldLength}},
		{"both d and h", buildInvoice("lnbc", withFields(nil, bytesField(FieldDescriptionHash, repeatByte(3, 32))), key, nil),
			[]error{ErrDescriptionAndHash}},
		{"d not UTF-8",
			buildInvoice("lnbc", withFields([]FieldType{FieldDescription}, bytesField(FieldDescription, []byte{0xff, 0xfe})), key, nil),
			[]error{ErrInvalidUTF8}},
		{"x with a leading zero element", buildInvoice("lnbc", withFields(nil, testField{FieldExpiry, []byte{0, 1, 28}}), key, nil),
			[]error{ErrNonMinimalField}},
		{"c with a leading zero element", buildInvoice("lnbc", withFields(nil, testField{FieldMinFinalCLTVExpiryDelta, []byte{0, 18}}), key, nil),
			[]error{ErrNonMinimalField}},
		{"9 with a leading zero element",
			buildInvoice("lnbc", withFields([]FieldType{FieldFeatures}, testField{FieldFeatures, []byte{0, 16, 8, 0}}), key, nil),
			[]error{ErrNonMinimalField}},
		{"x beyond 64 bits", buildInvoice("lnbc", withFields(nil, testField{FieldExpiry, repeatByte(31, 14)}), key, nil),
			[]error{ErrValueOverflow}},
		{"c beyond 32 bits", buildInvoice("lnbc", withFields(nil, uintField(FieldMinFinalCLTVExpiryDelta, 1<<32)), key, nil),
			[]error{ErrValueOverflow}},
		{"P2PKH fallback of 19 bytes",
			buildInvoice("lnbc", withFields(nil, testField{FieldFallback, appendBytesAsElements([]byte{17}, make([]byte, 19))}), key, nil),
			[]error{ErrInvalidFallback}},
		{"P2SH fallback with an extra element",
			buildInvoice("lnbc", withFields(nil, testField{FieldFallback, append([]byte{18}, make([]byte, 33)...)}), key, nil),
			[]error{ErrInvalidFallback}},
		{"witness v0 fallback of 25 bytes",
			buildInvoice("lnbc", withFields(nil, testField{FieldFallback, appendBytesAsElements([]byte{0}, make([]byte, 25))}), key, nil),
			[]error{ErrInvalidFallback}},
		{"witness v1 fallback of 1 byte",
			buildInvoice("lnbc", withFields(nil, testField{FieldFallback, appendBytesAsElements([]byte{1}, make([]byte, 1))}), key, nil),
			[]error{ErrInvalidFallback}},
		{"empty fallback", buildInvoice("lnbc", withFields(nil, testField{FieldFallback, nil}), key, nil),
			[]error{ErrInvalidFallback}},
		{"route hint of 81 elements",
			buildInvoice("lnbc", withFields(nil, testField{FieldRouteHint, appendBytesAsElements(nil, hop)[:81]}), key, nil),
			[]error{ErrInvalidRouteHint}},
		{"route hint with an invalid pubkey",
			buildInvoice("lnbc", withFields(nil, bytesField(FieldRouteHint, append(make([]byte, 33), hop[33:]...))), key, nil),
			[]error{ErrInvalidRouteHint}},
		{"empty route hint", buildInvoice("lnbc", withFields(nil, testField{FieldRouteHint, nil}), key, nil),
			[]error{ErrInvalidRouteHint}},
		{"unknown even feature 200",
			buildInvoice("lnbc", withFields([]FieldType{FieldFeatures}, testField{FieldFeatures, appendFeatureElements(nil, lnwire.NewFeatureVector(8, 14, 200))}), key, nil),
			[]error{ErrUnknownRequiredFeature}},
		{"basic_mpp without payment_secret",
			buildInvoice("lnbc", withFields([]FieldType{FieldFeatures}, testField{FieldFeatures, appendFeatureElements(nil, lnwire.NewFeatureVector(8, 17))}), key, nil),
			[]error{ErrMissingFeatureDependency}},
		{"field running into the signature", truncated, []error{ErrFieldLength}},
		{"two elements left after the fields", headerOnly, []error{ErrFieldLength}},
		{"n field of another key", buildInvoice("lnbc", withFields(nil, otherN), key, nil),
			[]error{ErrBadSignature}},
		{"recovery id 4", buildInvoice("lnbc", baseFields(), key, func(s [65]byte) [65]byte { s[64] = 4; return s }),
			[]error{ErrBadSignature}},
		{"r of zero with n", buildInvoice("lnbc", withFields(nil, nField), key, func(s [65]byte) [65]byte {
			copy(s[:32], make([]byte, 32))
			return s
		}), []error{ErrBadSignature}},
		{"high-S with n", buildInvoice("lnbc", withFields(nil, nField), key, negateS),
			[]error{ErrHighS}},
		{"unknown currency", buildInvoice("lnxy", baseFields(), key, nil), []error{ErrUnknownCurrency}},
		{"not a lightning prefix", buildInvoice("bc", baseFields(), key, nil), []error{ErrUnknownCurrency}},
		{"amount with leading zero", buildInvoice("lnbc025m", baseFields(), key, nil), []error{ErrNonCanonicalAmount}},
		{"amount overflow", buildInvoice("lnbc999999999999", baseFields(), key, nil), []error{ErrAmountOverflow}},
		{"non-ASCII character", "lnbc1é" + strings.Repeat("q", 120), []error{ErrInvalidCharacter}},
		{"data too short for a signature", bech32Encode("lnbc", make([]byte, 110)), []error{ErrTooShort}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Decode(tc.invoice)
			if inv != nil || err == nil {
				t.Fatalf("decoded %q, want %v", tc.invoice, tc.want)
			}
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("error %q does not match %v", err, want)
				}
			}
		next:
			for name, other := range ruleErrors {
				for _, want := range tc.want {
					if other == want {
						continue next
					}
				}
				if errors.Is(err, other) {
					t.Errorf("error %q also matches %s", err, name)
				}
			}
		})
	}
}

// TestDecodeAccepts covers invoices readers must accept, and checks that
// re-encoding the decoded invoice with the same key (RFC 6979 signatures are
// deterministic) gives back the very same string.
func TestDecodeAccepts(t *testing.T) {
	key := testKey(1)
	invalidPoint := append([]byte{0x05}, repeatByte(1, 32)...)
	tests := []struct {
		name   string
		fields []testField
		alter  signedSig
		check  func(t *testing.T, inv *Invoice)
	}{
		{"unknown odd feature ignored",
			withFields([]FieldType{FieldFeatures}, testField{FieldFeatures, appendFeatureElements(nil, lnwire.NewFeatureVector(8, 14, 17, 101))}), nil,
			func(t *testing.T, inv *Invoice) {
				if !inv.Features.IsSet(101) || !inv.Features.HasFeature(lnwire.BasicMPPRequired) {
					t.Errorf("features %v", inv.Features.Bits())
				}
			}},
		{"fallback versions 19 and 31 skipped",
			withFields(nil, testField{FieldFallback, append([]byte{19}, make([]byte, 32)...)},
				testField{FieldFallback, []byte{31, 1}}), nil,
			func(t *testing.T, inv *Invoice) {
				if len(inv.Fallbacks) != 0 || len(inv.UnknownFields) != 2 {
					t.Errorf("fallbacks %v, unknown %v", inv.Fallbacks, inv.UnknownFields)
				}
			}},
		{"witness v2 fallback", withFields(nil, testField{FieldFallback, appendBytesAsElements([]byte{2}, repeatByte(7, 40))}), nil,
			func(t *testing.T, inv *Invoice) {
				if len(inv.Fallbacks) != 1 || inv.Fallbacks[0].Version != 2 || len(inv.Fallbacks[0].Program) != 40 {
					t.Fatalf("fallbacks %+v", inv.Fallbacks)
				}
				if d := NewDecoded(inv); d.Fallbacks[0].Type != "" || d.Fallbacks[0].Addr != "" || !strings.HasPrefix(d.Fallbacks[0].Hex, "5228") {
					t.Errorf("decoded fallback %+v", d.Fallbacks[0])
				}
			}},
		{"n field that is not a point: key recovered", withFields(nil, bytesField(FieldNodeID, invalidPoint)), nil,
			func(t *testing.T, inv *Invoice) {
				if inv.NodeID != nil || !inv.Payee.IsEqual(key.PubKey()) || len(inv.UnknownFields) != 1 {
					t.Errorf("node id %v, payee %v, unknown %v", inv.NodeID, inv.Payee, inv.UnknownFields)
				}
			}},
		{"valid n field", withFields(nil, bytesField(FieldNodeID, key.PubKey().SerializeCompressed())), nil,
			func(t *testing.T, inv *Invoice) {
				if inv.NodeID == nil || inv.Payee != inv.NodeID {
					t.Errorf("node id %v, payee %v", inv.NodeID, inv.Payee)
				}
			}},
		{"high-S without n", baseFields(), negateS,
			func(t *testing.T, inv *Invoice) {
				if !inv.Payee.IsEqual(key.PubKey()) {
					t.Errorf("payee %x", inv.Payee.SerializeCompressed())
				}
			}},
		{"repeated p: the first counts",
			withFields(nil, bytesField(FieldPaymentHash, repeatByte(0xbb, 32))), nil,
			func(t *testing.T, inv *Invoice) {
				if inv.PaymentHash != [32]byte(repeatByte(0xaa, 32)) || len(inv.UnknownFields) != 1 {
					t.Errorf("payment hash %x, unknown %v", inv.PaymentHash, inv.UnknownFields)
				}
			}},
		{"unknown field type kept", withFields(nil, testField{2, []byte{1, 2, 3}}), nil,
			func(t *testing.T, inv *Invoice) {
				if len(inv.UnknownFields) != 1 || inv.UnknownFields[0].Type != 2 {
					t.Errorf("unknown %v", inv.UnknownFields)
				}
			}},
		{"empty 9 field kept raw", withFields([]FieldType{FieldFeatures}, testField{FieldFeatures, nil}), nil,
			func(t *testing.T, inv *Invoice) {
				if !inv.Features.IsEmpty() || len(inv.UnknownFields) != 1 {
					t.Errorf("features %v, unknown %v", inv.Features.Bits(), inv.UnknownFields)
				}
			}},
		{"zero-length x and c are zero", withFields(nil, testField{FieldExpiry, nil}, testField{FieldMinFinalCLTVExpiryDelta, nil}), nil,
			func(t *testing.T, inv *Invoice) {
				if inv.Expiry == nil || *inv.Expiry != 0 || inv.MinFinalCLTVExpiryDelta == nil || *inv.MinFinalCLTVExpiryDelta != 0 {
					t.Errorf("expiry %v, cltv %v", inv.Expiry, inv.MinFinalCLTVExpiryDelta)
				}
			}},
		{"defaults when x and c are absent", baseFields(), nil,
			func(t *testing.T, inv *Invoice) {
				if inv.ExpirySeconds() != 3600 || inv.FinalCLTVDelta() != 18 {
					t.Errorf("expiry %d, cltv %d", inv.ExpirySeconds(), inv.FinalCLTVDelta())
				}
			}},
		{"two route hints of several hops", withFields(nil,
			bytesField(FieldRouteHint, routeBytes([]RouteHop{{NodeID: key.PubKey(), FeeBaseMsat: 1}, {NodeID: testKey(3).PubKey(), CLTVExpiryDelta: 9}})),
			bytesField(FieldRouteHint, routeBytes([]RouteHop{{NodeID: testKey(4).PubKey(), FeeProportionalMillionths: 7}}))), nil,
			func(t *testing.T, inv *Invoice) {
				if len(inv.RouteHints) != 2 || len(inv.RouteHints[0]) != 2 || inv.RouteHints[0][1].CLTVExpiryDelta != 9 ||
					inv.RouteHints[1][0].FeeProportionalMillionths != 7 {
					t.Errorf("route hints %+v", inv.RouteHints)
				}
			}},
		{"empty d and m", withFields([]FieldType{FieldDescription}, testField{FieldDescription, nil}, testField{FieldPaymentMetadata, nil}), nil,
			func(t *testing.T, inv *Invoice) {
				if inv.Description == nil || *inv.Description != "" || inv.PaymentMetadata == nil || len(inv.PaymentMetadata) != 0 {
					t.Errorf("description %v, metadata %v", inv.Description, inv.PaymentMetadata)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := buildInvoice("lntb", tc.fields, key, tc.alter)
			inv, err := Decode(s)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			tc.check(t, inv)
			if tc.alter != nil {
				return // Encode signs afresh, low-S
			}
			again, err := Encode(inv, keySigner{key})
			if err != nil || again != s {
				t.Errorf("re-encoded as\n %s (%v)\nwant\n %s", again, err, s)
			}
		})
	}
}

func TestDecodeUpperCaseEqualsLowerCase(t *testing.T) {
	s := buildInvoice("lnbcrt10n", baseFields(), testKey(1), nil)
	lower, err := Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	upper, err := Decode(strings.ToUpper(s))
	if err != nil {
		t.Fatal(err)
	}
	if !invoicesEqual(lower, upper, true) {
		t.Fatal("upper-case invoice decodes differently")
	}
	if _, err := Decode(s[:10] + strings.ToUpper(s[10:])); !errors.Is(err, ErrMixedCase) {
		t.Fatalf("mixed case: %v", err)
	}
}
