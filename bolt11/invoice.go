package bolt11

import (
	"crypto/sha256"
	"fmt"
	"math"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// FieldType is the 5-bit type of a tagged field.
type FieldType byte

// The tagged fields BOLT 11 defines, named by their bech32 letter.
const (
	FieldPaymentHash             FieldType = 1  // p
	FieldRouteHint               FieldType = 3  // r
	FieldFeatures                FieldType = 5  // 9
	FieldExpiry                  FieldType = 6  // x
	FieldFallback                FieldType = 9  // f
	FieldDescription             FieldType = 13 // d
	FieldPaymentSecret           FieldType = 16 // s
	FieldNodeID                  FieldType = 19 // n
	FieldDescriptionHash         FieldType = 23 // h
	FieldMinFinalCLTVExpiryDelta FieldType = 24 // c
	FieldPaymentMetadata         FieldType = 27 // m

	// FieldUnknown is not a field type: in Invoice.FieldOrder it stands for
	// the next entry of Invoice.UnknownFields.
	FieldUnknown FieldType = 32
)

// Letter returns the bech32 character of the type ('p', 'd', ...).
func (t FieldType) Letter() byte {
	if t >= 32 {
		return '?'
	}
	return bech32Charset[t]
}

// Defaults BOLT 11 applies to absent fields.
const (
	// DefaultExpiry: "Default is 3600 (1 hour) if not specified."
	DefaultExpiry = 3600
	// DefaultMinFinalCLTVExpiryDelta: "MUST use an expiry delta of at
	// least 18 when making the payment" if c is absent.
	DefaultMinFinalCLTVExpiryDelta = 18
)

// Encoding limits.
const (
	maxFieldElements  = 1023      // 10-bit data_length
	maxTimestamp      = 1<<35 - 1 // 35-bit timestamp
	timestampElements = 7
	signatureElements = 104                      // 520 bits
	hashElements      = 52                       // p, s, h
	nodeIDElements    = 53                       // n
	routeHopBytes     = 51                       // 33 + 8 + 4 + 4 + 2
	maxFieldBytes     = maxFieldElements * 5 / 8 // 639
)

// RouteHop is one entry of an `r` field: the channel from NodeID towards the
// payee, with the fees and CLTV delta of BOLT 7's channel_update.
type RouteHop struct {
	NodeID                    *btcec.PublicKey
	ShortChannelID            lnwire.ShortChannelID
	FeeBaseMsat               uint32
	FeeProportionalMillionths uint32
	CLTVExpiryDelta           uint16
}

// RawField is a tagged field this package did not interpret: an unknown
// type, an `f` field of unknown version, a p, h, s or n field of the wrong
// length, or a repeated single-valued field. Data holds 5-bit elements.
type RawField struct {
	Type FieldType
	Data []byte
}

// Invoice is a BOLT 11 payment request. Pointer and slice fields are nil when
// the field is absent.
type Invoice struct {
	Currency Currency
	// Amount is nil for "any amount".
	Amount *lnwire.MilliSatoshi
	// Timestamp is the creation time in seconds since 1970 (35 bits).
	Timestamp uint64

	PaymentHash   [32]byte // p
	PaymentSecret [32]byte // s
	// Exactly one of Description (d) and DescriptionHash (h) is set.
	Description     *string
	DescriptionHash *[32]byte
	// NodeID is the `n` field: nil when the invoice relies on public-key
	// recovery.
	NodeID *btcec.PublicKey
	// Expiry is the `x` field in seconds; see ExpirySeconds for the default.
	Expiry *uint64
	// MinFinalCLTVExpiryDelta is the `c` field; see FinalCLTVDelta.
	MinFinalCLTVExpiryDelta *uint32
	// Fallbacks are the `f` fields, most preferred first.
	Fallbacks []Fallback
	// RouteHints are the `r` fields, each a route of one or more hops.
	RouteHints [][]RouteHop
	// Features is the `9` field.
	Features lnwire.FeatureVector
	// PaymentMetadata is the `m` field.
	PaymentMetadata []byte
	// UnknownFields are the fields kept uninterpreted, in order.
	UnknownFields []RawField
	// FieldOrder, if not nil, is the order Encode writes fields in: one
	// entry per field (per fallback, route hint and unknown field). Decode
	// fills it so that encoding a decoded invoice reproduces its layout.
	// Fields it omits are written after it in the default order.
	FieldOrder []FieldType

	// Payee is set by Decode: the `n` key, or the key recovered from the
	// signature. Encode ignores it.
	Payee *btcec.PublicKey
	// Signature is set by Decode: R || S || recovery id, as in the invoice.
	// Encode ignores it.
	Signature [65]byte
}

// ExpirySeconds is the `x` field, or DefaultExpiry when it is absent.
func (inv *Invoice) ExpirySeconds() uint64 {
	if inv.Expiry == nil {
		return DefaultExpiry
	}
	return *inv.Expiry
}

// FinalCLTVDelta is the `c` field, or DefaultMinFinalCLTVExpiryDelta when
// it is absent.
func (inv *Invoice) FinalCLTVDelta() uint32 {
	if inv.MinFinalCLTVExpiryDelta == nil {
		return DefaultMinFinalCLTVExpiryDelta
	}
	return *inv.MinFinalCLTVExpiryDelta
}

// CreatedAt returns the timestamp as a time.
func (inv *Invoice) CreatedAt() time.Time { return time.Unix(int64(inv.Timestamp), 0).UTC() }

// ExpiresAtUnix returns timestamp + expiry in seconds since 1970, saturated
// at the largest int64.
func (inv *Invoice) ExpiresAtUnix() int64 {
	sum := inv.Timestamp + inv.ExpirySeconds()
	if sum < inv.Timestamp || sum > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(sum)
}

// ExpiresAt returns the time the invoice expires.
func (inv *Invoice) ExpiresAt() time.Time { return time.Unix(inv.ExpiresAtUnix(), 0).UTC() }

// IsExpired reports whether the invoice has expired at time now: from the
// second timestamp + expiry on, as Core Lightning counts.
func (inv *Invoice) IsExpired(now time.Time) bool { return now.Unix() >= inv.ExpiresAtUnix() }

// CheckExpiry returns ErrExpired once the invoice has expired at time now
// (BOLT 11 payer: "after the timestamp plus expiry has passed: SHOULD NOT
// attempt a payment"; payee: "SHOULD NOT accept a payment").
func (inv *Invoice) CheckExpiry(now time.Time) error {
	if inv.IsExpired(now) {
		return fmt.Errorf("%w: expired at %d, now %d", ErrExpired, inv.ExpiresAtUnix(), now.Unix())
	}
	return nil
}

// CheckDescription verifies a description obtained out of band against the
// `h` field (BOLT 11: "MUST check that the SHA2 256-bit hash in the h field
// exactly matches the hashed description"). With a `d` field it compares the
// text itself.
func (inv *Invoice) CheckDescription(description string) error {
	switch {
	case inv.DescriptionHash != nil:
		if sha256.Sum256([]byte(description)) != *inv.DescriptionHash {
			return ErrDescriptionHashMismatch
		}
		return nil
	case inv.Description != nil:
		if *inv.Description != description {
			return ErrDescriptionHashMismatch
		}
		return nil
	}
	return ErrMissingDescription
}
