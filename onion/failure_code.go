package onion

import "fmt"

// FailureCode is the 2-byte failure_code of a BOLT #4 failure message. Its
// top byte is a set of flags.
type FailureCode uint16

// Flags of a failure code (BOLT #4 "Failure Messages").
const (
	// FlagBadOnion: "unparsable onion encrypted by sending peer".
	FlagBadOnion FailureCode = 0x8000
	// FlagPerm: "permanent failure (otherwise transient)".
	FlagPerm FailureCode = 0x4000
	// FlagNode: "node failure (otherwise channel)".
	FlagNode FailureCode = 0x2000
	// FlagUpdate: "channel forwarding parameter was violated".
	FlagUpdate FailureCode = 0x1000
)

// The failure codes defined by BOLT #4.
const (
	CodeTemporaryNodeFailure             = FlagNode | 2
	CodePermanentNodeFailure             = FlagPerm | FlagNode | 2
	CodeRequiredNodeFeatureMissing       = FlagPerm | FlagNode | 3
	CodeInvalidOnionVersion              = FlagBadOnion | FlagPerm | 4
	CodeInvalidOnionHMAC                 = FlagBadOnion | FlagPerm | 5
	CodeInvalidOnionKey                  = FlagBadOnion | FlagPerm | 6
	CodeTemporaryChannelFailure          = FlagUpdate | 7
	CodePermanentChannelFailure          = FlagPerm | 8
	CodeRequiredChannelFeatureMissing    = FlagPerm | 9
	CodeUnknownNextPeer                  = FlagPerm | 10
	CodeAmountBelowMinimum               = FlagUpdate | 11
	CodeFeeInsufficient                  = FlagUpdate | 12
	CodeIncorrectCLTVExpiry              = FlagUpdate | 13
	CodeExpiryTooSoon                    = FlagUpdate | 14
	CodeIncorrectOrUnknownPaymentDetails = FlagPerm | 15
	CodeFinalIncorrectCLTVExpiry         = FailureCode(18)
	CodeFinalIncorrectHTLCAmount         = FailureCode(19)
	CodeChannelDisabled                  = FlagUpdate | 20
	CodeExpiryTooFar                     = FailureCode(21)
	CodeInvalidOnionPayload              = FlagPerm | 22
	CodeMPPTimeout                       = FailureCode(23)
	CodeInvalidOnionBlinding             = FlagBadOnion | FlagPerm | 24
)

// field is one data field of a failure message, in wire order.
type field uint8

const (
	fieldOnionHash     field = iota + 1 // sha256 sha256_of_onion
	fieldChannelUpdate                  // u16 len, len*byte channel_update
	fieldHTLCMsat                       // u64 htlc_msat (incoming_htlc_amt for final_incorrect_htlc_amount)
	fieldCLTVExpiry                     // u32 cltv_expiry
	fieldHeight                         // u32 height
	fieldDisabledFlags                  // u16 disabled_flags
	fieldPayloadType                    // bigsize type
	fieldPayloadOffset                  // u16 offset
)

// failureLayout is the name and data fields of each known code, transcribed
// from BOLT #4 "Failure Messages".
var failureLayout = map[FailureCode]struct {
	name   string
	fields []field
}{
	CodeTemporaryNodeFailure:             {"temporary_node_failure", nil},
	CodePermanentNodeFailure:             {"permanent_node_failure", nil},
	CodeRequiredNodeFeatureMissing:       {"required_node_feature_missing", nil},
	CodeInvalidOnionVersion:              {"invalid_onion_version", []field{fieldOnionHash}},
	CodeInvalidOnionHMAC:                 {"invalid_onion_hmac", []field{fieldOnionHash}},
	CodeInvalidOnionKey:                  {"invalid_onion_key", []field{fieldOnionHash}},
	CodeTemporaryChannelFailure:          {"temporary_channel_failure", []field{fieldChannelUpdate}},
	CodePermanentChannelFailure:          {"permanent_channel_failure", nil},
	CodeRequiredChannelFeatureMissing:    {"required_channel_feature_missing", nil},
	CodeUnknownNextPeer:                  {"unknown_next_peer", nil},
	CodeAmountBelowMinimum:               {"amount_below_minimum", []field{fieldHTLCMsat, fieldChannelUpdate}},
	CodeFeeInsufficient:                  {"fee_insufficient", []field{fieldHTLCMsat, fieldChannelUpdate}},
	CodeIncorrectCLTVExpiry:              {"incorrect_cltv_expiry", []field{fieldCLTVExpiry, fieldChannelUpdate}},
	CodeExpiryTooSoon:                    {"expiry_too_soon", []field{fieldChannelUpdate}},
	CodeIncorrectOrUnknownPaymentDetails: {"incorrect_or_unknown_payment_details", []field{fieldHTLCMsat, fieldHeight}},
	CodeFinalIncorrectCLTVExpiry:         {"final_incorrect_cltv_expiry", []field{fieldCLTVExpiry}},
	CodeFinalIncorrectHTLCAmount:         {"final_incorrect_htlc_amount", []field{fieldHTLCMsat}},
	CodeChannelDisabled:                  {"channel_disabled", []field{fieldDisabledFlags, fieldChannelUpdate}},
	CodeExpiryTooFar:                     {"expiry_too_far", nil},
	CodeInvalidOnionPayload:              {"invalid_onion_payload", []field{fieldPayloadType, fieldPayloadOffset}},
	CodeMPPTimeout:                       {"mpp_timeout", nil},
	CodeInvalidOnionBlinding:             {"invalid_onion_blinding", []field{fieldOnionHash}},
}

// IsBadOnion reports the BADONION flag: the sending peer's onion could not be
// parsed, and the failure travels in update_fail_malformed_htlc.
func (c FailureCode) IsBadOnion() bool { return c&FlagBadOnion != 0 }

// IsPermanent reports the PERM flag.
func (c FailureCode) IsPermanent() bool { return c&FlagPerm != 0 }

// IsNode reports the NODE flag: the failure is the node's, not a channel's.
func (c FailureCode) IsNode() bool { return c&FlagNode != 0 }

// IsUpdate reports the UPDATE flag: a channel_update may be attached.
func (c FailureCode) IsUpdate() bool { return c&FlagUpdate != 0 }

// Known reports whether BOLT #4 defines the code.
func (c FailureCode) Known() bool {
	_, ok := failureLayout[c]
	return ok
}

// String returns the BOLT name of the code, or its flags and number for an
// unknown one (e.g. "PERM|NODE|99").
func (c FailureCode) String() string {
	if layout, ok := failureLayout[c]; ok {
		return layout.name
	}
	text := ""
	for _, flag := range []struct {
		bit  FailureCode
		name string
	}{{FlagBadOnion, "BADONION|"}, {FlagPerm, "PERM|"}, {FlagNode, "NODE|"}, {FlagUpdate, "UPDATE|"}} {
		if c&flag.bit != 0 {
			text += flag.name
		}
	}
	return fmt.Sprintf("%s%d", text, uint16(c&0x0fff))
}
