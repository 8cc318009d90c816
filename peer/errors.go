package peer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Reasons a connection ended or an operation failed. Disconnect reasons are
// reported by Peer.Err and in EventDisconnected.
var (
	// ErrNotConnected: no connection to that node.
	ErrNotConnected = errors.New("peer: not connected")
	// ErrManagerClosed: the Manager was closed.
	ErrManagerClosed = errors.New("peer: manager closed")
	// ErrActiveChannels: Disconnect without force of a peer with channels.
	ErrActiveChannels = errors.New("peer: peer has active channels (use force)")
	// ErrDisconnectRequested: we closed the connection on request.
	ErrDisconnectRequested = errors.New("peer: disconnect requested")
	// ErrReplaced: a newer connection from the same node replaced this one.
	ErrReplaced = errors.New("peer: replaced by a newer connection")
	// ErrConnectionLost: reading or writing the socket failed.
	ErrConnectionLost = errors.New("peer: connection lost")
	// ErrSendQueueFull: the peer did not drain its outgoing queue; it is
	// disconnected rather than allowed to block the node.
	ErrSendQueueFull = errors.New("peer: outgoing queue full")
	// ErrInitTimeout: the init exchange did not finish in time.
	ErrInitTimeout = errors.New("peer: init exchange timed out")
	// ErrInitFailed: the init exchange failed for an I/O reason.
	ErrInitFailed = errors.New("peer: init exchange failed")
	// ErrPongTimeout: a keep-alive ping got no pong in time.
	ErrPongTimeout = errors.New("peer: no pong in time")
	// ErrPingTooLarge: a ping whose byteslen would not fit in a message.
	ErrPingTooLarge = errors.New("peer: ping too large")
	// ErrTooManyPings: too many pings are waiting for their pong.
	ErrTooManyPings = errors.New("peer: too many pings outstanding")
	// ErrSelfConnection: a connection to our own node id.
	ErrSelfConnection = errors.New("peer: connection to ourselves")
	// ErrBadAddress: an address that cannot be dialled or listened on.
	ErrBadAddress = errors.New("peer: bad address")
)

// Protocol violations by the remote node. Each is wrapped in a
// *ProtocolError that says whether a warning precedes the disconnection.
var (
	// ErrFirstMessageNotInit: BOLT #1 "MUST send init as the first
	// Lightning message for any connection" was broken.
	ErrFirstMessageNotInit = errors.New("peer: first message is not init")
	// ErrUnknownRequiredFeature: the peer sets an even feature bit we do
	// not know.
	ErrUnknownRequiredFeature = errors.New("peer: unknown required feature")
	// ErrFeatureDependency: the peer's features miss a BOLT #9 dependency.
	ErrFeatureDependency = errors.New("peer: feature dependency missing")
	// ErrNoCommonChain: the peer's networks list none of our chain.
	ErrNoCommonChain = errors.New("peer: no common chain")
	// ErrUnknownEvenMessage: a message of an unknown even type.
	ErrUnknownEvenMessage = errors.New("peer: unknown even message")
	// ErrMalformedMessage: a known message that does not decode.
	ErrMalformedMessage = errors.New("peer: malformed message")
)

// ProtocolError is a misbehaviour of the remote node that ends the
// connection. When Warning is not empty, a warning message (channel_id 0)
// with that text is sent before disconnecting.
type ProtocolError struct {
	Err     error  // one of the protocol sentinels above, possibly wrapping a cause
	Warning string // text of the warning to send first, "" for none
}

func (e *ProtocolError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is and errors.As see the sentinel and its cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// UnknownFeatureError names the even feature bits the peer set that we do
// not know. It matches ErrUnknownRequiredFeature with errors.Is.
type UnknownFeatureError struct {
	Bits []lnwire.FeatureBit
}

func (e *UnknownFeatureError) Error() string {
	return "peer: unknown required feature bits " + joinBits(e.Bits)
}

// Unwrap lets errors.Is(err, ErrUnknownRequiredFeature) succeed.
func (e *UnknownFeatureError) Unwrap() error { return ErrUnknownRequiredFeature }

func joinBits(bits []lnwire.FeatureBit) string {
	names := make([]string, len(bits))
	for i, b := range bits {
		names[i] = strconv.FormatUint(uint64(b), 10)
	}
	return strings.Join(names, ",")
}

// silent returns a violation answered by closing the connection only.
func silent(sentinel error, cause error) *ProtocolError {
	if cause == nil {
		return &ProtocolError{Err: sentinel}
	}
	return &ProtocolError{Err: fmt.Errorf("%w: %w", sentinel, cause)}
}

// warned returns a violation answered by a warning, then closing.
func warned(err error, warning string) *ProtocolError {
	return &ProtocolError{Err: err, Warning: warning}
}
