package lnwire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestFeatureVectorEncoding(t *testing.T) {
	tests := []struct {
		bits []FeatureBit
		hex  string
	}{
		{nil, ""},
		{[]FeatureBit{0}, "01"},
		{[]FeatureBit{7}, "80"},
		{[]FeatureBit{8}, "0100"},
		{[]FeatureBit{1, 9}, "0202"},
		{[]FeatureBit{13, 17}, "022000"},
		{[]FeatureBit{0, 63, 64}, "018000000000000001"},
	}
	for _, tc := range tests {
		f := NewFeatureVector(tc.bits...)
		if got := hex.EncodeToString(f.Encode()); got != tc.hex {
			t.Errorf("Encode(%v) = %s, want %s", tc.bits, got, tc.hex)
		}
		decoded := DecodeFeatures(mustHex(t, tc.hex))
		if !slices.Equal(decoded.Bits(), tc.bits) || !decoded.Equal(f) {
			t.Errorf("DecodeFeatures(%s) = %v, want %v", tc.hex, decoded.Bits(), tc.bits)
		}
	}
}

func TestDecodeFeaturesAcceptsLeadingZeros(t *testing.T) {
	f := DecodeFeatures([]byte{0, 0, 0x01, 0x00})
	if !slices.Equal(f.Bits(), []FeatureBit{8}) {
		t.Fatalf("bits %v, want [8]", f.Bits())
	}
	if enc := f.Encode(); !bytes.Equal(enc, []byte{1, 0}) {
		t.Fatalf("re-encoded %x, want 0100", enc)
	}
}

// A features field can be 65535 bytes long, so its top bit is 524279.
func TestFeatureVectorHighestBit(t *testing.T) {
	const top = FeatureBit(65535*8 - 1)
	f := NewFeatureVector(top)
	enc := f.Encode()
	if len(enc) != 65535 || enc[0] != 0x80 {
		t.Fatalf("encoded %d bytes starting %x", len(enc), enc[:1])
	}
	if got := DecodeFeatures(enc).Bits(); !slices.Equal(got, []FeatureBit{top}) {
		t.Fatalf("decoded %v", got)
	}
	if got := f.UnknownRequired(FeatureVector{}); len(got) != 0 {
		t.Fatalf("odd bit %d reported as required: %v", top, got)
	}
	if got := NewFeatureVector(top - 1).UnknownRequired(FeatureVector{}); !slices.Equal(got, []FeatureBit{top - 1}) {
		t.Fatalf("UnknownRequired = %v", got)
	}
}

func TestFeatureVectorSetOperations(t *testing.T) {
	var f FeatureVector
	if !f.IsEmpty() || f.Encode() == nil || len(f.Encode()) != 0 {
		t.Fatal("zero FeatureVector is not empty")
	}
	f.Set(BasicMPPOptional)
	f.Set(AnchorsRequired)
	clone := f.Clone()
	f.Unset(AnchorsRequired)
	f.Unset(5000) // beyond the stored words: no effect
	if f.IsSet(AnchorsRequired) || !clone.IsSet(AnchorsRequired) {
		t.Fatal("Clone shares storage with the original")
	}
	if !f.HasFeature(BasicMPPRequired) || f.RequiresFeature(BasicMPPOptional) {
		t.Fatal("optional basic_mpp misjudged")
	}
	if !clone.RequiresFeature(AnchorsOptional) || !clone.HasFeature(AnchorsOptional) {
		t.Fatal("required option_anchors misjudged")
	}
	if f.Equal(clone) || !f.Equal(NewFeatureVector(BasicMPPOptional)) {
		t.Fatal("Equal is wrong")
	}
	// Trailing empty words do not matter to Equal.
	grown := NewFeatureVector(BasicMPPOptional, 1000)
	grown.Unset(1000)
	if !grown.Equal(f) || !f.Equal(grown) {
		t.Fatal("Equal depends on storage size")
	}
}

