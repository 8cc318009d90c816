package onion

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/tlv"
)

// TLV types of the payment onion payload (BOLT #4 "payload format").
const (
	TypeAmountToForward        uint64 = 2
	TypeOutgoingCLTV           uint64 = 4
	TypeShortChannelID         uint64 = 6
	TypePaymentData            uint64 = 8
	TypeEncryptedRecipientData uint64 = 10
	TypeCurrentPathKey         uint64 = 12
	TypePaymentMetadata        uint64 = 16
	TypeTotalAmountMsat        uint64 = 18

	// TypeKeysendPreimage is the keysend (spontaneous payment) preimage
	// record, a convention of lnd and Core Lightning rather than a BOLT.
	// Its type is even, so a reader that did not know it would have to
	// reject the payload: it is decoded like the BOLT records, into
	// HopPayload.KeysendPreimage.
	TypeKeysendPreimage uint64 = 5482373484
)

// PaymentData is the payment_data record: the invoice's payment_secret and
// the total amount of the (possibly multi-part) payment.
type PaymentData struct {
	PaymentSecret [32]byte
	TotalMsat     lnwire.MilliSatoshi
}

// HopPayload is a decoded tlv_payload. Absent records are nil.
type HopPayload struct {
	AmountToForward        *lnwire.MilliSatoshi   // amt_to_forward (2)
	OutgoingCLTV           *lnwire.BlockHeight    // outgoing_cltv_value (4)
	ShortChannelID         *lnwire.ShortChannelID // short_channel_id (6)
	PaymentData            *PaymentData           // payment_data (8)
	EncryptedRecipientData []byte                 // encrypted_recipient_data (10), opaque here
	CurrentPathKey         *btcec.PublicKey       // current_path_key (12)
	PaymentMetadata        []byte                 // payment_metadata (16); present but empty is []byte{}
	TotalAmountMsat        *lnwire.MilliSatoshi   // total_amount_msat (18)
	KeysendPreimage        *[32]byte              // keysend preimage (5482373484)

	// Extra holds the records of unknown odd types, in type order.
	Extra tlv.Stream

	// offsets maps each decoded record's type to its byte offset in the
	// payload, for invalid_onion_payload.
	offsets map[uint64]uint16
}

// NewForwardPayload returns the payload of an intermediate hop outside
// blinded routes: forward amount over channel scid with outgoing CLTV.
func NewForwardPayload(scid lnwire.ShortChannelID, amount lnwire.MilliSatoshi, outgoingCLTV lnwire.BlockHeight) *HopPayload {
	return &HopPayload{AmountToForward: &amount, OutgoingCLTV: &outgoingCLTV, ShortChannelID: &scid}
}

// NewFinalPayload returns the payload of the final node outside blinded
// routes; paymentData is nil when the recipient gave no payment_secret.
func NewFinalPayload(amount lnwire.MilliSatoshi, outgoingCLTV lnwire.BlockHeight, paymentData *PaymentData) *HopPayload {
	return &HopPayload{AmountToForward: &amount, OutgoingCLTV: &outgoingCLTV, PaymentData: paymentData}
}

// isKnownType reports the record types HopPayload decodes into fields.
func isKnownType(typ uint64) bool {
	switch typ {
	case TypeAmountToForward, TypeOutgoingCLTV, TypeShortChannelID, TypePaymentData,
		TypeEncryptedRecipientData, TypeCurrentPathKey, TypePaymentMetadata, TypeTotalAmountMsat,
		TypeKeysendPreimage:
		return true
	}
	return false
}

// Encode returns the payload as a TLV stream (without the BigSize length
// prefix the onion adds). It fails if Extra holds a type that has a field.
func (p *HopPayload) Encode() ([]byte, error) {
	var s tlv.Stream
	for _, r := range p.Extra {
		if isKnownType(r.Type) {
			return nil, fmt.Errorf("%w: type %d belongs in its field, not Extra", ErrUnexpectedField, r.Type)
		}
		s = s.Set(r.Type, r.Value)
	}
	if p.AmountToForward != nil {
		s = s.Set(TypeAmountToForward, tlv.EncodeTU64(uint64(*p.AmountToForward)))
	}
	if p.OutgoingCLTV != nil {
		s = s.Set(TypeOutgoingCLTV, tlv.EncodeTU32(uint32(*p.OutgoingCLTV)))
	}
	if p.ShortChannelID != nil {
		s = s.Set(TypeShortChannelID, binary.BigEndian.AppendUint64(nil, p.ShortChannelID.ToUint64()))
	}
	if p.PaymentData != nil {
		value := append(make([]byte, 0, 40), p.PaymentData.PaymentSecret[:]...)
		s = s.Set(TypePaymentData, append(value, tlv.EncodeTU64(uint64(p.PaymentData.TotalMsat))...))
	}
	if p.EncryptedRecipientData != nil {
		s = s.Set(TypeEncryptedRecipientData, p.EncryptedRecipientData)
	}
	if p.CurrentPathKey != nil {
		s = s.Set(TypeCurrentPathKey, p.CurrentPathKey.SerializeCompressed())
	}
	if p.PaymentMetadata != nil {
		s = s.Set(TypePaymentMetadata, p.PaymentMetadata)
	}
	if p.TotalAmountMsat != nil {
		s = s.Set(TypeTotalAmountMsat, tlv.EncodeTU64(uint64(*p.TotalAmountMsat)))
	}
	if p.KeysendPreimage != nil {
		s = s.Set(TypeKeysendPreimage, append([]byte(nil), p.KeysendPreimage[:]...))
	}
	return s.Encode(), nil
}

