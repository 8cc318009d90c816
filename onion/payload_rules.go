package onion

import (
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// HopContext is what the reader of a payload knows besides the payload.
type HopContext struct {
	// Final is true when the onion ends here (Peeled.IsFinal).
	Final bool
	// IncomingPathKey is true when update_add_htlc carried a path_key.
	IncomingPathKey bool
}

// DecodeHopPayload decodes a tlv_payload and applies the BOLT #4 reader
// rules for the hop described by ctx. Errors are *InvalidPayloadError,
// which map to invalid_onion_payload; inside a blinded route (an incoming
// path_key, or current_path_key at a non-final hop) BOLT #4 requires the
// caller to return invalid_onion_blinding instead.
//
// Checks that need more than the payload are the caller's: amounts and
// CLTVs against the incoming HTLC and channel policy, and the decryption
// and contents of encrypted_recipient_data.
func DecodeHopPayload(b []byte, ctx HopContext) (*HopPayload, error) {
	p, err := ParseHopPayload(b)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// presentTypes lists the types of every record the payload holds.
func (p *HopPayload) presentTypes() []uint64 {
	var types []uint64
	for typ, present := range map[uint64]bool{
		TypeAmountToForward:        p.AmountToForward != nil,
		TypeOutgoingCLTV:           p.OutgoingCLTV != nil,
		TypeShortChannelID:         p.ShortChannelID != nil,
		TypePaymentData:            p.PaymentData != nil,
		TypeEncryptedRecipientData: p.EncryptedRecipientData != nil,
		TypeCurrentPathKey:         p.CurrentPathKey != nil,
		TypePaymentMetadata:        p.PaymentMetadata != nil,
		TypeTotalAmountMsat:        p.TotalAmountMsat != nil,
		TypeKeysendPreimage:        p.KeysendPreimage != nil,
	} {
		if present {
			types = append(types, typ)
		}
	}
	for _, r := range p.Extra {
		types = append(types, r.Type)
	}
	return types
}

// Validate applies the BOLT #4 reader rules of "payload format" that the
// payload alone can decide.
func (p *HopPayload) Validate(ctx HopContext) error {
	missing := func(typ uint64) error {
		return &InvalidPayloadError{Type: typ, Err: fmt.Errorf("%w: type %d", ErrMissingField, typ)}
	}
	unexpected := func(typ uint64) error {
		return p.fieldError(typ, fmt.Errorf("%w: type %d", ErrUnexpectedField, typ))
	}
	// onlyAllowed fails on the lowest present type outside allowed, so the
	// error is deterministic.
	onlyAllowed := func(allowed ...uint64) error {
		var worst *uint64
		for _, typ := range p.presentTypes() {
			ok := false
			for _, a := range allowed {
				ok = ok || typ == a
			}
			if !ok && (worst == nil || typ < *worst) {
				worst = &typ
			}
		}
		if worst != nil {
			return unexpected(*worst)
		}
		return nil
	}

	// BOLT #4: "If encrypted_recipient_data is present:"
	if p.EncryptedRecipientData != nil {
		if ctx.IncomingPathKey {
			// "If path_key is set in the incoming update_add_htlc: MUST
			// return an error if current_path_key is present."
			if p.CurrentPathKey != nil {
				return unexpected(TypeCurrentPathKey)
			}
		} else if p.CurrentPathKey == nil {
			// "Otherwise: MUST return an error if current_path_key is not
			// present."
			return missing(TypeCurrentPathKey)
		}
		if !ctx.Final {
			// "If it is not the final node: MUST return an error if the
			// payload contains other tlv fields than encrypted_recipient_data
			// and current_path_key."
			return onlyAllowed(TypeEncryptedRecipientData, TypeCurrentPathKey)
		}
		// "If it is the final node: MUST return an error if the payload
		// contains other tlv fields than encrypted_recipient_data,
		// current_path_key, amt_to_forward, outgoing_cltv_value and
		// total_amount_msat. MUST return an error if amt_to_forward,
		// outgoing_cltv_value or total_amount_msat are not present."
		if err := onlyAllowed(TypeEncryptedRecipientData, TypeCurrentPathKey,
			TypeAmountToForward, TypeOutgoingCLTV, TypeTotalAmountMsat); err != nil {
			return err
		}
		switch {
		case p.AmountToForward == nil:
			return missing(TypeAmountToForward)
		case p.OutgoingCLTV == nil:
			return missing(TypeOutgoingCLTV)
		case p.TotalAmountMsat == nil:
			return missing(TypeTotalAmountMsat)
		}
		return nil
	}

	// BOLT #4: "Otherwise (it is not part of a blinded route): MUST return
	// an error if path_key is set in the incoming update_add_htlc or
	// current_path_key is present."
	if ctx.IncomingPathKey {
		return missing(TypeEncryptedRecipientData)
	}
	if p.CurrentPathKey != nil {
		return unexpected(TypeCurrentPathKey)
	}
	// "MUST return an error if amt_to_forward or outgoing_cltv_value are
	// not present."
	if p.AmountToForward == nil {
		return missing(TypeAmountToForward)
	}
	if p.OutgoingCLTV == nil {
		return missing(TypeOutgoingCLTV)
	}
	// "if it is not the final node: MUST return an error if:
	// short_channel_id is not present"
	if !ctx.Final && p.ShortChannelID == nil {
		return missing(TypeShortChannelID)
	}
	return nil
}

// TotalMsat is the total amount of the payment this HTLC belongs to, as
// the final node must read it.
//
// BOLT #4: "If it is the final node: MUST treat total_msat as if it were
// equal to amt_to_forward if it is not present."
func (p *HopPayload) TotalMsat() (total lnwire.MilliSatoshi, ok bool) {
	switch {
	case p.PaymentData != nil:
		return p.PaymentData.TotalMsat, true
	case p.TotalAmountMsat != nil:
		return *p.TotalAmountMsat, true
	case p.AmountToForward != nil:
		return *p.AmountToForward, true
	}
	return 0, false
}
