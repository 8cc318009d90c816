package funding

import (
	"errors"
	"fmt"
)

// Action is what the protocol says to do about an error. Step turns it into
// effects.
type Action uint8

const (
	// Reject refuses a local command (Open, or an event the negotiation
	// cannot take now): nothing is sent and the state is unchanged.
	Reject Action = iota + 1
	// Ignore drops a peer message: nothing is sent and the state is
	// unchanged.
	Ignore
	// Fail ends the negotiation: an error for the temporary_channel_id is
	// sent to the peer (BOLT #2: "the channel establishment fails") and the
	// negotiation is forgotten. The connection stays up.
	Fail
	// Abandon ends the negotiation without sending anything: the peer sent
	// an error, the connection dropped, or the channel is already gone.
	Abandon
)

// String names the action.
func (a Action) String() string {
	switch a {
	case Reject:
		return "reject"
	case Ignore:
		return "ignore"
	case Fail:
		return "fail-negotiation"
	case Abandon:
		return "abandon-negotiation"
	default:
		return fmt.Sprintf("Action(%d)", uint8(a))
	}
}

// Error is every error Step returns: the protocol action plus the reason, a
// sentinel below (errors.Is works through Unwrap).
type Error struct {
	Action Action
	Err    error
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func newError(a Action, sentinel error, format string, args ...any) *Error {
	return &Error{Action: a, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

func rejectf(sentinel error, format string, args ...any) *Error {
	return newError(Reject, sentinel, format, args...)
}

func failf(sentinel error, format string, args ...any) *Error {
	return newError(Fail, sentinel, format, args...)
}

// ActionOf returns the action of an error returned by Step (Fail for an
// error that is not an *Error, which only a broken invariant produces).
func ActionOf(err error) Action {
	var e *Error
	if errors.As(err, &e) {
		return e.Action
	}
	return Fail
}

// Sentinels, one per rule.
var (
	// Local commands and events refused.

	ErrBadLocalParams   = errors.New("funding: our own parameters are inconsistent")
	ErrBadCommand       = errors.New("funding: event not expected in this phase")
	ErrRandomness       = errors.New("funding: cannot draw a temporary_channel_id")
	ErrSigner           = errors.New("funding: signer failed")
	ErrWallet           = errors.New("funding: the wallet could not build the funding transaction")
	ErrBadFundingTx     = errors.New("funding: funding transaction does not pay the funding output")
	ErrCancelled        = errors.New("funding: negotiation cancelled")
	ErrDisconnected     = errors.New("funding: peer disconnected before funding_signed")
	ErrNegotiationEnded = errors.New("funding: negotiation already ended")
	ErrInternal         = errors.New("funding: internal error")

	// Checks of open_channel and accept_channel: a local Open breaking
	// them is refused, a peer message breaking them fails the negotiation.

	ErrUnknownChain            = errors.New("funding: chain_hash of an unknown chain")
	ErrDualFundNegotiated      = errors.New("funding: open_channel while option_dual_fund is negotiated")
	ErrFundingTooSmall         = errors.New("funding: funding_satoshis too small")
	ErrFundingTooLarge         = errors.New("funding: funding_satoshis too large")
	ErrPushTooLarge            = errors.New("funding: push_msat above funding_satoshis * 1000")
	ErrToSelfDelayTooLarge     = errors.New("funding: to_self_delay unreasonably large")
	ErrTooManyAcceptedHTLCs    = errors.New("funding: max_accepted_htlcs above 483")
	ErrTooFewAcceptedHTLCs     = errors.New("funding: max_accepted_htlcs too small")
	ErrFeerateOutOfRange       = errors.New("funding: feerate_per_kw too low or unreasonably large")
	ErrInvalidKey              = errors.New("funding: a key or basepoint is not a valid compressed secp256k1 point")
	ErrInvalidFirstPoint       = errors.New("funding: first_per_commitment_point is not a valid point")
	ErrDustLimitTooSmall       = errors.New("funding: dust_limit_satoshis below 354")
	ErrDustLimitTooLarge       = errors.New("funding: dust_limit_satoshis too large")
	ErrReserveBelowDust        = errors.New("funding: channel_reserve_satoshis below a dust_limit_satoshis")
	ErrReserveTooLarge         = errors.New("funding: channel_reserve_satoshis too large")
	ErrHTLCMinimumTooLarge     = errors.New("funding: htlc_minimum_msat too large")
	ErrInFlightTooSmall        = errors.New("funding: max_htlc_value_in_flight_msat too small")
	ErrCannotAffordFee         = errors.New("funding: funder cannot pay the initial commitment fee")
	ErrOutputsBelowReserve     = errors.New("funding: both initial outputs at or below channel_reserve_satoshis")
	ErrMissingChannelType      = errors.New("funding: channel_type missing")
	ErrUnsupportedChannelType  = errors.New("funding: channel_type not suitable")
	ErrChannelTypeMismatch     = errors.New("funding: accept_channel channel_type differs from open_channel's")
	ErrMinimumDepthTooLarge    = errors.New("funding: minimum_depth unreasonably large")
	ErrBadUpfrontShutdown      = errors.New("funding: upfront_shutdown_script not a valid shutdown scriptpubkey")
	ErrTooManyPendingChannels  = errors.New("funding: too many pending channels with this peer")
	ErrZeroTemporaryChannelID  = errors.New("funding: temporary_channel_id is all zero")
	ErrUnexpectedMessage       = errors.New("funding: message not expected now")
	ErrWrongChannel            = errors.New("funding: message for another channel")
	ErrBadCommitmentSignature  = errors.New("funding: invalid signature of our first commitment")
	ErrPeerFailed              = errors.New("funding: peer sent an error")
	ErrFundingOutputIndexRange = errors.New("funding: funding output index above 65535")
)
