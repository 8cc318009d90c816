// Package transport runs BOLT #8 over a net.Conn: the three-act handshake
// under a deadline, then framed, encrypted Lightning messages.
//
// Dial / DialConn open the connection as the initiator (they must know the
// remote node key); Accept answers as the responder and learns the remote
// node key from act three. Both return a *Conn whose ReadMessage and
// WriteMessage exchange whole Lightning messages (at most 65535 bytes each).
// One goroutine may read while another writes.
//
// Failures are typed: ErrHandshakeFailed wraps every handshake failure
// (together with the noise package's reason, or the I/O or context error);
// ErrMessageTooLarge refuses an oversized write before anything is sent;
// ErrMACFailure reports a frame that failed authentication, after which the
// connection is closed, as BOLT #8 requires.
//
// The cryptography lives in package noise (L0); this package only moves its
// bytes over the connection. Layer L2: it may use net, time and crypto/rand,
// and must not import any Fulmen package above L0 (peer, node, ...), nor hold
// the node's private key: the static key is reached through noise.LocalKey.
package transport
