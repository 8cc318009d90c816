package node

import "errors"

// Errors of the runtime, checked with errors.Is.
var (
	// ErrStopped: the runtime was stopped.
	ErrStopped = errors.New("node: stopped")
	// ErrUnknownChannel: no channel matches.
	ErrUnknownChannel = errors.New("node: unknown channel")
	// ErrAmbiguousChannel: a peer id was given and the peer has several
	// open channels.
	ErrAmbiguousChannel = errors.New("node: peer has several channels, name one")
	// ErrPeerNotConnected: the operation needs a connection to the peer.
	ErrPeerNotConnected = errors.New("node: peer not connected")
	// ErrHalted: the channel stopped processing because its state could not
	// be persisted; it resumes from the stored state after a restart.
	ErrHalted = errors.New("node: channel halted after a store failure")
	// ErrChannelClosed: the channel is closed or failed.
	ErrChannelClosed = errors.New("node: channel is closed")
	// ErrOpenRefused: the peer refused or aborted the channel opening.
	ErrOpenRefused = errors.New("node: channel opening refused")
	// ErrFundingUnavailable: no wallet or funding negotiation available.
	ErrFundingUnavailable = errors.New("node: channel funding unavailable")
)
