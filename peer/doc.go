// Package peer runs Lightning peer connections: BOLT #8 transport (package
// transport), then the BOLT #1 link layer on top of it, with the BOLT #9
// feature checks that decide whether a connection may live.
//
// A Peer is one connected node. Its life is:
//
//  1. the init exchange (BOLT #1): our init is sent at once, the first
//     message received must be init, and the peer's features and networks
//     are checked. A peer that requires a feature we do not know, breaks a
//     BOLT #9 dependency or lists only chains we are not on is sent a warning
//     and disconnected; a first message that is not init ends the connection
//     silently, since nothing may be sent before init is received;
//  2. three goroutines: a read loop, a write loop draining a bounded queue,
//     and a keep-alive loop pinging the peer. A full queue disconnects that
//     peer: a slow or dead peer never blocks the node;
//  3. the read loop answers ping, matches pong, logs error and warning (and
//     reports them as Events), ignores unknown odd messages, and ends the
//     connection on an unknown even message or a malformed known one (after
//     a warning). Every other message goes to the MessageHandler.
//
// Until the channel subsystem exists the default MessageHandler is
// ChannelRefuser, which answers open_channel, and any other message of types
// 32-255, with an error for its channel id (refuse_channels.go).
//
// A Manager owns the peers: it listens on TCP addresses and Unix socket
// paths, accepts inbound connections, connects out (Connect), keeps one
// connection per node (a newer connection replaces the older one), and
// reconnects with exponential back-off to the peers marked persistent.
//
// Errors carry their protocol action: a *ProtocolError ends the connection,
// after sending a warning when it has one. The sentinels of errors.go are
// checked with errors.Is.
//
// Layer L2: goroutines, sockets and timers are allowed here; every goroutine
// ends when its Manager is closed or its context is cancelled, and the logger
// is injected. It imports transport, noise and lnwire; it must not import
// config, channel, gossip, node, rpc, daemon or store packages, nor hold the node's private key (the handshake
// reaches it through noise.LocalKey).
package peer
