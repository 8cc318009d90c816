package channel

import (
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Party is one side of the channel: Local (this node, the holder) or Remote
// (the counterparty). It is channeltx's type, so values pass between the two
// packages unchanged.
type Party = channeltx.Party

// The two parties.
const (
	Local  = channeltx.Local
	Remote = channeltx.Remote
)

// Point is a compressed secp256k1 public key as it travels on the wire. It
// is checked to be on the curve where it enters the channel (open, accept,
// channel_ready, revoke_and_ack).
type Point [33]byte

// NewPoint serialises a public key.
func NewPoint(k *btcec.PublicKey) Point {
	var p Point
	copy(p[:], k.SerializeCompressed())
	return p
}

// PubKey parses the point.
func (p Point) PubKey() (*btcec.PublicKey, error) {
	k, err := btcec.ParsePubKey(p[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPoint, err)
	}
	return k, nil
}

// MarshalText writes the point in hex (persisted form).
func (p Point) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(p[:])), nil }

// UnmarshalText reads the hex form.
func (p *Point) UnmarshalText(text []byte) error {
	if hex.DecodedLen(len(text)) != len(p) {
		return fmt.Errorf("%w: point of %d hex digits", ErrBadPoint, len(text))
	}
	_, err := hex.Decode(p[:], text)
	return err
}

// String returns the hex form.
func (p Point) String() string { return hex.EncodeToString(p[:]) }

// Params are what one party announced in open_channel or accept_channel:
// the limits it imposes on the OTHER party, and its own keys. For example
// State.Local.MaxAcceptedHTLCs bounds the HTLCs the remote may offer us, and
// State.Local.ChannelReserve is what the remote must keep.
type Params struct {
	// DustLimit is dust_limit_satoshis: outputs below it are left out of
	// this party's own commitment transaction.
	DustLimit lnwire.Satoshi
	// MaxHTLCValueInFlight is max_htlc_value_in_flight_msat: a cap on the
	// total of HTLCs the other party offers.
	MaxHTLCValueInFlight lnwire.MilliSatoshi
	// ChannelReserve is channel_reserve_satoshis: the minimum the other
	// party keeps as its direct balance.
	ChannelReserve lnwire.Satoshi
	// HTLCMinimum is htlc_minimum_msat: the smallest HTLC this party accepts.
	HTLCMinimum lnwire.MilliSatoshi
	// ToSelfDelay is to_self_delay: the CSV delay on the other party's
	// to_local output.
	ToSelfDelay uint16
	// MaxAcceptedHTLCs is max_accepted_htlcs: how many HTLCs the other
	// party may have offered at once.
	MaxAcceptedHTLCs uint16

	FundingKey              Point
	RevocationBasepoint     Point
	PaymentBasepoint        Point
	DelayedPaymentBasepoint Point
	HTLCBasepoint           Point

	// UpfrontShutdownScript is the upfront_shutdown_script, empty if none.
	UpfrontShutdownScript []byte `json:",omitempty"`
}

// basepoints parses the four basepoints for channeltx.
func (p *Params) basepoints() (*channeltx.Basepoints, error) {
	var b channeltx.Basepoints
	var err error
	if b.Revocation, err = p.RevocationBasepoint.PubKey(); err != nil {
		return nil, err
	}
	if b.Payment, err = p.PaymentBasepoint.PubKey(); err != nil {
		return nil, err
	}
	if b.DelayedPayment, err = p.DelayedPaymentBasepoint.PubKey(); err != nil {
		return nil, err
	}
	if b.HTLC, err = p.HTLCBasepoint.PubKey(); err != nil {
		return nil, err
	}
	return &b, nil
}

// checkKeys reports whether every key is a valid point.
//
// BOLT #2: The receiving node MUST fail the channel if: funding_pubkey,
// revocation_basepoint, htlc_basepoint, payment_basepoint, or
// delayed_payment_basepoint are not valid secp256k1 pubkeys in compressed
// format.
func (p *Params) checkKeys() error {
	if _, err := p.FundingKey.PubKey(); err != nil {
		return err
	}
	_, err := p.basepoints()
	return err
}