// ParseHopPayload decodes a tlv_payload without judging which records this
// hop needs (DecodeHopPayload does both). Errors are *InvalidPayloadError.
func ParseHopPayload(b []byte) (*HopPayload, error) {
	stream, err := tlv.DecodeStream(b)
	if err != nil {
		// BOLT #4: "if the per-hop payload in the onion is invalid (e.g. it
		// is not a valid tlv stream) [...] return an invalid_onion_payload
		// error."
		return nil, &InvalidPayloadError{Err: err}
	}
	p := &HopPayload{offsets: make(map[uint64]uint16, len(stream))}
	offset := 0
	for _, r := range stream {
		p.offsets[r.Type] = uint16(min(offset, math.MaxUint16))
		offset += tlv.BigSizeLen(r.Type) + tlv.BigSizeLen(uint64(len(r.Value))) + len(r.Value)
	}
	// BOLT #1: "if type is even: MUST fail to parse the tlv_stream."
	if err := stream.CheckEvenKnown(isKnownType); err != nil {
		var unknown *tlv.UnknownEvenTypeError
		typ := uint64(0)
		if errors.As(err, &unknown) {
			typ = unknown.Type
		}
		return nil, p.fieldError(typ, err)
	}
	for _, r := range stream {
		if err := p.setField(r); err != nil {
			return nil, p.fieldError(r.Type, fmt.Errorf("%w: %w", ErrBadFieldValue, err))
		}
	}
	return p, nil
}

// setField decodes one record into its field, or keeps it in Extra.
func (p *HopPayload) setField(r tlv.Record) error {
	switch r.Type {
	case TypeAmountToForward:
		v, err := tlv.DecodeTU64(r.Value)
		amount := lnwire.MilliSatoshi(v)
		p.AmountToForward = &amount
		return err
	case TypeOutgoingCLTV:
		v, err := tlv.DecodeTU32(r.Value)
		cltv := lnwire.BlockHeight(v)
		p.OutgoingCLTV = &cltv
		return err
	case TypeShortChannelID:
		if len(r.Value) != 8 {
			return fmt.Errorf("short_channel_id of %d bytes", len(r.Value))
		}
		scid := lnwire.NewShortChannelIDFromUint64(binary.BigEndian.Uint64(r.Value))
		p.ShortChannelID = &scid
	case TypePaymentData:
		if len(r.Value) < 32 {
			return fmt.Errorf("payment_data of %d bytes", len(r.Value))
		}
		total, err := tlv.DecodeTU64(r.Value[32:])
		if err != nil {
			return err
		}
		p.PaymentData = &PaymentData{TotalMsat: lnwire.MilliSatoshi(total)}
		copy(p.PaymentData.PaymentSecret[:], r.Value)
	case TypeEncryptedRecipientData:
		p.EncryptedRecipientData = append([]byte{}, r.Value...)
	case TypeCurrentPathKey:
		// A point is 33 bytes, compressed (BOLT #1 "Fundamental Types").
		if len(r.Value) != btcec.PubKeyBytesLenCompressed {
			return fmt.Errorf("current_path_key of %d bytes", len(r.Value))
		}
		key, err := btcec.ParsePubKey(r.Value)
		if err != nil {
			return err
		}
		p.CurrentPathKey = key
	case TypePaymentMetadata:
		p.PaymentMetadata = append([]byte{}, r.Value...)
	case TypeTotalAmountMsat:
		v, err := tlv.DecodeTU64(r.Value)
		total := lnwire.MilliSatoshi(v)
		p.TotalAmountMsat = &total
		return err
	case TypeKeysendPreimage:
		if len(r.Value) != 32 {
			return fmt.Errorf("keysend preimage of %d bytes", len(r.Value))
		}
		p.KeysendPreimage = new([32]byte)
		copy(p.KeysendPreimage[:], r.Value)
	default:
		p.Extra = append(p.Extra, tlv.Record{Type: r.Type, Value: append([]byte{}, r.Value...)})
	}
	return nil
}

// fieldError wraps err as an InvalidPayloadError at record typ.
func (p *HopPayload) fieldError(typ uint64, err error) *InvalidPayloadError {
	return &InvalidPayloadError{Type: typ, Offset: p.offsets[typ], Err: err}
}
