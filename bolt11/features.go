package bolt11

import (
	"fmt"
	"math/bits"
)

// FeatureBit is the number of a feature bit, counted from the least
// significant bit (bit 0, even) of the `9` field.
type FeatureBit uint16

// Feature bits BOLT 9 marks for invoices (context `9`), plus the ASSUMED
// ones invoices still carry. Even bits are compulsory, odd bits optional.
const (
	FeatureVarOnionOptinRequired   FeatureBit = 8
	FeatureVarOnionOptinOptional   FeatureBit = 9
	FeaturePaymentSecretRequired   FeatureBit = 14
	FeaturePaymentSecretOptional   FeatureBit = 15
	FeatureBasicMPPRequired        FeatureBit = 16
	FeatureBasicMPPOptional        FeatureBit = 17
	FeatureRouteBlindingRequired   FeatureBit = 24
	FeatureRouteBlindingOptional   FeatureBit = 25
	FeatureAttributionDataRequired FeatureBit = 36
	FeatureAttributionDataOptional FeatureBit = 37
	FeaturePaymentMetadataRequired FeatureBit = 48
	FeaturePaymentMetadataOptional FeatureBit = 49
)

// maxFeatureBit is the highest bit a `9` field can hold: 1023 elements of 5
// bits.
const maxFeatureBit = maxFieldElements*5 - 1

// knownFeature reports whether a bit belongs to a feature this package
// knows for invoices.
func knownFeature(bit FeatureBit) bool {
	switch bit &^ 1 {
	case FeatureVarOnionOptinRequired, FeaturePaymentSecretRequired, FeatureBasicMPPRequired,
		FeatureRouteBlindingRequired, FeatureAttributionDataRequired, FeaturePaymentMetadataRequired:
		return true
	}
	return false
}

// featureDependencies lists, for invoice features with dependencies, the
// feature (even bit of the pair) they need (BOLT 9 "Dependencies" column).
var featureDependencies = [...]struct{ feature, needs FeatureBit }{
	{FeatureBasicMPPRequired, FeaturePaymentSecretRequired},
}

// FeatureVector is a set of feature bits. The zero value is empty. Use
// NewFeatureVector or Set to build one; a FeatureVector shares its storage
// when copied, so call Clone before changing a copy.
type FeatureVector struct {
	// words[i] holds bits 64*i .. 64*i+63; no trailing zero word.
	words []uint64
}

// NewFeatureVector returns a vector with the given bits set.
func NewFeatureVector(set ...FeatureBit) FeatureVector {
	var v FeatureVector
	for _, b := range set {
		v.Set(b)
	}
	return v
}

// Set sets a bit.
func (v *FeatureVector) Set(bit FeatureBit) {
	word := int(bit) / 64
	for len(v.words) <= word {
		v.words = append(v.words, 0)
	}
	v.words[word] |= 1 << (bit % 64)
}

// IsSet reports whether a bit is set.
func (v FeatureVector) IsSet(bit FeatureBit) bool {
	word := int(bit) / 64
	return word < len(v.words) && v.words[word]&(1<<(bit%64)) != 0
}

// HasFeature reports whether either bit of the feature pair containing bit
// is set (the compulsory or the optional one).
func (v FeatureVector) HasFeature(bit FeatureBit) bool {
	return v.IsSet(bit&^1) || v.IsSet(bit|1)
}

// IsEmpty reports whether no bit is set.
func (v FeatureVector) IsEmpty() bool { return len(v.words) == 0 }

// Clone returns an independent copy.
func (v FeatureVector) Clone() FeatureVector {
	if v.words == nil {
		return FeatureVector{}
	}
	return FeatureVector{words: append([]uint64(nil), v.words...)}
}

// Equal reports whether both vectors have the same bits set.
func (v FeatureVector) Equal(other FeatureVector) bool {
	if len(v.words) != len(other.words) {
		return false
	}
	for i := range v.words {
		if v.words[i] != other.words[i] {
			return false
		}
	}
	return true
}

// Bits lists the set bits in increasing order.
func (v FeatureVector) Bits() []FeatureBit {
	var out []FeatureBit
	for i, w := range v.words {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, FeatureBit(i*64+b))
			w &= w - 1
		}
	}
	return out
}

// highestBit returns the highest set bit; ok is false for an empty vector.
func (v FeatureVector) highestBit() (FeatureBit, bool) {
	if len(v.words) == 0 {
		return 0, false
	}
	last := len(v.words) - 1
	return FeatureBit(last*64 + 63 - bits.LeadingZeros64(v.words[last])), true
}

// Bytes returns the vector in BOLT 9 form: big-endian bytes, bit 0 the least
// significant bit of the last byte, no leading zero byte. Empty gives nil.
func (v FeatureVector) Bytes() []byte {
	high, ok := v.highestBit()
	if !ok {
		return nil
	}
	return v.bytesOfLength(int(high)/8 + 1)
}

// bytesOfLength writes the vector big-endian into n bytes (n large enough).
func (v FeatureVector) bytesOfLength(n int) []byte {
	out := make([]byte, n)
	for _, b := range v.Bits() {
		out[n-1-int(b)/8] |= 1 << (b % 8)
	}
	return out
}

// appendElements appends the vector as the data of a `9` field: big-endian
// 5-bit elements with no leading zero element.
func (v FeatureVector) appendElements(dst []byte) []byte {
	high, ok := v.highestBit()
	if !ok {
		return dst
	}
	n := int(high)/5 + 1
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
func featuresFromElements(elems []byte) (FeatureVector, error) {
	// BOLT 11: "if a c, x, or 9 field is provided which has a non-minimal
	// data_length (i.e. begins with 0 field elements): SHOULD treat the
	// invoice as invalid."
	if len(elems) > 0 && elems[0] == 0 {
		return FeatureVector{}, fmt.Errorf("%w: 9 field starts with a zero element", ErrNonMinimalField)
	}
	var v FeatureVector
	n := len(elems)
	for i, e := range elems {
		for k := 0; k < 5; k++ {
			if e&(1<<k) != 0 {
				v.Set(FeatureBit((n-1-i)*5 + k))
			}
		}
	}
	return v, nil
}

// checkFeatures applies the reader rules of BOLT 11 to a feature vector.
func checkFeatures(v FeatureVector) error {
	for _, b := range v.Bits() {
		// BOLT 11: "if the 9 field contains unknown _odd_ bits that are
		// non-zero: MUST ignore the bit. if the 9 field contains unknown
		// _even_ bits that are non-zero: MUST fail the payment. SHOULD
		// indicate the unknown bit to the user."
		if b%2 == 0 && !knownFeature(b) {
			return &UnknownFeatureError{Bit: b}
		}
	}
	// BOLT 11: "if the feature vector does not set all known, transitive
	// feature dependencies: MUST NOT attempt the payment."
	for _, dep := range featureDependencies {
		if v.HasFeature(dep.feature) && !v.HasFeature(dep.needs) {
			return fmt.Errorf("%w: feature %d needs feature %d", ErrMissingFeatureDependency, dep.feature, dep.needs)
		}
	}
	return nil
}
