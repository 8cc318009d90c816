package bolt11

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// validInvoice returns a fresh invoice that Encode accepts.
func validInvoice() *Invoice {
	description := "coffee"
	amount := lnwire.MilliSatoshi(2_500_000_000)
	return &Invoice{
		Currency:      CurrencyRegtest,
		Amount:        &amount,
		Timestamp:     1_700_000_000,
		PaymentHash:   [32]byte{1, 2, 3},
		PaymentSecret: [32]byte{4, 5, 6},
		Description:   &description,
		Features:      lnwire.NewFeatureVector(lnwire.VarOnionOptinRequired, lnwire.PaymentSecretRequired),
	}
}

type failingSigner struct{}

func (failingSigner) SignCompact([32]byte) ([]byte, error) { return nil, errors.New("hsm offline") }

type shortSigner struct{}

func (shortSigner) SignCompact([32]byte) ([]byte, error) { return make([]byte, 64), nil }

// lyingSigner signs with one key but claims another.
type lyingSigner struct{ signWith, claim *btcec.PrivateKey }

func (l lyingSigner) SignCompact(hash [32]byte) ([]byte, error) {
	return ecdsa.SignCompact(l.signWith, hash[:], true), nil
}

func (l lyingSigner) PubKey() *btcec.PublicKey { return l.claim.PubKey() }

func TestEncodeRejects(t *testing.T) {
	key := testKey(1)
	tooLong := strings.Repeat("x", maxFieldBytes+1)
	badUTF8 := "\xff"
	zero := lnwire.MilliSatoshi(0)
	tests := []struct {
		name   string
		change func(inv *Invoice)
		signer Signer
		want   error
	}{
		{"unknown currency", func(inv *Invoice) { inv.Currency = "ltc" }, nil, ErrUnknownCurrency},
		{"zero amount", func(inv *Invoice) { inv.Amount = &zero }, nil, ErrNonCanonicalAmount},
		{"timestamp beyond 35 bits", func(inv *Invoice) { inv.Timestamp = 1 << 35 }, nil, ErrTimestampRange},
		{"no description", func(inv *Invoice) { inv.Description = nil }, nil, ErrMissingDescription},
		{"description and hash", func(inv *Invoice) { inv.DescriptionHash = &[32]byte{} }, nil, ErrDescriptionAndHash},
		{"description not UTF-8", func(inv *Invoice) { inv.Description = &badUTF8 }, nil, ErrInvalidUTF8},
		{"description over 639 bytes", func(inv *Invoice) { inv.Description = &tooLong }, nil, ErrFieldTooLong},
		{"metadata over 639 bytes", func(inv *Invoice) { inv.PaymentMetadata = make([]byte, 640) }, nil, ErrFieldTooLong},
		{"P2SH fallback of 32 bytes", func(inv *Invoice) {
			inv.Fallbacks = []Fallback{{Version: FallbackP2SH, Program: make([]byte, 32)}}
		}, nil, ErrInvalidFallback},
		{"fallback version 19", func(inv *Invoice) { inv.Fallbacks = []Fallback{{Version: 19, Program: make([]byte, 20)}} }, nil, ErrInvalidFallback},
		{"empty route hint", func(inv *Invoice) { inv.RouteHints = [][]RouteHop{{}} }, nil, ErrInvalidRouteHint},
		{"hop without node id", func(inv *Invoice) { inv.RouteHints = [][]RouteHop{{{}}} }, nil, ErrInvalidRouteHint},
		{"route hint of 13 hops", func(inv *Invoice) {
			route := make([]RouteHop, 13)
			for i := range route {
				route[i].NodeID = key.PubKey()
			}
			inv.RouteHints = [][]RouteHop{route}
		}, nil, ErrFieldTooLong},
		{"unknown even feature", func(inv *Invoice) { inv.Features.Set(100) }, nil, ErrUnknownRequiredFeature},
		{"feature beyond the field", func(inv *Invoice) { inv.Features.Set(5115) }, nil, ErrFieldTooLong},
		{"basic_mpp without payment_secret", func(inv *Invoice) { inv.Features = lnwire.NewFeatureVector(8, 17) }, nil, ErrMissingFeatureDependency},
		{"unknown field over 1023 elements", func(inv *Invoice) {
			inv.UnknownFields = []RawField{{Type: 2, Data: make([]byte, 1024)}}
		}, nil, ErrFieldTooLong},
		{"unknown field with a 6-bit element", func(inv *Invoice) {
			inv.UnknownFields = []RawField{{Type: 2, Data: []byte{32}}}
		}, nil, ErrInvalidCharacter},
		{"field order with two p", func(inv *Invoice) {
			inv.FieldOrder = []FieldType{FieldPaymentHash, FieldPaymentHash}
		}, nil, ErrFieldOrder},
		{"field order naming an absent x", func(inv *Invoice) { inv.FieldOrder = []FieldType{FieldExpiry} }, nil, ErrFieldOrder},
		{"field order with a raw type number", func(inv *Invoice) { inv.FieldOrder = []FieldType{2} }, nil, ErrFieldOrder},
		{"signer fails", nil, failingSigner{}, ErrSigner},
		{"signer returns 64 bytes", nil, shortSigner{}, ErrSigner},
		{"signer signs with another key than it claims", nil, lyingSigner{signWith: testKey(2), claim: key}, ErrSigner},
		{"n field of another key", func(inv *Invoice) { inv.NodeID = testKey(2).PubKey() }, nil, ErrSignerKeyMismatch},
		{"high-S signature with n", func(inv *Invoice) { inv.NodeID = key.PubKey() }, highSTwinSigner{key}, ErrHighS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := validInvoice()
			if tc.change != nil {
				tc.change(inv)
			}
			signer := tc.signer
			if signer == nil {
				signer = keySigner{key}
			}
			s, err := Encode(inv, signer)
			if !errors.Is(err, tc.want) || s != "" {
				t.Fatalf("got %q, %v; want %v", s, err, tc.want)
			}
		})
	}
}