// The named bits required of this package, from BOLT 9's table.
func TestFeatureNames(t *testing.T) {
	tests := []struct {
		bit  FeatureBit
		name string
	}{
		{DataLossProtectRequired, "option_data_loss_protect"}, {InitialRoutingSync, "initial_routing_sync"},
		{UpfrontShutdownScriptOptional, "option_upfront_shutdown_script"}, {GossipQueriesRequired, "gossip_queries"},
		{VarOnionOptinOptional, "var_onion_optin"}, {GossipQueriesExRequired, "gossip_queries_ex"},
		{StaticRemoteKeyOptional, "option_static_remotekey"}, {PaymentSecretRequired, "payment_secret"},
		{BasicMPPOptional, "basic_mpp"}, {LargeChannelRequired, "option_support_large_channel"},
		{AnchorsOptional, "option_anchors"}, {RouteBlindingRequired, "option_route_blinding"},
		{ShutdownAnySegwitOptional, "option_shutdown_anysegwit"}, {DualFundRequired, "option_dual_fund"},
		{QuiesceOptional, "option_quiesce"}, {OnionMessagesOptional, "option_onion_messages"},
		{ChannelTypeRequired, "option_channel_type"}, {SCIDAliasOptional, "option_scid_alias"},
		{PaymentMetadataRequired, "option_payment_metadata"}, {ZeroConfOptional, "option_zeroconf"},
		{AttributionDataOptional, "option_attribution_data"}, {ProvideStorageRequired, "option_provide_storage"},
		{SimpleCloseOptional, "option_simple_close"}, {SpliceRequired, "option_splice"},
		{AMPOptional, "amp"}, {KeysendOptional, "keysend"}, {AnchorOutputsOptional, "option_anchor_outputs"},
		{ScriptEnforcedLeaseOptional, "script_enforced_lease"},
	}
	for _, tc := range tests {
		if got := tc.bit.Name(); got != tc.name {
			t.Errorf("bit %d named %q, want %q", tc.bit, got, tc.name)
		}
	}
	if got := AnchorsOptional.String(); got != "option_anchors/optional" {
		t.Errorf("String = %q", got)
	}
	if got := FeatureBit(100).String(); got != "bit_100/required" {
		t.Errorf("String = %q", got)
	}
	if got := FeatureBit(101).Name(); got != "unknown" {
		t.Errorf("Name = %q", got)
	}
	if got := NewFeatureVector(BasicMPPOptional, 101).String(); got != "basic_mpp/optional,bit_101/optional" {
		t.Errorf("FeatureVector.String = %q", got)
	}
}

func TestKnownFeaturesTable(t *testing.T) {
	table := KnownFeatures()
	names := map[string]bool{}
	for i, f := range table {
		if !f.Required.IsRequired() || f.Optional() != f.Required+1 {
			t.Errorf("%s: Required bit %d is odd", f.Name, f.Required)
		}
		if i > 0 && f.Required <= table[i-1].Required {
			t.Errorf("%s: table not in bit order", f.Name)
		}
		if names[f.Name] {
			t.Errorf("%s named twice", f.Name)
		}
		names[f.Name] = true
		for _, dep := range f.DependsOn {
			if _, ok := featureOf(dep); !ok || !dep.IsRequired() {
				t.Errorf("%s depends on unknown or odd bit %d", f.Name, dep)
			}
		}
	}
	// KnownFeatures returns a copy.
	table[0].Name = "changed"
	table[8].DependsOn[0] = 99
	if FeatureBit(0).Name() != "option_data_loss_protect" || knownFeatures[8].DependsOn[0] != PaymentSecretRequired {
		t.Fatal("KnownFeatures exposes the table")
	}
}

// BOLT 9's Dependencies column: basic_mpp needs payment_secret,
// option_zeroconf needs option_scid_alias, option_simple_close needs
// option_shutdown_anysegwit.
func TestFeatureDependencies(t *testing.T) {
	tests := []struct {
		name    string
		bits    []FeatureBit
		feature FeatureBit // 0 with missing 0: no error expected
		missing FeatureBit
	}{
		{"empty", nil, 0, 0},
		{"basic_mpp with optional payment_secret", []FeatureBit{BasicMPPOptional, PaymentSecretOptional}, 0, 0},
		{"basic_mpp with required payment_secret", []FeatureBit{BasicMPPRequired, PaymentSecretRequired}, 0, 0},
		{"basic_mpp alone", []FeatureBit{BasicMPPOptional}, BasicMPPOptional, PaymentSecretRequired},
		{"required basic_mpp alone", []FeatureBit{BasicMPPRequired}, BasicMPPRequired, PaymentSecretRequired},
		{"zeroconf with scid_alias", []FeatureBit{ZeroConfOptional, SCIDAliasOptional}, 0, 0},
		{"zeroconf alone", []FeatureBit{ZeroConfRequired}, ZeroConfRequired, SCIDAliasRequired},
		{"simple_close with anysegwit", []FeatureBit{SimpleCloseOptional, ShutdownAnySegwitRequired}, 0, 0},
		{"simple_close alone", []FeatureBit{SimpleCloseOptional}, SimpleCloseOptional, ShutdownAnySegwitRequired},
		{"first missing is reported", []FeatureBit{BasicMPPOptional, ZeroConfOptional}, BasicMPPOptional, PaymentSecretRequired},
		{"unknown bits have no dependencies", []FeatureBit{101, 1000}, 0, 0},
	}
	for _, tc := range tests {
		err := NewFeatureVector(tc.bits...).CheckDependencies()
		if tc.feature == 0 && tc.missing == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var missing *MissingDependencyError
		if !errors.As(err, &missing) || !errors.Is(err, ErrMissingDependency) {
			t.Errorf("%s: error %v, want MissingDependencyError", tc.name, err)
			continue
		}
		if missing.Feature != tc.feature || missing.Missing != tc.missing {
			t.Errorf("%s: %+v, want feature %d missing %d", tc.name, missing, tc.feature, tc.missing)
		}
	}
}

