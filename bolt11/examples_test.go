package bolt11

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// specExamples mirrors testdata/bolt11_examples.json, transcribed from the
// "Examples" and "Examples of Invalid Invoices" sections of BOLT 11.
type specExamples struct {
	PrivateKey string         `json:"private_key"`
	Valid      []validExample `json:"valid"`
	Invalid    []struct {
		Name    string `json:"name"`
		Invoice string `json:"invoice"`
		Error   string `json:"error"`
	} `json:"invalid"`
}

type validExample struct {
	Name               string              `json:"name"`
	Invoice            string              `json:"invoice"`
	Currency           string              `json:"currency"`
	AmountMsat         *uint64             `json:"amount_msat"`
	Timestamp          uint64              `json:"timestamp"`
	PaymentHash        string              `json:"payment_hash"`
	PaymentSecret      string              `json:"payment_secret"`
	Payee              string              `json:"payee"`
	Features           []lnwire.FeatureBit `json:"features"`
	Description        *string             `json:"description"`
	DescriptionHash    string              `json:"description_hash"`
	Expiry             *uint64             `json:"expiry"`
	MinFinalCLTVExpiry *uint32             `json:"min_final_cltv_expiry"`
	PaymentMetadata    string              `json:"payment_metadata"`
	Fallbacks          []DecodedFallback   `json:"fallbacks"`
	Routes             [][]DecodedRouteHop `json:"routes"`
	IgnoredFields      []DecodedExtraField `json:"ignored_fields"`
	FieldOrder         string              `json:"field_order"`
	Signature          string              `json:"signature"`
	RecoveryID         *byte               `json:"recovery_id"`
	SigningData        string              `json:"signing_data"`
	SigningHash        string              `json:"signing_hash"`
	HighS              bool                `json:"high_s"`
}

