package bolt11

import (
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// invoiceFeatures are the features this package knows in the `9` field: the
// pairs BOLT 9 marks with context `9`, and the ASSUMED var_onion_optin and
// payment_secret that invoices still set. Listed by their even bit.
var invoiceFeatures = [...]lnwire.FeatureBit{
	lnwire.VarOnionOptinRequired,
	lnwire.PaymentSecretRequired,
	lnwire.BasicMPPRequired,
	lnwire.RouteBlindingRequired,
	lnwire.AttributionDataRequired,
	lnwire.PaymentMetadataRequired,
}

// maxFeatureBit is the highest bit a `9` field can hold: 1023 elements of 5
// bits.
const maxFeatureBit = maxFieldElements*5 - 1

// knownInvoiceFeature reports whether bit belongs to a feature known in
// invoices.
func knownInvoiceFeature(bit lnwire.FeatureBit) bool {
	for _, known := range invoiceFeatures {
		if bit&^1 == known {
			return true
		}
	}
	return false
}

// highestFeatureBit returns the highest set bit; ok is false when none is.
func highestFeatureBit(v lnwire.FeatureVector) (lnwire.FeatureBit, bool) {
	set := v.Bits()
	if len(set) == 0 {
		return 0, false
	}
	return set[len(set)-1], true
}

// featureElementCount is the number of 5-bit elements of the `9` field.
func featureElementCount(v lnwire.FeatureVector) int {
	high, ok := highestFeatureBit(v)
	if !ok {
		return 0
	}
	return int(high)/5 + 1
}

// appendFeatureElements appends the data of a `9` field: big-endian 5-bit
// elements, bit 0 the least significant bit of the last one.
func appendFeatureElements(dst []byte, v lnwire.FeatureVector) []byte {
	n := featureElementCount(v)
	start := len(dst)
	for i := 0; i < n; i++ {
		dst = append(dst, 0)
	}
	for _, b := range v.Bits() {
		dst[start+n-1-int(b)/5] |= 1 << (b % 5)
	}
	return dst
}

// featuresFromElements reads the data of a `9` field.
func featuresFromElements(elems []byte) (lnwire.FeatureVector, error) {
	// BOLT 11: "if a c, x, or 9 field is provided which has a non-minimal
	// data_length (i.e. begins with 0 field elements): SHOULD treat the
	// invoice as invalid."
	if len(elems) > 0 && elems[0] == 0 {
		return lnwire.FeatureVector{}, fmt.Errorf("%w: 9 field starts with a zero element", ErrNonMinimalField)
	}
	var v lnwire.FeatureVector
	n := len(elems)
	for i, e := range elems {
		for k := 0; k < 5; k++ {
			if e&(1<<k) != 0 {
				v.Set(lnwire.FeatureBit((n-1-i)*5 + k))
			}
		}
	}
	return v, nil
}

// clnFeatureBytes writes the bits the way Core Lightning prints an
// invoice's features: in as many big-endian bytes as the `9` field's 5-bit
// elements fill, ceil(elements*5/8), which may start with a zero byte.
func clnFeatureBytes(v lnwire.FeatureVector) []byte {
	minimal := v.Encode()
	n := (featureElementCount(v)*5 + 7) / 8
	if n <= len(minimal) {
		return minimal
	}
	return append(make([]byte, n-len(minimal)), minimal...)
}

// checkFeatures applies the reader rules of BOLT 11 to a feature vector.
func checkFeatures(v lnwire.FeatureVector) error {
	for _, b := range v.Bits() {
		// BOLT 11: "if the 9 field contains unknown _odd_ bits that are
		// non-zero: MUST ignore the bit. if the 9 field contains unknown
		// _even_ bits that are non-zero: MUST fail the payment. SHOULD
		// indicate the unknown bit to the user."
		if b.IsRequired() && !knownInvoiceFeature(b) {
			return &UnknownFeatureError{Bit: b}
		}
	}
	// BOLT 11: "if the feature vector does not set all known, transitive
	// feature dependencies: MUST NOT attempt the payment."
	if err := v.CheckDependencies(); err != nil {
		return fmt.Errorf("%w: %w", ErrMissingFeatureDependency, err)
	}
	return nil
}
