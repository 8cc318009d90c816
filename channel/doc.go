// Package channel is the channel state machine of BOLT #2 once the funding
// outpoint is known: channel_ready, normal operation (update_add_htlc,
// update_fulfill_htlc, update_fail_htlc, update_fail_malformed_htlc,
// update_fee, commitment_signed, revoke_and_ack), message retransmission
// (channel_reestablish, with the option_data_loss_protect checks), HTLC
// deadlines, and mutual close (shutdown and the closing_signed
// negotiation, legacy and fee_range).
// Transactions, keys and signature hashes come from channeltx (BOLT #3).
//
// It is pure (layer L1): Step takes a State and an Event and returns the
// new State and the Effects to carry out, in order, or an *Error whose
// Action says what the protocol requires (reject a command, ignore, warn
// and disconnect, fail the channel). It does no I/O, starts no goroutines,
// reads no clock and no randomness. Secrets stay in the signer: Step calls
// the Signer interface the runtime passes in Env for per-commitment points
// and secrets and for signatures, and verifies the peer's signatures
// itself. Each BOLT requirement is quoted at the check that enforces it.
//
// Channel establishment (package funding) hands a channel over with
// NewState, SignFirstCommitment (for funding_created or funding_signed) and
// AcceptFirstSignature; the runtime stores that State and drives it with
// Step.
//
// The runtime's contract: carry out the effects in the order given;
// PersistState (store Marshal of the returned State, durably) always comes
// first, before the messages that depend on it. Report connection changes
// with Disconnected/Reconnected, chain depth with FundingLocked, new blocks
// with NewBlock, and call SignCommitment when State.CanSign says there is
// something to sign. HTLCAccepted and HTLCFailed are final once persisted:
// record them with the state (State.PendingIncoming recovers the first).
//
// Each update goes through the phases of BOLT #2 "Normal Operation"; the
// State keeps, per side, the updates Proposed, Signed and Acked (see
// Changes) and the specs of both latest commitments.
//
//	stateDiagram-v2
//	    [*] --> AwaitingReady: first commitments signed
//	    AwaitingReady --> Normal: channel_ready sent and received
//	    AwaitingReady --> ShuttingDown: shutdown
//	    Normal --> ShuttingDown: shutdown sent or received
//	    ShuttingDown --> Negotiating: both shutdowns, no HTLC, nothing pending
//	    Negotiating --> Closed: same fee_satoshis signed by both
//	    Normal --> Failed: protocol violation, error received
//	    ShuttingDown --> Failed
//	    Negotiating --> Failed
//	    Closed --> [*]
//	    Failed --> [*]: on-chain resolution (BOLT #5)
//
// The connection has its own small machine (Link): LinkDown, then
// LinkReestablishing after Reconnected (our channel_reestablish is sent),
// then LinkUp once the peer's arrived and the retransmissions went out.
//
// It imports lnwire, channeltx and revocation (layer L0) and btcd; it must
// not import the signer, the store, the peer connection or any runtime
// package.
package channel