// highSTwinSigner returns the high-S twin of a valid signature (S negated,
// recovery id parity flipped): the same key, but not low-S.
type highSTwinSigner struct{ key *btcec.PrivateKey }

func (h highSTwinSigner) SignCompact(hash [32]byte) ([]byte, error) {
	sig := ecdsa.SignCompact(h.key, hash[:], true)
	var s btcec.ModNScalar
	s.SetByteSlice(sig[33:65])
	s.Negate()
	b := s.Bytes()
	copy(sig[33:], b[:])
	recoveryID := sig[0] - compactHeaderBase - compactHeaderCompressed
	sig[0] = compactHeaderBase + compactHeaderCompressed + (recoveryID ^ 1)
	return sig, nil
}

func TestEncodeDecodeWithNodeID(t *testing.T) {
	key := testKey(7)
	inv := validInvoice()
	inv.NodeID = key.PubKey()
	expiry, cltv := uint64(86400), uint32(144)
	inv.Expiry, inv.MinFinalCLTVExpiryDelta = &expiry, &cltv
	inv.PaymentMetadata = []byte{1, 2, 3}
	inv.Fallbacks = []Fallback{{Version: 1, Program: make([]byte, 32)}}
	inv.RouteHints = [][]RouteHop{{{NodeID: testKey(8).PubKey(), ShortChannelID: lnwire.ShortChannelID{BlockHeight: 700000, TxIndex: 5, OutputIndex: 1},
		FeeBaseMsat: 1000, FeeProportionalMillionths: 1, CLTVExpiryDelta: 40}}}
	s, err := Encode(inv, keySigner{key})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "lnbcrt25m1") {
		t.Errorf("prefix of %s", s)
	}
	back, err := Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	if back.Payee != back.NodeID || !back.NodeID.IsEqual(key.PubKey()) {
		t.Fatal("payee is not the n field")
	}
	back.FieldOrder = nil
	back.Payee = nil
	back.Signature = [65]byte{}
	if !invoicesEqual(inv, back, true) {
		t.Fatalf("round trip differs:\n%+v\n%+v", toComparable(inv, true), toComparable(back, true))
	}
}

func TestExpiryHelpers(t *testing.T) {
	inv := validInvoice()
	created := time.Unix(1_700_000_000, 0)
	if !inv.CreatedAt().Equal(created) || !inv.ExpiresAt().Equal(created.Add(time.Hour)) {
		t.Fatalf("created %v expires %v", inv.CreatedAt(), inv.ExpiresAt())
	}
	tests := []struct {
		now     time.Time
		expired bool
	}{
		{created, false},
		{created.Add(time.Hour - time.Second), false},
		{created.Add(time.Hour), true},
		{created.Add(48 * time.Hour), true},
	}
	for _, tc := range tests {
		err := inv.CheckExpiry(tc.now)
		if inv.IsExpired(tc.now) != tc.expired || errors.Is(err, ErrExpired) != tc.expired || (err == nil) == tc.expired {
			t.Errorf("at %v: expired %v, err %v", tc.now.Sub(created), inv.IsExpired(tc.now), err)
		}
	}
	huge := uint64(1<<64 - 1)
	inv.Expiry = &huge
	if inv.IsExpired(time.Unix(1<<62, 0)) {
		t.Error("a saturated expiry must not wrap around")
	}
}

