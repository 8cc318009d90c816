package main

import "fmt"

// The statements that read and write one value. Generated decoders read
// through r (*wireReader, lnwire/codec.go); encoders append to a byte slice
// and may assign err, which the caller declares when a statement uses it.

// decodeValue returns statements that read one value of type t into target.
func decodeValue(target string, t *goType) []string {
	conv := func(expr string) string {
		if t.converted() || t.kind == kindSigned {
			return fmt.Sprintf("%s(%s)", t.name, expr)
		}
		return expr
	}
	switch t.kind {
	case kindUnsigned, kindSigned:
		return []string{fmt.Sprintf("%s = %s", target, conv(fmt.Sprintf("r.u%d()", t.bits)))}
	case kindTruncated:
		return []string{fmt.Sprintf("%s = %s", target, conv(fmt.Sprintf("r.tu%d()", t.bits)))}
	case kindBigSize:
		return []string{fmt.Sprintf("%s = %s", target, conv("r.bigSize()"))}
	case kindBytes:
		return []string{fmt.Sprintf("r.fill(%s[:])", target)}
	case kindSCID:
		return []string{fmt.Sprintf("%s = NewShortChannelIDFromUint64(r.u64())", target)}
	case kindSubtype:
		return []string{fmt.Sprintf("%s.decode(r)", target)}
	case kindArray:
		lines := []string{fmt.Sprintf("for i := range %s {", target)}
		lines = append(lines, decodeValue(target+"[i]", t.elem)...)
		return append(lines, "}")
	}
	panic("decodeValue: slices are decoded by decodeSlice")
}

// decodeSlice returns statements that read a slice into target, either count
// elements (a local int variable) or, when count is "", the rest of r.
func decodeSlice(target string, t *goType, count string) []string {
	if t.elem.name == "byte" {
		if count == "" {
			return []string{target + " = r.rest()"}
		}
		return []string{fmt.Sprintf("%s = r.bytes(%s)", target, count)}
	}
	loop := "for r.more() {"
	if count != "" {
		loop = fmt.Sprintf("for i := 0; i < %s && r.err == nil; i++ {", count)
	}
	lines := []string{loop, "var e " + t.elem.name}
	lines = append(lines, decodeValue("e", t.elem)...)
	return append(lines, fmt.Sprintf("%s = append(%s, e)", target, target), "}")
}

// encodeValue returns statements that append src, of type t, to buf.
func encodeValue(buf, src string, t *goType) []string {
	asBase := func() string {
		if t.converted() || t.kind == kindSigned {
			return fmt.Sprintf("uint%d(%s)", t.bits, src)
		}
		return src
	}
	switch t.kind {
	case kindUnsigned, kindSigned:
		if t.bits == 8 {
			if t.name == "byte" || t.name == "uint8" {
				return []string{fmt.Sprintf("%s = append(%s, %s)", buf, buf, src)}
			}
			return []string{fmt.Sprintf("%s = append(%s, byte(%s))", buf, buf, src)}
		}
		return []string{fmt.Sprintf("%s = binary.BigEndian.AppendUint%d(%s, %s)", buf, t.bits, buf, asBase())}
	case kindTruncated:
		return []string{fmt.Sprintf("%s = append(%s, tlv.EncodeTU%d(%s)...)", buf, buf, t.bits, asBase())}
	case kindBigSize:
		return []string{fmt.Sprintf("%s = tlv.AppendBigSize(%s, %s)", buf, buf, asBase())}
	case kindBytes:
		return []string{fmt.Sprintf("%s = append(%s, %s[:]...)", buf, buf, src)}
	case kindSCID:
		return []string{fmt.Sprintf("%s = binary.BigEndian.AppendUint64(%s, %s.ToUint64())", buf, buf, src)}
	case kindSubtype:
		return []string{fmt.Sprintf("if %s, err = %s.append(%s); err != nil {", buf, src, buf), "return nil, err", "}"}
	case kindArray, kindSlice:
		if t.kind == kindSlice && t.elem.name == "byte" {
			return []string{fmt.Sprintf("%s = append(%s, %s...)", buf, buf, src)}
		}
		lines := []string{fmt.Sprintf("for _, e := range %s {", src)}
		lines = append(lines, encodeValue(buf, "e", t.elem)...)
		return append(lines, "}")
	}
	panic("encodeValue: unknown kind")
}

// decodeFields returns the statements that read fields into prefix.Field.
func decodeFields(prefix string, fields []*goField) []string {
	var lines []string
	for _, f := range fields {
		target := prefix + f.goName
		switch {
		case f.lengthOf != nil:
			lines = append(lines, fmt.Sprintf("%s := int(r.u%d())", f.lengthOf.countVar(), f.t.bits))
		case f.t.kind == kindSlice && f.counter != nil:
			lines = append(lines, decodeSlice(target, f.t, f.countVar())...)
		case f.t.kind == kindSlice:
			lines = append(lines, decodeSlice(target, f.t, "")...)
		default:
			lines = append(lines, decodeValue(target, f.t)...)
		}
	}
	return lines
}

// encodeFields returns the statements that append prefix.Field to buf.
func encodeFields(buf, prefix string, fields []*goField) []string {
	var lines []string
	for _, f := range fields {
		if f.lengthOf != nil {
			lines = append(lines,
				fmt.Sprintf("if %s, err = appendCount(%s, len(%s%s), %d, %q); err != nil {",
					buf, buf, prefix, f.lengthOf.goName, f.t.bits, f.lengthOf.Name),
				"return nil, err", "}")
			continue
		}
		lines = append(lines, encodeValue(buf, prefix+f.goName, f.t)...)
	}
	return lines
}

// structFields returns the Go struct fields, leaving out length fields.
func structFields(fields []*goField) []string {
	var lines []string
	for _, f := range fields {
		if f.lengthOf == nil {
			lines = append(lines, fmt.Sprintf("%s %s // %s", f.goName, f.t.name, f.Name))
		}
	}
	return lines
}
