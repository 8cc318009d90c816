package peer

import (
	"encoding/hex"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// MessageHandler receives the messages that are not link-level: everything
// but init, error, warning, ping, pong and unknown odd messages. It is
// called from the peer's read loop, one message at a time, in arrival
// order; while it runs no further message of that peer is read, so it must
// not block for long. It answers with p.Send.
type MessageHandler interface {
	HandleMessage(p *Peer, msg lnwire.Message)
}

// EventHandler receives connection events. It is called synchronously from
// the goroutines of the Manager and its peers and must not block.
type EventHandler interface {
	HandlePeerEvent(Event)
}

// EventKind tells what happened.
type EventKind uint8

// Kinds of Event.
const (
	// EventConnected: the init exchange succeeded; Info describes the peer.
	EventConnected EventKind = iota + 1
	// EventDisconnected: the connection ended; Err says why.
	EventDisconnected
	// EventErrorReceived: the peer sent error. BOLT #1: "if channel_id is
	// all zero: MUST fail all channels with the sending node" (AllChannels);
	// otherwise the channel ChannelID must be failed.
	EventErrorReceived
	// EventWarningReceived: the peer sent warning.
	EventWarningReceived
	// EventConnectFailed: an attempt to reach a persistent peer failed; the
	// next one is in RetryIn.
	EventConnectFailed
)

func (k EventKind) String() string {
	switch k {
	case EventConnected:
		return "connected"
	case EventDisconnected:
		return "disconnected"
	case EventErrorReceived:
		return "error_received"
	case EventWarningReceived:
		return "warning_received"
	case EventConnectFailed:
		return "connect_failed"
	}
	return "unknown"
}

// Event is one thing that happened to a peer connection.
type Event struct {
	Kind EventKind
	// Info is the peer as it was when the event happened. Only Info.ID is
	// set for EventConnectFailed.
	Info Info
	// ChannelID and AllChannels: the channel an error or warning is about.
	ChannelID   lnwire.ChannelID
	AllChannels bool
	// Message is the error or warning data, made printable (see
	// PrintableData).
	Message string
	// Err is why the connection ended or the attempt failed.
	Err error
	// RetryIn is the back-off before the next attempt (EventConnectFailed).
	RetryIn time.Duration
}

type dropEvents struct{}

func (dropEvents) HandlePeerEvent(Event) {}

// Direction tells who opened the connection.
type Direction uint8

// Directions of a connection.
const (
	Inbound  Direction = iota + 1 // the remote node connected to us
	Outbound                      // we connected to the remote node
)

func (d Direction) String() string {
	switch d {
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	}
	return "unknown"
}

// Info describes a peer the way Core Lightning's listpeers does.
type Info struct {
	// ID is the node's public key.
	ID *btcec.PublicKey
	// Connected is false for a persistent peer we are not connected to.
	Connected bool
	// NetAddr holds the remote address of the connection ("1.2.3.4:9735",
	// or the socket path of a Unix connection we opened).
	NetAddr []string
	// RemoteAddr is the address the peer says it sees us at (init's
	// remote_addr), "" if it sent none we could decode.
	RemoteAddr string
	// Features are the peer's init features (global and local combined).
	// They marshal to hex, as Core Lightning shows them.
	Features lnwire.FeatureVector
	// Direction says who connected.
	Direction Direction
	// ConnectedAt is when the init exchange succeeded.
	ConnectedAt time.Time
}

// FeaturesHex returns the features field in hex, Core Lightning's
// "features" of listpeers.
func (i Info) FeaturesHex() string { return hex.EncodeToString(i.Features.Encode()) }

// PrintableData returns data as text when it is printable ASCII, and as
// "hex:<hex>" otherwise. BOLT #1: "if data is not composed solely of
// printable ASCII characters ... SHOULD NOT print out data verbatim."
func PrintableData(data []byte) string {
	for _, c := range data {
		// "the printable character set includes byte values 32 through
		// 126, inclusive"
		if c < 32 || c > 126 {
			return "hex:" + hex.EncodeToString(data)
		}
	}
	return string(data)
}
