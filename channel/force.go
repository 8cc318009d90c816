package channel

import (
	"errors"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// ErrForceClosed is the failure of a channel we closed unilaterally at our
// own request (Core Lightning's close after unilateraltimeout).
var ErrForceClosed = errors.New("channel: closed unilaterally at our request")

// ErrAlreadyClosed refuses a unilateral close of a channel whose mutual
// close transaction is already signed by both sides: broadcasting our
// commitment then would only race the closing transaction.
var ErrAlreadyClosed = errors.New("channel: the mutual close is already signed")

// ForceClose fails the channel on purpose: the state moves to Failed, the
// peer gets an error, and the runtime broadcasts our latest commitment
// (FailChannel with Broadcast), exactly as when the peer misbehaves.
type ForceClose struct {
	// Reason is the text of the error sent to the peer.
	Reason string
}

func (ForceClose) isEvent() {}

// forceClose answers ForceClose.
//
// BOLT #2: A node SHOULD NOT sign commitment transactions, unless it's about
// to broadcast them (due to a failed connection) — the runtime signs our
// commitment only after this failure is persisted.
func (s *State) forceClose(reason string) error {
	if s.Phase == Closed {
		return rejectf(ErrAlreadyClosed, "")
	}
	if reason == "" {
		reason = "closing the channel unilaterally"
	}
	return failf(ErrForceClosed, "%s", reason)
}

// CommitFeerate is the feerate of the next commitment we sign: the
// update_fee we proposed and did not sign yet, else the feerate of the
// newest commitment we signed for the peer.
func (s *State) CommitFeerate() lnwire.FeeratePerKW {
	rate := s.latestRemoteSpec().Feerate
	for _, u := range s.LocalChanges.Proposed {
		if m, ok := u.Msg.(*lnwire.UpdateFee); ok {
			rate = m.FeeratePerKW
		}
	}
	return rate
}
