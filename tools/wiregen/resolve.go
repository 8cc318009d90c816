package main

import (
	"fmt"
	"strconv"
	"strings"
)

// kind says how a Go value is read and written.
type kind int

const (
	kindUnsigned  kind = iota // u8/u16/u32/u64/byte, big-endian
	kindSigned                // s8/s16/s32/s64, big-endian two's complement
	kindTruncated             // tu16/tu32/tu64: minimal big-endian, last in a record
	kindBigSize               // bigsize
	kindBytes                 // fixed-size byte array (point, signature, sha256...)
	kindSCID                  // short_channel_id
	kindSubtype               // a subtype struct
	kindArray                 // [N]T of a non-byte T
	kindSlice                 // []T, counted by an earlier field or by the rest of a record
)

// goType is the Go form of a spec type.
type goType struct {
	kind kind
	name string  // Go type expression
	bits int     // integer width
	elem *goType // kindArray, kindSlice
}

func (t *goType) base() string {
	prefix := map[kind]string{kindUnsigned: "uint", kindSigned: "int", kindTruncated: "uint", kindBigSize: "uint"}[t.kind]
	return prefix + strconv.Itoa(t.bits)
}

// converted reports whether values need a conversion to and from base().
func (t *goType) converted() bool { return t.name != t.base() && t.name != "byte" }

var fixedTypes = map[string]goType{
	"byte":             {kind: kindUnsigned, name: "byte", bits: 8},
	"u8":               {kind: kindUnsigned, name: "uint8", bits: 8},
	"u16":              {kind: kindUnsigned, name: "uint16", bits: 16},
	"u32":              {kind: kindUnsigned, name: "uint32", bits: 32},
	"u64":              {kind: kindUnsigned, name: "uint64", bits: 64},
	"s8":               {kind: kindSigned, name: "int8", bits: 8},
	"s16":              {kind: kindSigned, name: "int16", bits: 16},
	"s32":              {kind: kindSigned, name: "int32", bits: 32},
	"s64":              {kind: kindSigned, name: "int64", bits: 64},
	"tu16":             {kind: kindTruncated, name: "uint16", bits: 16},
	"tu32":             {kind: kindTruncated, name: "uint32", bits: 32},
	"tu64":             {kind: kindTruncated, name: "uint64", bits: 64},
	"bigsize":          {kind: kindBigSize, name: "uint64", bits: 64},
	"point":            {kind: kindBytes, name: "[33]byte"},
	"signature":        {kind: kindBytes, name: "Signature"},
	"bip340sig":        {kind: kindBytes, name: "[64]byte"},
	"sha256":           {kind: kindBytes, name: "[32]byte"},
	"sha256[..4]":      {kind: kindBytes, name: "[4]byte"}, // first 4 bytes of a sha256
	"channel_id":       {kind: kindBytes, name: "ChannelID"},
	"chain_hash":       {kind: kindBytes, name: "ChainHash"},
	"short_channel_id": {kind: kindSCID, name: "ShortChannelID"},
}

// unitType gives fields carrying amounts, feerates and heights the unit
// types of lnwire/units.go, judged by the field's spec name and wire type.
// Only conversions that keep every wire value are allowed.
func unitType(field, specType, count string) string {
	switch {
	case count != "":
		if field == "temporary_channel_id" && count == "32" && specType == "byte" {
			return "ChannelID"
		}
	case (specType == "u64" || specType == "tu64") && strings.HasSuffix(field, "_msat"):
		return "MilliSatoshi"
	case specType == "u64" && (strings.HasSuffix(field, "_satoshis") || field == "sats"),
		specType == "s64" && strings.HasSuffix(field, "satoshis"):
		return "Satoshi"
	case specType == "u32" && strings.Contains(field, "feerate"):
		return "FeeratePerKW"
	case specType == "u32" && (field == "cltv_expiry" || field == "first_blocknum"):
		return "BlockHeight"
	}
	return ""
}

// goField is a spec field with its Go name and type.
type goField struct {
	Field
	goName   string
	t        *goType
	lengthOf *goField // non-nil for a length field: not stored, written as len(lengthOf)
	counter  *goField // for a slice counted by an earlier field
}

// countVar names the local variable holding a decoded length.
func (f *goField) countVar() string { return "n" + f.goName }

// resolveFields gives Go names and types to the fields of one definition.
// context names the definition in errors; inRecord allows "..." counts and
// truncated integers, which only make sense at the end of a TLV record.
func resolveFields(spec *Spec, fields []Field, context string, inRecord bool) ([]*goField, error) {
	var out []*goField
	byName := map[string]*goField{}
	for i, f := range fields {
		gf := &goField{Field: f, goName: goName(f.Name)}
		elem, err := resolveType(spec, f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", context, f.Name, err)
		}
		last := i == len(fields)-1
		if elem.kind == kindTruncated && (!inRecord || !last || f.Count != "") {
			return nil, fmt.Errorf("%s.%s: truncated integer must be the last field of a TLV record", context, f.Name)
		}
		unit := unitType(f.Name, f.Type, f.Count)
		switch {
		case f.Count == "":
			gf.t = elem
			if unit != "" {
				t := *elem
				t.name = unit
				gf.t = &t
			}
		case f.Count == "...":
			if !inRecord || !last {
				return nil, fmt.Errorf("%s.%s: \"...\" count outside the end of a TLV record", context, f.Name)
			}
			gf.t = &goType{kind: kindSlice, name: "[]" + elem.name, elem: elem}
		default:
			if n, err := strconv.Atoi(f.Count); err == nil {
				if unit == "" {
					unit = fmt.Sprintf("[%d]%s", n, elem.name)
				}
				if elem.name == "byte" {
					gf.t = &goType{kind: kindBytes, name: unit}
				} else {
					gf.t = &goType{kind: kindArray, name: unit, elem: elem}
				}
				break
			}
			counter := byName[f.Count]
			if counter == nil || counter.t.kind != kindUnsigned || counter.lengthOf != nil {
				return nil, fmt.Errorf("%s.%s: count %q is not an earlier unused integer field", context, f.Name, f.Count)
			}
			counter.lengthOf = gf
			gf.counter = counter
			gf.t = &goType{kind: kindSlice, name: "[]" + elem.name, elem: elem}
		}
		byName[f.Name] = gf
		out = append(out, gf)
	}
	return out, nil
}

func resolveType(spec *Spec, specType string) (*goType, error) {
	if t, ok := fixedTypes[specType]; ok {
		return &t, nil
	}
	if spec.subtype(specType) != nil {
		return &goType{kind: kindSubtype, name: goName(specType)}, nil
	}
	return nil, fmt.Errorf("unknown type %q", specType)
}

// wordCase spells the words of spec names that Go writes in capitals.
var wordCase = map[string]string{
	"id": "ID", "ids": "IDs", "htlc": "HTLC", "htlcs": "HTLCs", "cltv": "CLTV",
	"tlv": "TLV", "tlvs": "TLVs", "txid": "TxID", "scriptpubkey": "ScriptPubKey",
	"pubkey": "PubKey", "globalfeatures": "GlobalFeatures", "rgb": "RGB", "perkw": "PerKW", "kw": "KW",
	"rbf": "RBF", "scid": "SCID", "sha256": "SHA256", "hmacs": "HMACs", "prevtx": "PrevTx",
}

// goName turns a snake_case spec name into an exported Go name.
func goName(snake string) string {
	var b strings.Builder
	for _, word := range strings.Split(snake, "_") {
		if w, ok := wordCase[word]; ok {
			b.WriteString(w)
		} else if word != "" {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}
