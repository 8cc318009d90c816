package channel

import (
	"encoding/json"
	"fmt"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

// Phase is where the channel is in its life.
type Phase uint8

const (
	// AwaitingReady: the first commitments are signed; the funding
	// transaction is confirming and channel_ready is being exchanged.
	AwaitingReady Phase = iota + 1
	// Normal: both channel_ready were exchanged; HTLCs flow.
	Normal
	// ShuttingDown: shutdown was sent or received; HTLCs are clearing.
	ShuttingDown
	// Negotiating: both shutdowns were exchanged, no HTLC is left, and the
	// closing fee is being negotiated with closing_signed.
	Negotiating
	// Closed: a mutual close transaction was signed by both sides.
	Closed
	// Failed: the channel was failed; only on-chain resolution remains.
	Failed
)

// String names the phase.
func (p Phase) String() string {
	switch p {
	case AwaitingReady:
		return "awaiting-ready"
	case Normal:
		return "normal"
	case ShuttingDown:
		return "shutting-down"
	case Negotiating:
		return "negotiating"
	case Closed:
		return "closed"
	case Failed:
		return "failed"
	default:
		return fmt.Sprintf("Phase(%d)", uint8(p))
	}
}

// Link is the state of the connection as far as the channel knows.
type Link uint8

const (
	// LinkDown: no connection; nothing is sent.
	LinkDown Link = iota
	// LinkReestablishing: connected, channel_reestablish sent, waiting for
	// the peer's.
	LinkReestablishing
	// LinkUp: channel_reestablish exchanged; messages flow.
	LinkUp
)

// String names the link state.
func (l Link) String() string {
	switch l {
	case LinkDown:
		return "down"
	case LinkReestablishing:
		return "reestablishing"
	case LinkUp:
		return "up"
	default:
		return fmt.Sprintf("Link(%d)", uint8(l))
	}
}

// LocalCommitment is our latest commitment transaction, signed by the peer.
type LocalCommitment struct {
	Number uint64
	Spec   Spec
	// Signature and HTLCSignatures are the peer's, from its
	// commitment_signed (or funding_created/funding_signed for number 0);
	// they let us broadcast this commitment and its HTLC transactions.
	Signature      lnwire.Signature
	HTLCSignatures []lnwire.Signature `json:",omitempty"`
}

// RemoteCommitment is the peer's latest commitment that it has not revoked
// and that we signed.
type RemoteCommitment struct {
	Number uint64
	Spec   Spec
	// Point is the peer's per_commitment_point for this commitment.
	Point Point
}

// PendingCommitment is a remote commitment we signed and for which we wait
// for the revoke_and_ack of the previous one.
type PendingCommitment struct {
	Number uint64
	Spec   Spec
	// Signature and HTLCSignatures are what our commitment_signed carried,
	// kept to retransmit it unchanged.
	Signature      lnwire.Signature
	HTLCSignatures []lnwire.Signature `json:",omitempty"`
	// SentAfterLocal is LocalCommit.Number when it was sent: it orders the
	// retransmission of commitment_signed and revoke_and_ack.
	SentAfterLocal uint64
}

// ShutdownState records the shutdown exchange.
type ShutdownState struct {
	// LocalScript is where our funds go; set when we decided to shut down
	// (our command, or the peer's shutdown that we answer).
	LocalScript []byte `json:",omitempty"`
	// LocalSent is set once our shutdown was sent. It waits for our
	// proposed updates to be signed.
	//
	// BOLT #2: if there are updates pending on the receiving node's
	// commitment transaction: MUST NOT send a shutdown.
	LocalSent bool `json:",omitempty"`
	// RemoteScript is the peer's, nil before its shutdown arrives.
	RemoteScript []byte `json:",omitempty"`
}

// SecretStore holds the per-commitment secrets the peer revealed; it
// persists in revocation's compact binary form.
type SecretStore struct {
	revocation.Store
}

// MarshalJSON writes the compact binary form.
func (s SecretStore) MarshalJSON() ([]byte, error) {
	b, err := s.Store.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// UnmarshalJSON reads it back.
func (s *SecretStore) UnmarshalJSON(data []byte) error {
	var b []byte
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	return s.Store.UnmarshalBinary(b)
}

// State is everything a channel needs to resume after a restart, in one
// value. Step never modifies the State it is given; it returns a new one.
type State struct {
	ChannelID          lnwire.ChannelID
	Type               channeltx.ChannelType
	Opener             Party
	Capacity           lnwire.Satoshi
	FundingTxID        [32]byte
	FundingOutputIndex uint16
	ShortChannelID     lnwire.ShortChannelID
	// AnySegwit is set when option_shutdown_anysegwit was negotiated.
	AnySegwit bool `json:",omitempty"`

	// Local and Remote are the parameters each side announced.
	Local  Params
	Remote Params

	Phase Phase
	// Link is not persisted: a State read back with Unmarshal is LinkDown
	// until the runtime reports Reconnected.
	Link Link `json:"-"`
	// ReadySent and ReadyReceived track channel_ready.
	ReadySent     bool `json:",omitempty"`
	ReadyReceived bool `json:",omitempty"`

	LocalCommit   LocalCommitment
	RemoteCommit  RemoteCommitment
	RemotePending *PendingCommitment `json:",omitempty"`
	// RemoteNextPoint is the peer's per_commitment_point for commitment
	// RemoteCommit.Number+1 (from channel_ready or revoke_and_ack).
	RemoteNextPoint Point
	// RemoteSecrets are the per-commitment secrets the peer revealed.
	RemoteSecrets SecretStore

	LocalChanges  Changes
	RemoteChanges Changes
	// NextHTLCID is the id of the next update_add_htlc each party sends.
	NextHTLCID [2]uint64

	Shutdown ShutdownState
	Closing  *Negotiation `json:",omitempty"`

	// Failure is the error message sent when the channel failed, to
	// retransmit on reconnection.
	Failure string `json:",omitempty"`
}

// Clone returns a deep copy: the copy's slices can be changed without
// touching s. Onions, scripts and update messages are shared because they
// are never modified.
func (s *State) Clone() State {
	c := *s
	c.LocalCommit.Spec = s.LocalCommit.Spec.clone()
	c.LocalCommit.HTLCSignatures = append([]lnwire.Signature(nil), s.LocalCommit.HTLCSignatures...)
	c.RemoteCommit.Spec = s.RemoteCommit.Spec.clone()
	if s.RemotePending != nil {
		p := *s.RemotePending
		p.Spec = p.Spec.clone()
		p.HTLCSignatures = append([]lnwire.Signature(nil), p.HTLCSignatures...)
		c.RemotePending = &p
	}
	c.LocalChanges = s.LocalChanges.clone()
	c.RemoteChanges = s.RemoteChanges.clone()
	if s.Closing != nil {
		n := *s.Closing
		c.Closing = &n
	}
	return c
}

// params returns what the party announced.
func (s *State) params(p Party) *Params {
	if p == Local {
		return &s.Local
	}
	return &s.Remote
}

// changes returns the update log of the party's updates.
func (s *State) changes(p Party) *Changes {
	if p == Local {
		return &s.LocalChanges
	}
	return &s.RemoteChanges
}

// latestRemoteSpec is the spec of the newest remote commitment we signed.
func (s *State) latestRemoteSpec() *Spec {
	if s.RemotePending != nil {
		return &s.RemotePending.Spec
	}
	return &s.RemoteCommit.Spec
}

// HasUnsignedChanges reports whether a SignCommitment would have something
// to sign: our proposed updates, or the peer's updates we acknowledged that
// are not in its commitment yet. The runtime uses it to decide when to
// sign.
func (s *State) HasUnsignedChanges() bool {
	return len(s.LocalChanges.Proposed) > 0 || len(s.RemoteChanges.Acked) > 0
}

// CanSign reports whether SignCommitment would succeed now.
func (s *State) CanSign() bool {
	return s.HasUnsignedChanges() && s.RemotePending == nil && s.Link == LinkUp &&
		(s.Phase == Normal || s.Phase == ShuttingDown)
}

// irrevocablyCommitted reports whether the HTLC is in both current
// commitments (and the pending one), so that it may be removed.
//
// BOLT #2: until the corresponding HTLC is irrevocably committed in both
// sides' commitment transactions: MUST NOT send an update_fulfill_htlc,
// update_fail_htlc, or update_fail_malformed_htlc.
func (s *State) irrevocablyCommitted(offerer Party, id uint64) (*HTLC, bool) {
	i := s.LocalCommit.Spec.find(offerer, id)
	if i < 0 || s.RemoteCommit.Spec.find(offerer, id) < 0 {
		return nil, false
	}
	if s.RemotePending != nil && s.RemotePending.Spec.find(offerer, id) < 0 {
		return nil, false
	}
	return &s.LocalCommit.Spec.HTLCs[i], true
}

// PendingIncoming returns the HTLCs the peer offered that are irrevocably
// committed and that we have not started to remove: the ones the payment
// layer still has to settle or fail. After a restart the runtime uses it
// to re-drive HTLCAccepted notifications it may not have delivered.
func (s *State) PendingIncoming() []HTLC {
	var out []HTLC
	for _, h := range s.LocalCommit.Spec.HTLCs {
		if h.Offerer != Remote || s.LocalChanges.removing(h.ID) {
			continue
		}
		if _, ok := s.irrevocablyCommitted(Remote, h.ID); ok {
			out = append(out, h)
		}
	}
	return out
}

// Balance returns both balances in our current commitment, before fees.
func (s *State) Balance() (local, remote lnwire.MilliSatoshi) {
	return s.LocalCommit.Spec.Balance[Local], s.LocalCommit.Spec.Balance[Remote]
}