func TestUnknownRequired(t *testing.T) {
	ours := NewFeatureVector(DataLossProtectOptional, GossipQueriesOptional, VarOnionOptinRequired,
		StaticRemoteKeyOptional, PaymentSecretOptional, BasicMPPOptional)
	tests := []struct {
		name   string
		theirs []FeatureBit
		want   []FeatureBit
	}{
		{"nothing", nil, nil},
		{"known required bits", []FeatureBit{DataLossProtectRequired, GossipQueriesRequired, PaymentSecretRequired}, nil},
		{"unknown odd bits are fine", []FeatureBit{AnchorsOptional, 101}, nil},
		{"unknown even bits", []FeatureBit{AnchorsRequired, VarOnionOptinOptional, 100, ScriptEnforcedLeaseRequired},
			[]FeatureBit{AnchorsRequired, 100, ScriptEnforcedLeaseRequired}},
	}
	for _, tc := range tests {
		got := NewFeatureVector(tc.theirs...).UnknownRequired(ours)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestInitCombinedFeatures(t *testing.T) {
	m := &Init{GlobalFeatures: []byte{0x20, 0x00}, Features: []byte{0x02, 0x82, 0x00}}
	got := m.CombinedFeatures().Bits()
	want := []FeatureBit{VarOnionOptinOptional, StaticRemoteKeyOptional, PaymentSecretOptional, BasicMPPOptional}
	if !slices.Equal(got, want) {
		t.Fatalf("CombinedFeatures = %v, want %v", got, want)
	}
	if (&Init{}).CombinedFeatures().IsEmpty() != true {
		t.Fatal("empty init has features")
	}
}

func TestFeatureVectorJSON(t *testing.T) {
	type info struct {
		Features FeatureVector `json:"features"`
	}
	in := info{Features: NewFeatureVector(BasicMPPOptional, PaymentSecretRequired, 101)}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"features":"20000000000000000000024000"}` {
		t.Fatalf("JSON %s", raw)
	}
	var out info
	if err := json.Unmarshal(raw, &out); err != nil || !out.Features.Equal(in.Features) {
		t.Fatalf("unmarshalled %v, %v", out.Features, err)
	}
	if err := json.Unmarshal([]byte(`{"features":"zz"}`), &out); err == nil {
		t.Fatal("bad hex accepted")
	}
	described := NewFeatureVector(PaymentSecretRequired, 101).Describe()
	want := []FeatureInfo{
		{Bit: 14, Name: "payment_secret", IsRequired: true, IsKnown: true},
		{Bit: 101, Name: "unknown", IsRequired: false, IsKnown: false},
	}
	if !reflect.DeepEqual(described, want) {
		t.Fatalf("Describe = %+v", described)
	}
}

func FuzzDecodeFeatures(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x02, 0x20, 0x00})
	f.Add([]byte{0x00, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, field []byte) {
		fv := DecodeFeatures(field)
		// Re-encoding drops leading zero bytes and nothing else.
		trimmed := bytes.TrimLeft(field, "\x00")
		if enc := fv.Encode(); !bytes.Equal(enc, trimmed) {
			t.Fatalf("DecodeFeatures(%x).Encode() = %x", field, enc)
		}
	})
}
