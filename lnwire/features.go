package lnwire

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// FeatureBit is the number of a feature flag, counted from the least
// significant bit of a features field (BOLT 9). A features field may be up to
// 65535 bytes, so bits go beyond 16 bits.
type FeatureBit uint32

// IsRequired reports whether the bit is even: a peer not knowing it must
// refuse the connection (BOLT 1).
func (b FeatureBit) IsRequired() bool { return b%2 == 0 }

// Name returns the BOLT 9 name of the feature the bit belongs to, or
// "unknown".
func (b FeatureBit) Name() string {
	if f, ok := featureOf(b); ok {
		return f.Name
	}
	return "unknown"
}

// String names the bit for logs and JSON: "option_anchors/optional",
// "bit_101/optional" for bits without a name.
func (b FeatureBit) String() string {
	kind := "/optional"
	if b.IsRequired() {
		kind = "/required"
	}
	if f, ok := featureOf(b); ok {
		return f.Name + kind
	}
	return "bit_" + strconv.FormatUint(uint64(b), 10) + kind
}

// FeatureVector is a set of feature bits. The zero value is empty and ready
// to use. Copy it with Clone: copies share storage.
type FeatureVector struct {
	words []uint64 // bit b is words[b/64] & (1 << (b%64))
}

// NewFeatureVector returns a vector with the given bits set.
func NewFeatureVector(set ...FeatureBit) FeatureVector {
	var f FeatureVector
	for _, b := range set {
		f.Set(b)
	}
	return f
}

// DecodeFeatures reads a BOLT 1 features field: big-endian bytes, bit 0 the
// least significant bit of the last byte. Leading zero bytes are accepted.
func DecodeFeatures(field []byte) FeatureVector {
	var f FeatureVector
	for i, c := range field {
		for c != 0 {
			low := bits.TrailingZeros8(c)
			f.Set(FeatureBit((len(field)-1-i)*8 + low))
			c &= c - 1
		}
	}
	return f
}

// Encode returns the features field: big-endian, as short as possible
// (BOLT 1: "the `features` field MUST be padded to bytes with 0s"). An empty
// vector encodes as no bytes.
func (f FeatureVector) Encode() []byte {
	top, ok := f.highest()
	if !ok {
		return []byte{}
	}
	out := make([]byte, top/8+1)
	for _, b := range f.Bits() {
		out[len(out)-1-int(b/8)] |= 1 << (b % 8)
	}
	return out
}

func (f FeatureVector) highest() (FeatureBit, bool) {
	for i := len(f.words) - 1; i >= 0; i-- {
		if w := f.words[i]; w != 0 {
			return FeatureBit(i*64 + 63 - bits.LeadingZeros64(w)), true
		}
	}
	return 0, false
}

// Set sets bit b.
func (f *FeatureVector) Set(b FeatureBit) {
	for int(b/64) >= len(f.words) {
		f.words = append(f.words, 0)
	}
	f.words[b/64] |= 1 << (b % 64)
}

// Unset clears bit b.
func (f *FeatureVector) Unset(b FeatureBit) {
	if int(b/64) < len(f.words) {
		f.words[b/64] &^= 1 << (b % 64)
	}
}

// IsSet reports whether bit b is set.
func (f FeatureVector) IsSet(b FeatureBit) bool {
	return int(b/64) < len(f.words) && f.words[b/64]&(1<<(b%64)) != 0
}

// HasFeature reports whether either bit of the pair holding b is set.
func (f FeatureVector) HasFeature(b FeatureBit) bool {
	return f.IsSet(b&^1) || f.IsSet(b|1)
}

// RequiresFeature reports whether the even bit of the pair holding b is set.
// BOLT 9: "if both the optional and the mandatory feature bits in a pair are
// set, the feature should be treated as mandatory."
func (f FeatureVector) RequiresFeature(b FeatureBit) bool { return f.IsSet(b &^ 1) }

// Union returns the bits set in f or in other.
func (f FeatureVector) Union(other FeatureVector) FeatureVector {
	out := f.Clone()
	for _, b := range other.Bits() {
		out.Set(b)
	}
	return out
}

// CombinedFeatures returns the features an init message announces. BOLT 1:
// the receiving node "MUST combine (bitwise OR) the two feature bitmaps into
// one logical `features` map."
func (m *Init) CombinedFeatures() FeatureVector {
	return DecodeFeatures(m.Features).Union(DecodeFeatures(m.GlobalFeatures))
}

