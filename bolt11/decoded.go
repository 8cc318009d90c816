package bolt11

import (
	"encoding/hex"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Decoded is the JSON reply of Core Lightning's `decode` (and `decodepay`)
// for a BOLT 11 invoice, with the field names of CLN's doc/schemas/decode.json
// ("type": "bolt11 invoice").
type Decoded struct {
	Type               string               `json:"type"`
	Currency           string               `json:"currency"`
	CreatedAt          uint64               `json:"created_at"`
	Expiry             uint64               `json:"expiry"`
	Payee              string               `json:"payee"`
	AmountMsat         *lnwire.MilliSatoshi `json:"amount_msat,omitempty"`
	PaymentHash        string               `json:"payment_hash"`
	Signature          string               `json:"signature"`
	Description        *string              `json:"description,omitempty"`
	DescriptionHash    string               `json:"description_hash,omitempty"`
	MinFinalCLTVExpiry uint32               `json:"min_final_cltv_expiry"`
	PaymentSecret      string               `json:"payment_secret,omitempty"`
	Features           string               `json:"features,omitempty"`
	PaymentMetadata    string               `json:"payment_metadata,omitempty"`
	Fallbacks          []DecodedFallback    `json:"fallbacks,omitempty"`
	Routes             [][]DecodedRouteHop  `json:"routes,omitempty"`
	Extra              []DecodedExtraField  `json:"extra,omitempty"`
	Valid              bool                 `json:"valid"`
}

// DecodedFallback is one entry of "fallbacks".
type DecodedFallback struct {
	// Type is "P2PKH", "P2SH", "P2WPKH", "P2WSH" or "P2TR"; omitted for
	// other witness programs, as is Addr.
	Type string `json:"type,omitempty"`
	Addr string `json:"addr,omitempty"`
	// Hex is the output script.
	Hex string `json:"hex"`
}

// DecodedRouteHop is one hop of a route in "routes".
type DecodedRouteHop struct {
	Pubkey                    string              `json:"pubkey"`
	ShortChannelID            string              `json:"short_channel_id"`
	FeeBaseMsat               lnwire.MilliSatoshi `json:"fee_base_msat"`
	FeeProportionalMillionths uint32              `json:"fee_proportional_millionths"`
	CLTVExpiryDelta           uint32              `json:"cltv_expiry_delta"`
}

// DecodedExtraField is one field kept uninterpreted, in "extra".
type DecodedExtraField struct {
	Tag  string `json:"tag"`
	Data string `json:"data"`
}

// NewDecoded builds the Core Lightning view of a decoded invoice (one
// returned by Decode, so that Payee and Signature are set).
func NewDecoded(inv *Invoice) Decoded {
	d := Decoded{
		Type:               "bolt11 invoice",
		Currency:           string(inv.Currency),
		CreatedAt:          inv.Timestamp,
		Expiry:             inv.ExpirySeconds(),
		AmountMsat:         inv.Amount,
		PaymentHash:        hex.EncodeToString(inv.PaymentHash[:]),
		Signature:          hex.EncodeToString(derSignature(inv.Signature)),
		Description:        inv.Description,
		MinFinalCLTVExpiry: inv.FinalCLTVDelta(),
		PaymentSecret:      hex.EncodeToString(inv.PaymentSecret[:]),
		Valid:              true,
	}
	switch {
	case inv.Payee != nil:
		d.Payee = hex.EncodeToString(inv.Payee.SerializeCompressed())
	case inv.NodeID != nil:
		d.Payee = hex.EncodeToString(inv.NodeID.SerializeCompressed())
	}
	if inv.DescriptionHash != nil {
		d.DescriptionHash = hex.EncodeToString(inv.DescriptionHash[:])
	}
	if !inv.Features.IsEmpty() {
		d.Features = hex.EncodeToString(clnFeatureBytes(inv.Features))
	}
	if len(inv.PaymentMetadata) > 0 {
		d.PaymentMetadata = hex.EncodeToString(inv.PaymentMetadata)
	}
	for _, fb := range inv.Fallbacks {
		entry := DecodedFallback{Type: fb.Type()}
		if script, err := fb.PkScript(); err == nil {
			entry.Hex = hex.EncodeToString(script)
		}
		if entry.Type != "" {
			if addr, err := fb.Address(inv.Currency); err == nil {
				entry.Addr = addr
			}
		}
		d.Fallbacks = append(d.Fallbacks, entry)
	}
	for _, route := range inv.RouteHints {
		hops := make([]DecodedRouteHop, 0, len(route))
		for _, hop := range route {
			entry := DecodedRouteHop{
				ShortChannelID:            hop.ShortChannelID.String(),
				FeeBaseMsat:               lnwire.MilliSatoshi(hop.FeeBaseMsat),
				FeeProportionalMillionths: hop.FeeProportionalMillionths,
				CLTVExpiryDelta:           uint32(hop.CLTVExpiryDelta),
			}
			if hop.NodeID != nil {
				entry.Pubkey = hex.EncodeToString(hop.NodeID.SerializeCompressed())
			}
			hops = append(hops, entry)
		}
		d.Routes = append(d.Routes, hops)
	}
	for _, f := range inv.UnknownFields {
		data := make([]byte, len(f.Data))
		for i, e := range f.Data {
			data[i] = bech32Charset[e&31]
		}
		d.Extra = append(d.Extra, DecodedExtraField{Tag: string(f.Type.Letter()), Data: string(data)})
	}
	return d
}
