package lnwire

// Feature bits of BOLT 9 ("Assigned Feature Flags"), as pairs: the even bit
// says the feature is required, the odd bit that it is optional ("it's ok to
// be odd"). A few pairs that BOLT 9 no longer lists, or that only lnd
// assigns, are here too so that peers setting them can be named and judged.
const (
	DataLossProtectRequired       FeatureBit = 0 // option_data_loss_protect (ASSUMED)
	DataLossProtectOptional       FeatureBit = 1
	InitialRoutingSync            FeatureBit = 3 // initial_routing_sync (removed from BOLT 9; lnd sets it)
	UpfrontShutdownScriptRequired FeatureBit = 4 // option_upfront_shutdown_script
	UpfrontShutdownScriptOptional FeatureBit = 5
	GossipQueriesRequired         FeatureBit = 6 // gossip_queries
	GossipQueriesOptional         FeatureBit = 7
	VarOnionOptinRequired         FeatureBit = 8 // var_onion_optin (ASSUMED)
	VarOnionOptinOptional         FeatureBit = 9
	GossipQueriesExRequired       FeatureBit = 10 // gossip_queries_ex
	GossipQueriesExOptional       FeatureBit = 11
	StaticRemoteKeyRequired       FeatureBit = 12 // option_static_remotekey (ASSUMED)
	StaticRemoteKeyOptional       FeatureBit = 13
	PaymentSecretRequired         FeatureBit = 14 // payment_secret (ASSUMED)
	PaymentSecretOptional         FeatureBit = 15
	BasicMPPRequired              FeatureBit = 16 // basic_mpp
	BasicMPPOptional              FeatureBit = 17
	LargeChannelRequired          FeatureBit = 18 // option_support_large_channel
	LargeChannelOptional          FeatureBit = 19
	AnchorOutputsRequired         FeatureBit = 20 // option_anchor_outputs (removed from BOLT 9; lnd)
	AnchorOutputsOptional         FeatureBit = 21
	AnchorsRequired               FeatureBit = 22 // option_anchors (zero-fee HTLC transactions)
	AnchorsOptional               FeatureBit = 23
	RouteBlindingRequired         FeatureBit = 24 // option_route_blinding
	RouteBlindingOptional         FeatureBit = 25
	ShutdownAnySegwitRequired     FeatureBit = 26 // option_shutdown_anysegwit
	ShutdownAnySegwitOptional     FeatureBit = 27
	DualFundRequired              FeatureBit = 28 // option_dual_fund
	DualFundOptional              FeatureBit = 29
	AMPRequired                   FeatureBit = 30 // amp (lnd, not in BOLT 9)
	AMPOptional                   FeatureBit = 31
	QuiesceRequired               FeatureBit = 34 // option_quiesce
	QuiesceOptional               FeatureBit = 35
	AttributionDataRequired       FeatureBit = 36 // option_attribution_data
	AttributionDataOptional       FeatureBit = 37
	OnionMessagesRequired         FeatureBit = 38 // option_onion_messages
	OnionMessagesOptional         FeatureBit = 39
	ProvideStorageRequired        FeatureBit = 42 // option_provide_storage
	ProvideStorageOptional        FeatureBit = 43
	ChannelTypeRequired           FeatureBit = 44 // option_channel_type (ASSUMED)
	ChannelTypeOptional           FeatureBit = 45
	SCIDAliasRequired             FeatureBit = 46 // option_scid_alias
	SCIDAliasOptional             FeatureBit = 47
	PaymentMetadataRequired       FeatureBit = 48 // option_payment_metadata
	PaymentMetadataOptional       FeatureBit = 49
	ZeroConfRequired              FeatureBit = 50 // option_zeroconf
	ZeroConfOptional              FeatureBit = 51
	KeysendRequired               FeatureBit = 54 // keysend (lnd, not in BOLT 9)
	KeysendOptional               FeatureBit = 55
	SimpleCloseRequired           FeatureBit = 60 // option_simple_close
	SimpleCloseOptional           FeatureBit = 61
	SpliceRequired                FeatureBit = 62 // option_splice
	SpliceOptional                FeatureBit = 63
	ScriptEnforcedLeaseRequired   FeatureBit = 2022 // script_enforced_lease (lnd, not in BOLT 9)
	ScriptEnforcedLeaseOptional   FeatureBit = 2023
)