// Bits returns the set bits in increasing order.
func (f FeatureVector) Bits() []FeatureBit {
	var out []FeatureBit
	for i, w := range f.words {
		for w != 0 {
			out = append(out, FeatureBit(i*64+bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return out
}

// IsEmpty reports whether no bit is set.
func (f FeatureVector) IsEmpty() bool {
	_, set := f.highest()
	return !set
}

// Equal reports whether both vectors have the same bits.
func (f FeatureVector) Equal(other FeatureVector) bool {
	long, short := f.words, other.words
	if len(long) < len(short) {
		long, short = short, long
	}
	for i, w := range long {
		var o uint64
		if i < len(short) {
			o = short[i]
		}
		if w != o {
			return false
		}
	}
	return true
}

// Clone returns an independent copy.
func (f FeatureVector) Clone() FeatureVector {
	return FeatureVector{words: append([]uint64(nil), f.words...)}
}

// UnknownRequired lists the even bits of f whose pair has no bit set in
// known, the features we implement. BOLT 1: "upon receiving unknown _even_
// feature bits that are non-zero: MUST close the connection."
func (f FeatureVector) UnknownRequired(known FeatureVector) []FeatureBit {
	var out []FeatureBit
	for _, b := range f.Bits() {
		if b.IsRequired() && !known.HasFeature(b) {
			out = append(out, b)
		}
	}
	return out
}

// ErrMissingDependency reports a feature set without a feature it depends on.
var ErrMissingDependency = errors.New("lnwire: feature set without its dependency")

// MissingDependencyError names a feature and the dependency it lacks. It
// matches ErrMissingDependency with errors.Is.
type MissingDependencyError struct {
	Feature FeatureBit // the bit that is set
	Missing FeatureBit // the Required bit of the absent dependency
}

func (e *MissingDependencyError) Error() string {
	return fmt.Sprintf("lnwire: feature %s (bit %d) needs %s (bit %d or %d)",
		e.Feature.Name(), e.Feature, e.Missing.Name(), e.Missing, e.Missing+1)
}

// Unwrap lets errors.Is(err, ErrMissingDependency) succeed.
func (e *MissingDependencyError) Unwrap() error { return ErrMissingDependency }

// CheckDependencies returns a *MissingDependencyError for the first set
// feature whose dependency (BOLT 9's Dependencies column) has neither bit set.
// BOLT 9: the origin node "MUST set all transitive feature dependencies."
// BOLT 1, receiving init: "if the feature vector does not set all known,
// transitive dependencies: MUST close the connection." Checking every set
// feature's direct dependencies checks the transitive ones.
func (f FeatureVector) CheckDependencies() error {
	for _, b := range f.Bits() {
		feature, ok := featureOf(b)
		if !ok {
			continue
		}
		for _, dep := range feature.DependsOn {
			if !f.HasFeature(dep) {
				return &MissingDependencyError{Feature: b, Missing: dep}
			}
		}
	}
	return nil
}

// String lists the set bits, such as "basic_mpp/optional,bit_101/optional".
func (f FeatureVector) String() string {
	var names []string
	for _, b := range f.Bits() {
		names = append(names, b.String())
	}
	return strings.Join(names, ",")
}

// MarshalText encodes the vector as the hex of its features field, the form
// Core Lightning's JSON uses.
func (f FeatureVector) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(f.Encode())), nil
}

// UnmarshalText decodes the hex form of MarshalText.
func (f *FeatureVector) UnmarshalText(text []byte) error {
	field, err := hex.DecodeString(string(text))
	if err != nil {
		return fmt.Errorf("lnwire: features hex: %w", err)
	}
	*f = DecodeFeatures(field)
	return nil
}

// FeatureInfo describes one set bit for JSON, the way lnd's REST API does.
type FeatureInfo struct {
	Bit        FeatureBit `json:"bit"`
	Name       string     `json:"name"`
	IsRequired bool       `json:"is_required"`
	IsKnown    bool       `json:"is_known"`
}

// Describe returns one FeatureInfo per set bit, in bit order.
func (f FeatureVector) Describe() []FeatureInfo {
	var out []FeatureInfo
	for _, b := range f.Bits() {
		_, known := featureOf(b)
		out = append(out, FeatureInfo{Bit: b, Name: b.Name(), IsRequired: b.IsRequired(), IsKnown: known})
	}
	return out
}