func TestCheckDescription(t *testing.T) {
	// The BOLT 11 example's hashed description and its SHA256 (3925b6f6...).
	text := "One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one slice of watermelon"
	ex := loadExamples(t)
	inv, err := Decode(ex.Valid[3].Invoice)
	if err != nil {
		t.Fatal(err)
	}
	if err := inv.CheckDescription(text); err != nil {
		t.Errorf("spec description rejected: %v", err)
	}
	if err := inv.CheckDescription(text + "."); !errors.Is(err, ErrDescriptionHashMismatch) {
		t.Errorf("altered description: %v", err)
	}
	if *inv.DescriptionHash != sha256.Sum256([]byte(text)) {
		t.Error("hash differs from SHA256 of the text")
	}
	plain := validInvoice()
	if plain.CheckDescription("coffee") != nil || !errors.Is(plain.CheckDescription("tea"), ErrDescriptionHashMismatch) {
		t.Error("d field comparison")
	}
	plain.Description = nil
	if !errors.Is(plain.CheckDescription("x"), ErrMissingDescription) {
		t.Error("no description")
	}
}

func TestFeatureElements(t *testing.T) {
	tests := []struct {
		bits     []lnwire.FeatureBit
		elements string // as bech32 characters
		cln      string // Core Lightning's hex
	}{
		// BOLT 11 examples: "sgq" is bits 8 and 14; features 8, 14 and 99
		// are "sqqqqqqqqqqqqqqqqsgq"; 8, 14 and 48 are "gqqqqqqsgq".
		{[]lnwire.FeatureBit{8, 14}, "sgq", "4100"},
		{[]lnwire.FeatureBit{8, 14, 99}, "sqqqqqqqqqqqqqqqqsgq", "08000000000000000000004100"},
		{[]lnwire.FeatureBit{8, 14, 48}, "gqqqqqqsgq", "01000000004100"},
		{[]lnwire.FeatureBit{0}, "p", "01"},
		{[]lnwire.FeatureBit{15}, "pqqq", "008000"}, // 4 elements fill 3 bytes
		{nil, "", ""},
	}
	for _, tc := range tests {
		v := lnwire.NewFeatureVector(tc.bits...)
		var got strings.Builder
		for _, e := range appendFeatureElements(nil, v) {
			got.WriteByte(bech32Charset[e])
		}
		if got.String() != tc.elements {
			t.Errorf("%v: elements %q, want %q", tc.bits, got.String(), tc.elements)
		}
		if cln := hex.EncodeToString(clnFeatureBytes(v)); cln != tc.cln {
			t.Errorf("%v: Core Lightning form %q, want %q", tc.bits, cln, tc.cln)
		}
		var elems []byte
		for _, c := range tc.elements {
			elems = append(elems, byte(strings.IndexRune(bech32Charset, c)))
		}
		back, err := featuresFromElements(elems)
		if err != nil || !back.Equal(v) {
			t.Errorf("%q: decoded %v, %v", tc.elements, back.Bits(), err)
		}
	}
}

// TestInvoiceFeaturesMatchBOLT9 checks the list of features known in
// invoices against lnwire's BOLT 9 table: every pair with context 9, plus
// the ASSUMED var_onion_optin and payment_secret.
func TestInvoiceFeaturesMatchBOLT9(t *testing.T) {
	want := map[lnwire.FeatureBit]bool{lnwire.VarOnionOptinRequired: true, lnwire.PaymentSecretRequired: true}
	for _, f := range lnwire.KnownFeatures() {
		if strings.Contains(f.Context, "9") {
			want[f.Required] = true
		}
	}
	if len(want) != len(invoiceFeatures) {
		t.Errorf("invoice features %v, BOLT 9 context 9 gives %v", invoiceFeatures, want)
	}
	for _, b := range invoiceFeatures {
		if !want[b] || !knownInvoiceFeature(b) || !knownInvoiceFeature(b+1) {
			t.Errorf("feature %d", b)
		}
	}
	if knownInvoiceFeature(lnwire.AnchorsRequired) {
		t.Error("option_anchors is not an invoice feature")
	}
}
