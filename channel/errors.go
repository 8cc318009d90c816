package channel

import (
	"errors"
	"fmt"
)

// Action is what the protocol says to do about an error (BOLT #1 and #2:
// ignore, send a warning and close the connection, or send an error and fail
// the channel). Step turns it into effects.
type Action uint8

const (
	// Reject refuses a local command: nothing is sent and the state is
	// unchanged. The caller (the payment layer, an RPC) gets the error.
	Reject Action = iota + 1
	// Ignore drops a peer message that the BOLTs say to ignore.
	Ignore
	// Warn sends a warning and closes the connection; the channel and its
	// state are unchanged, and the updates the peer had not committed are
	// forgotten when the runtime reports the disconnection.
	Warn
	// Fail sends an error and fails the channel: the runtime broadcasts our
	// latest commitment transaction (BOLT #5 "Failing a Channel").
	Fail
	// FailWithoutBroadcast sends an error and stops using the channel, but
	// our commitment transaction must not be broadcast: the peer proved we
	// lost state, so it may be revoked (BOLT #2 "Message Retransmission").
	FailWithoutBroadcast
)

// String names the action.
func (a Action) String() string {
	switch a {
	case Reject:
		return "reject"
	case Ignore:
		return "ignore"
	case Warn:
		return "warn"
	case Fail:
		return "fail-channel"
	case FailWithoutBroadcast:
		return "fail-channel-no-broadcast"
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

func warnf(sentinel error, format string, args ...any) *Error {
	return newError(Warn, sentinel, format, args...)
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

// Sentinels, one per rule. The comment says who breaks it.
var (
	// Local commands refused.

	ErrNotReady           = errors.New("channel: not in normal operation")
	ErrNotConnected       = errors.New("channel: peer not connected or channel not re-established")
	ErrShuttingDown       = errors.New("channel: shutting down, no new HTLCs")
	ErrNothingToSign      = errors.New("channel: no updates to sign")
	ErrAwaitingRevocation = errors.New("channel: waiting for revoke_and_ack")
	ErrNotOpener          = errors.New("channel: only the opener sends update_fee")
	ErrPendingUpdates     = errors.New("channel: updates not yet signed")
	ErrAlreadyShutdown    = errors.New("channel: shutdown already sent")
	ErrHTLCNotCommitted   = errors.New("channel: HTLC not irrevocably committed")

	// Checks made on both sides: a local command breaking them is refused,
	// a peer message breaking them fails the channel.

	ErrAmountZero        = errors.New("channel: HTLC amount is zero")
	ErrBelowHTLCMinimum  = errors.New("channel: HTLC amount below htlc_minimum_msat")
	ErrCannotAfford      = errors.New("channel: sender cannot afford the update with fees and reserve")
	ErrFeeSpikeBuffer    = errors.New("channel: fee spike buffer not kept")
	ErrTooManyHTLCs      = errors.New("channel: more than max_accepted_htlcs")
	ErrInFlightExceeded  = errors.New("channel: max_htlc_value_in_flight_msat exceeded")
	ErrExpiryInSeconds   = errors.New("channel: cltv_expiry not below 500000000")
	ErrDustExposure      = errors.New("channel: dust exposure above max_dust_htlc_exposure_msat")
	ErrUnknownHTLC       = errors.New("channel: unknown HTLC id")
	ErrWrongPreimage     = errors.New("channel: preimage does not hash to payment_hash")
	ErrNotBadOnion       = errors.New("channel: update_fail_malformed_htlc without the BADONION bit")
	ErrBadShutdownScript = errors.New("channel: shutdown scriptpubkey not in a standard form")

	// Peer misbehaviour.

	ErrUnexpectedHTLCID       = errors.New("channel: update_add_htlc id is not the next id")
	ErrAddAfterShutdown       = errors.New("channel: update_add_htlc after shutdown")
	ErrBadCommitmentSignature = errors.New("channel: invalid commitment signature")
	ErrHTLCSignatureCount     = errors.New("channel: wrong number of htlc_signature")
	ErrBadHTLCSignature       = errors.New("channel: invalid HTLC signature")
	ErrUnexpectedRevocation   = errors.New("channel: unexpected revoke_and_ack")
	ErrBadRevocationSecret    = errors.New("channel: per_commitment_secret does not match the per_commitment_point")
	ErrBadPoint               = errors.New("channel: invalid secp256k1 point")
	ErrFeeFromAccepter        = errors.New("channel: update_fee from the node not paying the fee")
	ErrFeerateOutOfRange      = errors.New("channel: feerate_per_kw too low or unreasonably large")
	ErrUnexpectedMessage      = errors.New("channel: message not expected now")
	ErrWrongChannel           = errors.New("channel: message for another channel_id")
	ErrUpfrontScriptMismatch  = errors.New("channel: shutdown script differs from upfront_shutdown_script")
	ErrClosingFee             = errors.New("channel: closing_signed fee_satoshis not acceptable")
	ErrClosingFeeRange        = errors.New("channel: closing_signed fee_range does not overlap ours")
	ErrBadClosingSignature    = errors.New("channel: invalid closing signature")
	ErrPeerFailed             = errors.New("channel: peer sent an error")

	// Re-establishment.

	ErrZeroNextCommitment   = errors.New("channel: channel_reestablish with next_commitment_number 0")
	ErrBadReestablish       = errors.New("channel: channel_reestablish numbers are inconsistent with ours")
	ErrBadLastSecret        = errors.New("channel: your_last_per_commitment_secret is wrong")
	ErrDataLoss             = errors.New("channel: the peer proved we lost channel state")
	ErrMessageBeforeReestab = errors.New("channel: message before channel_reestablish")

	// Failed channels and broken invariants.

	ErrChannelFailed = errors.New("channel: channel has failed")
	ErrInternal      = errors.New("channel: internal error")
	ErrSigner        = errors.New("channel: signer failed")
)
