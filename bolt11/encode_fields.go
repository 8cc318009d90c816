package bolt11

import (
	"encoding/binary"
	"fmt"
)

// fieldWriter appends tagged fields to the data part, remembering how many
// fields of each kind it has written so far.
type fieldWriter struct {
	inv     *Invoice
	data    []byte
	written [33]int // indexed by FieldType, FieldUnknown included
}

// present returns how many fields of a kind the invoice holds.
func (w *fieldWriter) present(typ FieldType) int {
	inv := w.inv
	switch typ {
	case FieldPaymentHash, FieldPaymentSecret:
		// BOLT 11 writer: "MUST include exactly one p field. MUST include
		// exactly one s field."
		return 1
	case FieldDescription:
		return boolCount(inv.Description != nil)
	case FieldDescriptionHash:
		return boolCount(inv.DescriptionHash != nil)
	case FieldNodeID:
		return boolCount(inv.NodeID != nil)
	case FieldExpiry:
		return boolCount(inv.Expiry != nil)
	case FieldMinFinalCLTVExpiryDelta:
		return boolCount(inv.MinFinalCLTVExpiryDelta != nil)
	case FieldFeatures:
		// BOLT 11 writer: if 9 has no non-zero bit, "MUST omit the 9 field
		// altogether".
		return boolCount(!inv.Features.IsEmpty())
	case FieldPaymentMetadata:
		return boolCount(inv.PaymentMetadata != nil)
	case FieldFallback:
		return len(inv.Fallbacks)
	case FieldRouteHint:
		return len(inv.RouteHints)
	case FieldUnknown:
		return len(inv.UnknownFields)
	}
	return 0
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}

// remaining returns how many fields of a kind are still to be written.
func (w *fieldWriter) remaining(typ FieldType) int {
	if typ > FieldUnknown {
		return 0
	}
	return w.present(typ) - w.written[typ]
}

// writeNext appends the next field of a kind.
func (w *fieldWriter) writeNext(typ FieldType) error {
	inv := w.inv
	index := w.written[typ]
	w.written[typ]++
	// Field data is built after a 3-element header whose length is filled
	// in once the data is known.
	start := len(w.data)
	w.data = append(w.data, byte(typ), 0, 0)
	switch typ {
	case FieldPaymentHash:
		w.data = appendBytesAsElements(w.data, inv.PaymentHash[:])
	case FieldPaymentSecret:
		w.data = appendBytesAsElements(w.data, inv.PaymentSecret[:])
	case FieldDescription:
		w.data = appendBytesAsElements(w.data, []byte(*inv.Description))
	case FieldDescriptionHash:
		w.data = appendBytesAsElements(w.data, inv.DescriptionHash[:])
	case FieldNodeID:
		// BOLT 11 writer: "MUST set n to the public key used to create the
		// signature" (checked once signed).
		w.data = appendBytesAsElements(w.data, inv.NodeID.SerializeCompressed())
	case FieldExpiry:
		// BOLT 11 writer: "if x is included: MUST use the minimum
		// data_length possible, i.e. no leading 0 field-elements."
		w.data = appendUintElements(w.data, *inv.Expiry)
	case FieldMinFinalCLTVExpiryDelta:
		// BOLT 11 writer: "MUST use the minimum data_length possible".
		w.data = appendUintElements(w.data, uint64(*inv.MinFinalCLTVExpiryDelta))
	case FieldFeatures:
		// BOLT 11 writer: "MUST use the minimum data_length possible to
		// encode the non-zero bits with no 0 field-elements at the start."
		w.data = appendFeatureElements(w.data, inv.Features)
	case FieldPaymentMetadata:
		w.data = appendBytesAsElements(w.data, inv.PaymentMetadata)
	case FieldFallback:
		w.data = inv.Fallbacks[index].appendElements(w.data)
	case FieldRouteHint:
		w.data = appendBytesAsElements(w.data, routeBytes(inv.RouteHints[index]))
	case FieldUnknown:
		raw := inv.UnknownFields[index]
		w.data[start] = byte(raw.Type)
		w.data = append(w.data, raw.Data...)
	default:
		return fmt.Errorf("%w: field type %d", ErrFieldOrder, typ)
	}
	length := len(w.data) - start - 3
	if length > maxFieldElements {
		return fmt.Errorf("%w: %c field of %d elements", ErrFieldTooLong, FieldType(w.data[start]).Letter(), length)
	}
	w.data[start+1] = byte(length >> 5)
	w.data[start+2] = byte(length & 31)
	return nil
}

// routeBytes serializes the hops of one `r` field: pubkey (264 bits),
// short_channel_id (64), fee_base_msat (32), fee_proportional_millionths
// (32), cltv_expiry_delta (16), all big-endian.
func routeBytes(route []RouteHop) []byte {
	out := make([]byte, 0, len(route)*routeHopBytes)
	for _, hop := range route {
		out = append(out, hop.NodeID.SerializeCompressed()...)
		out = binary.BigEndian.AppendUint64(out, hop.ShortChannelID.ToUint64())
		out = binary.BigEndian.AppendUint32(out, hop.FeeBaseMsat)
		out = binary.BigEndian.AppendUint32(out, hop.FeeProportionalMillionths)
		out = binary.BigEndian.AppendUint16(out, hop.CLTVExpiryDelta)
	}
	return out
}
