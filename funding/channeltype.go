package funding

import (
	"github.com/btcsuite/btcd/txscript"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// ChannelTypeBits returns the channel_type field for a type: the even
// feature bits of the type, in the smallest bitmap.
//
// BOLT #2: The currently defined basic types are: option_static_remotekey
// (bit 12); option_anchors and option_static_remotekey (bits 22 and 12).
// [The sending node] MUST use the smallest bitmap possible to represent the
// channel type.
func ChannelTypeBits(t channeltx.ChannelType) []byte {
	switch t {
	case channeltx.StaticRemoteKey:
		return lnwire.NewFeatureVector(lnwire.StaticRemoteKeyRequired).Encode()
	case channeltx.AnchorsZeroFeeHTLC:
		return lnwire.NewFeatureVector(lnwire.AnchorsRequired, lnwire.StaticRemoteKeyRequired).Encode()
	}
	return nil
}

// ParseChannelType returns the type a channel_type field names, if it is one
// we implement. The variations option_scid_alias and option_zeroconf, and
// every other combination of bits, are not.
func ParseChannelType(bits []byte) (channeltx.ChannelType, bool) {
	f := lnwire.DecodeFeatures(bits)
	for _, t := range []channeltx.ChannelType{channeltx.StaticRemoteKey, channeltx.AnchorsZeroFeeHTLC} {
		if f.Equal(lnwire.DecodeFeatures(ChannelTypeBits(t))) {
			return t, true
		}
	}
	return 0, false
}

// bothSupport reports whether both feature vectors set either bit of the
// feature's pair.
func bothSupport(local, remote lnwire.FeatureVector, feature lnwire.FeatureBit) bool {
	return local.HasFeature(feature) && remote.HasFeature(feature)
}

// negotiable reports whether both nodes support a channel type. Bit 12
// (option_static_remotekey) is ASSUMED by BOLT #9, so every peer supports
// StaticRemoteKey; AnchorsZeroFeeHTLC needs option_anchors on both sides.
//
// BOLT #2: [The sending node] SHOULD NOT set it to a type containing a
// feature which was not negotiated.
func negotiable(t channeltx.ChannelType, local, remote lnwire.FeatureVector) bool {
	switch t {
	case channeltx.StaticRemoteKey:
		return true
	case channeltx.AnchorsZeroFeeHTLC:
		return bothSupport(local, remote, lnwire.AnchorsRequired)
	}
	return false
}

// ChooseChannelType picks the type to open as lnd v0.21 does: option_anchors
// when both nodes support it, else option_static_remotekey.
func ChooseChannelType(local, remote lnwire.FeatureVector) channeltx.ChannelType {
	if negotiable(channeltx.AnchorsZeroFeeHTLC, local, remote) {
		return channeltx.AnchorsZeroFeeHTLC
	}
	return channeltx.StaticRemoteKey
}

// validShutdownScript reports whether a scriptpubkey has one of the forms
// shutdown allows, which upfront_shutdown_script must also have.
//
// BOLT #2: [upfront_shutdown_script] with either a valid
// shutdown_scriptpubkey as required by shutdown scriptpubkey, or a
// zero-length shutdown_scriptpubkey. [shutdown:] MUST set scriptpubkey in
// one of the following forms: OP_0 20 20-bytes (version 0 pay to witness
// pubkey hash), OR OP_0 32 32-bytes (version 0 pay to witness script hash),
// OR if (and only if) option_shutdown_anysegwit is negotiated: OP_1 through
// OP_16 inclusive, followed by a single push of 2 to 40 bytes (witness
// program versions 1 through 16).
//
// The OP_RETURN form of option_simple_close is not accepted: the channel
// package does not implement that closing protocol.
func validShutdownScript(script []byte, anySegwit bool) bool {
	switch {
	case len(script) == 22 && script[0] == txscript.OP_0 && script[1] == 20:
		return true
	case len(script) == 34 && script[0] == txscript.OP_0 && script[1] == 32:
		return true
	case anySegwit && len(script) >= 4 && script[0] >= txscript.OP_1 && script[0] <= txscript.OP_16:
		n := int(script[1])
		return n >= 2 && n <= 40 && len(script) == 2+n
	}
	return false
}
