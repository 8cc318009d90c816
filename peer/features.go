package peer

import (
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// DefaultFeatures returns the init features Fulmen sets: only what it will
// support once channels exist, and what lnd and Core Lightning need to keep
// the connection.
//
// BOLT #9, the origin node: "MUST NOT set feature bits it does not
// support", "MUST set all transitive feature dependencies" and "MUST NOT
// set both the optional and mandatory bits".
//
//   - option_data_loss_protect, required (bit 0). BOLT #9 marks it
//     "ASSUMED"; lnd disconnects a peer that sets neither bit 0 nor bit 1
//     ("data loss protection required"), and sets bit 0 itself.
//   - var_onion_optin, required (bit 8). "ASSUMED", and BOLT #9: the origin
//     node "MUST support: var_onion_optin".
//   - option_static_remotekey, required (bit 12). "ASSUMED": the only
//     commitment format Fulmen will build (no legacy non-static to_remote).
//   - payment_secret, required (bit 14). "ASSUMED": BOLT 11 invoices carry
//     a payment secret, and BOLT #4 final nodes check it.
//   - option_channel_type, required (bit 44). "ASSUMED": channels will be
//     opened with an explicit channel_type. lnd sets bit 44 too (older lnd
//     peers only take the explicit channel-type path when they see it).
//   - option_support_large_channel, optional (bit 19): "Can create large
//     channels"; only lifts the 2^24 sat funding cap, which the channel code
//     checks against this negotiated feature.
//   - option_shutdown_anysegwit, optional (bit 27): "Future segwit versions
//     allowed in shutdown"; accepting such a shutdown script is a check, not
//     a protocol.
//
// Left out on purpose: basic_mpp (bit 17, "Node can receive basic
// multi-part payments") until multi-part receiving exists, since setting a
// bit we do not support is forbidden; gossip_queries (bit 7, "Peer has
// useful gossip to share") until the gossip subsystem answers queries;
// option_anchors, option_upfront_shutdown_script and every other feature
// not implemented yet. None of these is required by lnd v0.21 or Core
// Lightning to keep a connection.
func DefaultFeatures() lnwire.FeatureVector {
	return lnwire.NewFeatureVector(
		lnwire.DataLossProtectRequired,
		lnwire.VarOnionOptinRequired,
		lnwire.StaticRemoteKeyRequired,
		lnwire.PaymentSecretRequired,
		lnwire.LargeChannelOptional,
		lnwire.ShutdownAnySegwitOptional,
		lnwire.ChannelTypeRequired,
	)
}

// checkOurFeatures refuses a feature vector we must not send.
func checkOurFeatures(f lnwire.FeatureVector) error {
	for _, b := range f.Bits() {
		// BOLT #9: the origin node "MUST NOT set both the optional and
		// mandatory bits".
		if b.IsRequired() && f.IsSet(b+1) {
			return fmt.Errorf("peer: our features set both bits of %s (%d and %d)", b.Name(), b, b+1)
		}
		// BOLT #1: the sending node "MUST set any undefined feature bits
		// to 0".
		if b.Name() == "unknown" {
			return fmt.Errorf("peer: our features set undefined bit %d", b)
		}
	}
	// BOLT #9: the origin node "MUST set all transitive feature
	// dependencies."
	if err := f.CheckDependencies(); err != nil {
		return fmt.Errorf("peer: our features: %w", err)
	}
	return nil
}
