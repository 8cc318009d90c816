package onion

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/tlv"
)

// Failure is a failure message (failuremsg): a failure code, the data fields
// that code defines, and an optional TLV stream. Only the fields of Code's
// layout are encoded; the others are ignored.
type Failure struct {
	Code FailureCode

	// OnionHash is sha256_of_onion (BADONION codes).
	OnionHash [32]byte
	// ChannelUpdate is the channel_update bytes exactly as carried (UPDATE
	// codes); BOLT #4 lets nodes leave it empty.
	ChannelUpdate []byte
	// HTLCMsat is htlc_msat (amount_below_minimum, fee_insufficient,
	// incorrect_or_unknown_payment_details) or incoming_htlc_amt
	// (final_incorrect_htlc_amount).
	HTLCMsat lnwire.MilliSatoshi
	// CLTVExpiry is cltv_expiry (incorrect_cltv_expiry,
	// final_incorrect_cltv_expiry).
	CLTVExpiry lnwire.BlockHeight
	// Height is the final node's block height
	// (incorrect_or_unknown_payment_details).
	Height lnwire.BlockHeight
	// DisabledFlags is disabled_flags (channel_disabled).
	DisabledFlags uint16
	// PayloadType and PayloadOffset locate the offending TLV record
	// (invalid_onion_payload).
	PayloadType   uint64
	PayloadOffset uint16

	// Data holds the undecoded data of a code this package does not know.
	Data []byte
	// Extension is the TLV stream that may follow the data fields.
	Extension tlv.Stream
}

// String names the code, for logs.
func (f Failure) String() string { return f.Code.String() }

// Encode serializes the failure message: failure_code, data, TLV stream.
func (f Failure) Encode() ([]byte, error) {
	b := binary.BigEndian.AppendUint16(nil, uint16(f.Code))
	layout, known := failureLayout[f.Code]
	if !known {
		b = append(b, f.Data...)
	}
	for _, fld := range layout.fields {
		switch fld {
		case fieldOnionHash:
			b = append(b, f.OnionHash[:]...)
		case fieldChannelUpdate:
			if len(f.ChannelUpdate) > math.MaxUint16 {
				return nil, fmt.Errorf("%w: channel_update of %d bytes", ErrFailureTooLong, len(f.ChannelUpdate))
			}
			b = binary.BigEndian.AppendUint16(b, uint16(len(f.ChannelUpdate)))
			b = append(b, f.ChannelUpdate...)
		case fieldHTLCMsat:
			b = binary.BigEndian.AppendUint64(b, uint64(f.HTLCMsat))
		case fieldCLTVExpiry:
			b = binary.BigEndian.AppendUint32(b, uint32(f.CLTVExpiry))
		case fieldHeight:
			b = binary.BigEndian.AppendUint32(b, uint32(f.Height))
		case fieldDisabledFlags:
			b = binary.BigEndian.AppendUint16(b, f.DisabledFlags)
		case fieldPayloadType:
			b = tlv.AppendBigSize(b, f.PayloadType)
		case fieldPayloadOffset:
			b = binary.BigEndian.AppendUint16(b, f.PayloadOffset)
		}
	}
	return f.Extension.Append(b), nil
}

// DecodeFailure parses a failure message. Bytes after the data fields are
// kept as Extension when they form a valid TLV stream and dropped otherwise.
//
// BOLT #4: "The origin node: MUST ignore any extra bytes in failuremsg."
func DecodeFailure(b []byte) (Failure, error) {
	if len(b) < 2 {
		return Failure{}, fmt.Errorf("%w: %d bytes, no failure_code", ErrFailureMalformed, len(b))
	}
	f := Failure{Code: FailureCode(binary.BigEndian.Uint16(b))}
	rest := b[2:]
	layout, known := failureLayout[f.Code]
	if !known {
		f.Data = append([]byte(nil), rest...)
		return f, nil
	}
	r := &fieldReader{rest: rest}
	for _, fld := range layout.fields {
		// incorrect_or_unknown_payment_details gained htlc_msat and then
		// height over time; older nodes send fewer fields, which the origin
		// still wants to read as that code.
		if f.Code == CodeIncorrectOrUnknownPaymentDetails && len(r.rest) == 0 {
			break
		}
		switch fld {
		case fieldOnionHash:
			copy(f.OnionHash[:], r.next(32))
		case fieldChannelUpdate:
			n := binary.BigEndian.Uint16(r.next(2))
			if r.err == nil {
				f.ChannelUpdate = append([]byte{}, r.next(int(n))...)
			}
		case fieldHTLCMsat:
			f.HTLCMsat = lnwire.MilliSatoshi(binary.BigEndian.Uint64(r.next(8)))
		case fieldCLTVExpiry:
			f.CLTVExpiry = lnwire.BlockHeight(binary.BigEndian.Uint32(r.next(4)))
		case fieldHeight:
			f.Height = lnwire.BlockHeight(binary.BigEndian.Uint32(r.next(4)))
		case fieldDisabledFlags:
			f.DisabledFlags = binary.BigEndian.Uint16(r.next(2))
		case fieldPayloadType:
			f.PayloadType = r.bigSize()
		case fieldPayloadOffset:
			f.PayloadOffset = binary.BigEndian.Uint16(r.next(2))
		}
		if r.err != nil {
			return Failure{}, fmt.Errorf("%v: %w", f.Code, r.err)
		}
	}
	if len(r.rest) > 0 {
		if stream, err := tlv.DecodeStream(r.rest); err == nil {
			f.Extension = stream
		}
	}
	return f, nil
}

// fieldReader consumes fixed-size fields, remembering the first shortfall.
type fieldReader struct {
	rest []byte
	err  error
}

// next returns the next n bytes, or n zero bytes once input has run out.
func (r *fieldReader) next(n int) []byte {
	if r.err != nil || len(r.rest) < n {
		if r.err == nil {
			r.err = fmt.Errorf("%w: need %d bytes, have %d", ErrFailureMalformed, n, len(r.rest))
		}
		return make([]byte, n)
	}
	v := r.rest[:n]
	r.rest = r.rest[n:]
	return v
}

func (r *fieldReader) bigSize() uint64 {
	if r.err != nil {
		return 0
	}
	reader := bytes.NewReader(r.rest)
	v, err := tlv.ReadBigSize(reader)
	if err != nil {
		r.err = fmt.Errorf("%w: bigsize: %w", ErrFailureMalformed, err)
		return 0
	}
	r.rest = r.rest[len(r.rest)-reader.Len():]
	return v
}