// Feature describes one pair of feature bits.
type Feature struct {
	// Name is the BOLT 9 name, such as "option_anchors".
	Name string `json:"name"`
	// Required is the even bit of the pair; Required+1 is the optional bit.
	Required FeatureBit `json:"required_bit"`
	// Context is BOLT 9's Context column: I (init), N (node_announcement),
	// C (channel_announcement), 9 (BOLT 11 invoices), B (blinded paths),
	// T (channel_type). Empty for ASSUMED and non-BOLT features.
	Context string `json:"context,omitempty"`
	// DependsOn lists the Required bits of the features this one needs
	// (BOLT 9's Dependencies column).
	DependsOn []FeatureBit `json:"depends_on,omitempty"`
	// Assumed marks features BOLT 9 says every node has ("ASSUMED").
	Assumed bool `json:"assumed,omitempty"`
	// Origin is "BOLT 9", or where a feature not in BOLT 9 comes from.
	Origin string `json:"origin"`
}

// Optional returns the odd bit of the pair.
func (f Feature) Optional() FeatureBit { return f.Required + 1 }

// knownFeatures transcribes the table of BOLT 9 (bolts a377265), plus a few
// pairs from older BOLT 9 revisions and from lnd. Read it through
// KnownFeatures or featureOf; it is never modified.
var knownFeatures = [...]Feature{
	{Name: "option_data_loss_protect", Required: 0, Assumed: true, Origin: "BOLT 9"},
	{Name: "initial_routing_sync", Required: 2, Origin: "BOLT 9 before 2022 (only bit 3 was used)"},
	{Name: "option_upfront_shutdown_script", Required: 4, Context: "IN", Origin: "BOLT 9"},
	{Name: "gossip_queries", Required: 6, Origin: "BOLT 9"},
	{Name: "var_onion_optin", Required: 8, Assumed: true, Origin: "BOLT 9"},
	{Name: "gossip_queries_ex", Required: 10, Context: "IN", Origin: "BOLT 9"},
	{Name: "option_static_remotekey", Required: 12, Assumed: true, Origin: "BOLT 9"},
	{Name: "payment_secret", Required: 14, Assumed: true, Origin: "BOLT 9"},
	{Name: "basic_mpp", Required: 16, Context: "IN9", DependsOn: []FeatureBit{PaymentSecretRequired}, Origin: "BOLT 9"},
	{Name: "option_support_large_channel", Required: 18, Context: "IN", Origin: "BOLT 9"},
	{Name: "option_anchor_outputs", Required: 20, Origin: "BOLT 9 before 2023; lnd"},
	{Name: "option_anchors", Required: 22, Context: "INT", Origin: "BOLT 9"},
	{Name: "option_route_blinding", Required: 24, Context: "IN9", Origin: "BOLT 9"},
	{Name: "option_shutdown_anysegwit", Required: 26, Context: "IN", Origin: "BOLT 9"},
	{Name: "option_dual_fund", Required: 28, Context: "IN", Origin: "BOLT 9"},
	{Name: "amp", Required: 30, Origin: "lnd"},
	{Name: "option_quiesce", Required: 34, Context: "IN", Origin: "BOLT 9"},
	{Name: "option_attribution_data", Required: 36, Context: "IN9", Origin: "BOLT 9"},
	{Name: "option_onion_messages", Required: 38, Context: "IN", Origin: "BOLT 9"},
	{Name: "option_provide_storage", Required: 42, Context: "IN", Origin: "BOLT 9"},
	{Name: "option_channel_type", Required: 44, Assumed: true, Origin: "BOLT 9"},
	{Name: "option_scid_alias", Required: 46, Context: "INT", Origin: "BOLT 9"},
	{Name: "option_payment_metadata", Required: 48, Context: "9", Origin: "BOLT 9"},
	{Name: "option_zeroconf", Required: 50, Context: "INT", DependsOn: []FeatureBit{SCIDAliasRequired}, Origin: "BOLT 9"},
	{Name: "keysend", Required: 54, Origin: "lnd"},
	{Name: "option_simple_close", Required: 60, Context: "IN", DependsOn: []FeatureBit{ShutdownAnySegwitRequired}, Origin: "BOLT 9"},
	{Name: "option_splice", Required: 62, Context: "IN", Origin: "BOLT 9"},
	{Name: "script_enforced_lease", Required: 2022, Origin: "lnd"},
}

// KnownFeatures returns a copy of the table of named feature pairs, in bit
// order.
func KnownFeatures() []Feature {
	out := make([]Feature, len(knownFeatures))
	for i, f := range knownFeatures {
		f.DependsOn = append([]FeatureBit(nil), f.DependsOn...)
		out[i] = f
	}
	return out
}

// featureOf returns the named pair that bit belongs to.
func featureOf(bit FeatureBit) (*Feature, bool) {
	even := bit &^ 1
	for i := range knownFeatures {
		if knownFeatures[i].Required == even {
			return &knownFeatures[i], true
		}
	}
	return nil, false
}