func loadExamples(t testing.TB) specExamples {
	t.Helper()
	raw, err := os.ReadFile("testdata/bolt11_examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex specExamples
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.Valid) != 16 || len(ex.Invalid) != 10 {
		t.Fatalf("testdata has %d valid and %d invalid examples, BOLT 11 has 16 and 10", len(ex.Valid), len(ex.Invalid))
	}
	return ex
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustHash(t testing.TB, s string) [32]byte {
	t.Helper()
	var h [32]byte
	if n := copy(h[:], mustHex(t, s)); n != 32 {
		t.Fatalf("hash %q has %d bytes", s, n)
	}
	return h
}

func mustPubKey(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	key, err := btcec.ParsePubKey(mustHex(t, s))
	if err != nil {
		t.Fatalf("bad pubkey %q: %v", s, err)
	}
	return key
}

// keySigner signs with a private key, as the signer package does.
type keySigner struct{ key *btcec.PrivateKey }

func (k keySigner) SignCompact(hash [32]byte) ([]byte, error) {
	return ecdsa.SignCompact(k.key, hash[:], true), nil
}

func (k keySigner) PubKey() *btcec.PublicKey { return k.key.PubKey() }

// negatedSSigner makes signatures the way the spec's high-S example was
// made: S replaced by N - S, the recovery id kept. Recovery then yields
// another key than the signing one, so it does not tell a public key.
type negatedSSigner struct{ key *btcec.PrivateKey }

func (n negatedSSigner) SignCompact(hash [32]byte) ([]byte, error) {
	sig := ecdsa.SignCompact(n.key, hash[:], true)
	var s btcec.ModNScalar
	s.SetByteSlice(sig[33:65])
	s.Negate()
	b := s.Bytes()
	copy(sig[33:], b[:])
	return sig, nil
}

func examplePrivateKey(t testing.TB, ex specExamples) *btcec.PrivateKey {
	key, _ := btcec.PrivKeyFromBytes(mustHex(t, ex.PrivateKey))
	return key
}

func TestDecodeSpecExamples(t *testing.T) {
	ex := loadExamples(t)
	for _, want := range ex.Valid {
		t.Run(want.Name, func(t *testing.T) {
			inv, err := Decode(want.Invoice)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkDecodedExample(t, want, inv)
		})
	}
}

func checkDecodedExample(t *testing.T, want validExample, inv *Invoice) {
	t.Helper()
	if string(inv.Currency) != want.Currency {
		t.Errorf("currency %q, want %q", inv.Currency, want.Currency)
	}
	switch {
	case want.AmountMsat == nil && inv.Amount != nil:
		t.Errorf("amount %v, want none", *inv.Amount)
	case want.AmountMsat != nil && (inv.Amount == nil || uint64(*inv.Amount) != *want.AmountMsat):
		t.Errorf("amount %v, want %d msat", inv.Amount, *want.AmountMsat)
	}
	if inv.Timestamp != want.Timestamp {
		t.Errorf("timestamp %d, want %d", inv.Timestamp, want.Timestamp)
	}
	if inv.PaymentHash != mustHash(t, want.PaymentHash) {
		t.Errorf("payment hash %x", inv.PaymentHash)
	}
	if inv.PaymentSecret != mustHash(t, want.PaymentSecret) {
		t.Errorf("payment secret %x", inv.PaymentSecret)
	}
	if got := hex.EncodeToString(inv.Payee.SerializeCompressed()); got != want.Payee {
		t.Errorf("payee %s, want %s", got, want.Payee)
	}
	if inv.NodeID != nil {
		t.Errorf("no example has an n field, got %x", inv.NodeID.SerializeCompressed())
	}
	if !inv.Features.Equal(lnwire.NewFeatureVector(want.Features...)) {
		t.Errorf("features %v, want %v", inv.Features.Bits(), want.Features)
	}
	switch {
	case want.Description != nil:
		if inv.Description == nil || *inv.Description != *want.Description || inv.DescriptionHash != nil {
			t.Errorf("description %v / hash %v, want %q", inv.Description, inv.DescriptionHash, *want.Description)
		}
	default:
		if inv.DescriptionHash == nil || *inv.DescriptionHash != mustHash(t, want.DescriptionHash) || inv.Description != nil {
			t.Errorf("description hash %v, want %s", inv.DescriptionHash, want.DescriptionHash)
		}
	}
	if !equalUintPtr(inv.Expiry, want.Expiry) {
		t.Errorf("expiry %v, want %v", inv.Expiry, want.Expiry)
	}
	if want.MinFinalCLTVExpiry == nil && inv.MinFinalCLTVExpiryDelta != nil ||
		want.MinFinalCLTVExpiry != nil && (inv.MinFinalCLTVExpiryDelta == nil || *inv.MinFinalCLTVExpiryDelta != *want.MinFinalCLTVExpiry) {
		t.Errorf("min_final_cltv_expiry %v, want %v", inv.MinFinalCLTVExpiryDelta, want.MinFinalCLTVExpiry)
	}
	if hex.EncodeToString(inv.PaymentMetadata) != want.PaymentMetadata {
		t.Errorf("payment metadata %x, want %s", inv.PaymentMetadata, want.PaymentMetadata)
	}
	decoded := NewDecoded(inv)
	if len(decoded.Fallbacks) != len(want.Fallbacks) {
		t.Fatalf("fallbacks %+v, want %+v", decoded.Fallbacks, want.Fallbacks)
	}
	for i, fb := range want.Fallbacks {
		if decoded.Fallbacks[i].Type != fb.Type || decoded.Fallbacks[i].Addr != fb.Addr {
			t.Errorf("fallback %d: %+v, want %+v", i, decoded.Fallbacks[i], fb)
		}
	}
	if len(decoded.Routes) != len(want.Routes) {
		t.Fatalf("routes %+v, want %+v", decoded.Routes, want.Routes)
	}
	for i := range want.Routes {
		if len(decoded.Routes[i]) != len(want.Routes[i]) {
			t.Fatalf("route %d: %+v, want %+v", i, decoded.Routes[i], want.Routes[i])
		}
		for j, hop := range want.Routes[i] {
			if decoded.Routes[i][j] != hop {
				t.Errorf("route %d hop %d: %+v, want %+v", i, j, decoded.Routes[i][j], hop)
			}
		}
	}
	if len(decoded.Extra) != len(want.IgnoredFields) {
		t.Fatalf("ignored fields %+v, want %+v", decoded.Extra, want.IgnoredFields)
	}
	for i, f := range want.IgnoredFields {
		if decoded.Extra[i] != f {
			t.Errorf("ignored field %d: %+v, want %+v", i, decoded.Extra[i], f)
		}
	}
	if want.Signature != "" {
		if got := hex.EncodeToString(inv.Signature[:64]); got != want.Signature {
			t.Errorf("signature %s, want %s", got, want.Signature)
		}
		if inv.Signature[64] != *want.RecoveryID {
			t.Errorf("recovery id %d, want %d", inv.Signature[64], *want.RecoveryID)
		}
	}
	var order []byte
	for _, typ := range inv.FieldOrder {
		order = append(order, typ.Letter())
	}
	// Unknown fields appear as '?' in the order; the spec lists their tags.
	wantOrder := []byte(want.FieldOrder)
	for i, f := range inv.UnknownFields {
		idx := len(want.FieldOrder) - len(inv.UnknownFields) + i
		if idx >= 0 && idx < len(wantOrder) && wantOrder[idx] == f.Type.Letter() {
			wantOrder[idx] = '?'
		}
	}
	if string(order) != string(wantOrder) {
		t.Errorf("field order %s, want %s", order, wantOrder)
	}
}

func equalUintPtr(a, b *uint64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// TestSigningDataSpecExamples checks the bytes and hash the signature covers
// against the "Signature breakdown" of each example.
func TestSigningDataSpecExamples(t *testing.T) {
	ex := loadExamples(t)
	checked := 0
	for _, want := range ex.Valid {
		if want.SigningData == "" {
			continue
		}
		checked++
		hrp, data, err := bech32Decode(want.Invoice)
		if err != nil {
			t.Fatalf("%s: %v", want.Name, err)
		}
		signed := data[:len(data)-signatureElements]
		preimage := append([]byte(hrp), appendBytesFromElementsPadded(nil, signed)...)
		if got := hex.EncodeToString(preimage); got != want.SigningData {
			t.Errorf("%s: signing data\n got %s\nwant %s", want.Name, got, want.SigningData)
		}
		hash := signingHash(hrp, signed)
		if hash != sha256.Sum256(preimage) || hex.EncodeToString(hash[:]) != want.SigningHash {
			t.Errorf("%s: signing hash %x, want %s", want.Name, hash, want.SigningHash)
		}
	}
	if checked != 11 {
		t.Fatalf("checked %d signature breakdowns, the spec gives 11", checked)
	}
}

// invoiceFromExample builds the invoice from the transcribed values only, so
// that encoding it tests Encode independently of Decode.
func invoiceFromExample(t *testing.T, want validExample) *Invoice {
	t.Helper()
	inv := &Invoice{
		Currency:                Currency(want.Currency),
		Timestamp:               want.Timestamp,
		PaymentHash:             mustHash(t, want.PaymentHash),
		PaymentSecret:           mustHash(t, want.PaymentSecret),
		Description:             want.Description,
		Expiry:                  want.Expiry,
		MinFinalCLTVExpiryDelta: want.MinFinalCLTVExpiry,
		Features:                lnwire.NewFeatureVector(want.Features...),
	}
	if want.AmountMsat != nil {
		amount := lnwire.MilliSatoshi(*want.AmountMsat)
		inv.Amount = &amount
	}
	if want.DescriptionHash != "" {
		h := mustHash(t, want.DescriptionHash)
		inv.DescriptionHash = &h
	}
	if want.PaymentMetadata != "" {
		inv.PaymentMetadata = mustHex(t, want.PaymentMetadata)
	}
	params, _ := inv.Currency.ChainParams()
	for _, fb := range want.Fallbacks {
		addr, err := btcutil.DecodeAddress(fb.Addr, params)
		if err != nil {
			t.Fatal(err)
		}
		version := map[string]byte{"P2PKH": FallbackP2PKH, "P2SH": FallbackP2SH, "P2WPKH": 0, "P2WSH": 0, "P2TR": 1}[fb.Type]
		inv.Fallbacks = append(inv.Fallbacks, Fallback{Version: version, Program: addr.ScriptAddress()})
	}
	for _, route := range want.Routes {
		var hops []RouteHop
		for _, hop := range route {
			scid, err := lnwire.ParseShortChannelID(hop.ShortChannelID)
			if err != nil {
				t.Fatal(err)
			}
			hops = append(hops, RouteHop{
				NodeID:                    mustPubKey(t, hop.Pubkey),
				ShortChannelID:            scid,
				FeeBaseMsat:               uint32(hop.FeeBaseMsat),
				FeeProportionalMillionths: hop.FeeProportionalMillionths,
				CLTVExpiryDelta:           uint16(hop.CLTVExpiryDelta),
			})
		}
		inv.RouteHints = append(inv.RouteHints, hops)
	}
	for _, f := range want.IgnoredFields {
		raw := RawField{Type: FieldType(strings.IndexByte(bech32Charset, f.Tag[0]))}
		for i := 0; i < len(f.Data); i++ {
			raw.Data = append(raw.Data, byte(strings.IndexByte(bech32Charset, f.Data[i])))
		}
		inv.UnknownFields = append(inv.UnknownFields, raw)
	}
	known := len(want.FieldOrder) - len(want.IgnoredFields)
	for i := 0; i < len(want.FieldOrder); i++ {
		typ := FieldType(strings.IndexByte(bech32Charset, want.FieldOrder[i]))
		if i >= known {
			typ = FieldUnknown
		}
		inv.FieldOrder = append(inv.FieldOrder, typ)
	}
	return inv
}

func TestEncodeSpecExamples(t *testing.T) {
	ex := loadExamples(t)
	key := examplePrivateKey(t, ex)
	for _, want := range ex.Valid {
		t.Run(want.Name, func(t *testing.T) {
			var signer Signer = keySigner{key}
			if want.HighS {
				signer = negatedSSigner{key}
			}
			got, err := Encode(invoiceFromExample(t, want), signer)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if got != strings.ToLower(want.Invoice) {
				t.Fatalf("encoded\n %s\nwant\n %s", got, want.Invoice)
			}
			if strings.ToUpper(want.Invoice) == want.Invoice && strings.ToUpper(got) != want.Invoice {
				t.Fatalf("upper-case form differs")
			}
		})
	}
}

// TestEncodeDefaultOrderDecodes encodes each example without a field order
// and checks that decoding gives the same invoice back.
func TestEncodeDefaultOrderDecodes(t *testing.T) {
	ex := loadExamples(t)
	key := examplePrivateKey(t, ex)
	for _, want := range ex.Valid {
		inv := invoiceFromExample(t, want)
		inv.FieldOrder = nil
		s, err := Encode(inv, keySigner{key})
		if err != nil {
			t.Fatalf("%s: Encode: %v", want.Name, err)
		}
		back, err := Decode(s)
		if err != nil {
			t.Fatalf("%s: Decode: %v", want.Name, err)
		}
		back.FieldOrder = nil
		want.FieldOrder = ""
		want.Signature = ""
		want.Payee = hex.EncodeToString(key.PubKey().SerializeCompressed())
		checkDecodedExample(t, want, back)
	}
}

// ruleErrors are the sentinels of distinct reader rules: an invalid example
// must match its own and no other.
var ruleErrors = map[string]error{
	"ErrMixedCase": ErrMixedCase, "ErrMissingSeparator": ErrMissingSeparator,
	"ErrInvalidCharacter": ErrInvalidCharacter, "ErrBadChecksum": ErrBadChecksum, "ErrTooShort": ErrTooShort,
	"ErrUnknownCurrency": ErrUnknownCurrency, "ErrInvalidAmount": ErrInvalidAmount,
	"ErrNonCanonicalAmount": ErrNonCanonicalAmount, "ErrSubMillisatoshi": ErrSubMillisatoshi,
	"ErrAmountOverflow": ErrAmountOverflow, "ErrFieldLength": ErrFieldLength,
	"ErrMissingPaymentHash": ErrMissingPaymentHash, "ErrMissingPaymentSecret": ErrMissingPaymentSecret,
	"ErrMissingDescription": ErrMissingDescription, "ErrDescriptionAndHash": ErrDescriptionAndHash,
	"ErrInvalidUTF8": ErrInvalidUTF8, "ErrNonMinimalField": ErrNonMinimalField,
	"ErrValueOverflow": ErrValueOverflow, "ErrInvalidFallback": ErrInvalidFallback,
	"ErrInvalidRouteHint": ErrInvalidRouteHint, "ErrUnknownRequiredFeature": ErrUnknownRequiredFeature,
	"ErrMissingFeatureDependency": ErrMissingFeatureDependency, "ErrBadSignature": ErrBadSignature,
	"ErrHighS": ErrHighS,
}

func TestDecodeInvalidSpecExamples(t *testing.T) {
	ex := loadExamples(t)
	for _, c := range ex.Invalid {
		t.Run(c.Name, func(t *testing.T) {
			want, ok := ruleErrors[c.Error]
			if !ok {
				t.Fatalf("unknown error name %q in testdata", c.Error)
			}
			inv, err := Decode(c.Invoice)
			if inv != nil || !errors.Is(err, want) {
				t.Fatalf("got %v, %v; want %s", inv, err, c.Error)
			}
			for name, other := range ruleErrors {
				if other != want && errors.Is(err, other) {
					t.Errorf("error %q also matches %s", err, name)
				}
			}
		})
	}
}

func TestUnknownFeatureErrorNamesBit(t *testing.T) {
	ex := loadExamples(t)
	_, err := Decode(ex.Invalid[0].Invoice)
	var unknown *UnknownFeatureError
	if !errors.As(err, &unknown) || unknown.Bit != 100 || !strings.Contains(err.Error(), "bit 100") {
		t.Fatalf("got %v, want feature bit 100 named", err)
	}
}

func TestHighSExampleIsTwinOfLowS(t *testing.T) {
	ex := loadExamples(t)
	low, high := ex.Valid[0], ex.Valid[15]
	if !high.HighS || low.HighS {
		t.Fatal("testdata: example 16 must be the high-S one")
	}
	if !bytes.Equal(mustHex(t, low.Signature)[:32], mustHex(t, high.Signature)[:32]) {
		t.Fatal("high-S example should share R with the first example")
	}
}
