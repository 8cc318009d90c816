package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/noise"
)

var (
	// ErrMessageTooLarge refuses a write of more than noise.MaxMessageSize
	// bytes; nothing is sent and the connection stays usable.
	ErrMessageTooLarge = noise.ErrMessageTooLarge
	// ErrMACFailure reports an incoming frame that failed authentication.
	// The connection is closed and every later read fails.
	ErrMACFailure = errors.New("transport: incoming message failed authentication; connection closed")
)

// keptWriteBuffer is the largest write buffer a Conn keeps between writes;
// larger frames get a fresh buffer so that idle peers stay small.
const keptWriteBuffer = 4096

// Conn is an established BOLT #8 connection. ReadMessage and WriteMessage
// may be called from two goroutines at once (one reader, one writer); each is
// also serialised against itself.
type Conn struct {
	conn   net.Conn
	remote *btcec.PublicKey

	readMu  sync.Mutex
	receive *noise.ReceiveCipher
	header  [noise.LengthHeaderSize]byte
	readErr error // sticky: the stream cannot be read any more

	writeMu  sync.Mutex
	send     *noise.SendCipher
	writeBuf []byte
	writeErr error // sticky: the stream cannot be written any more

	closeOnce sync.Once
	closeErr  error
}

func newConn(conn net.Conn, session *noise.Session) *Conn {
	return &Conn{conn: conn, remote: session.RemoteStatic, receive: session.Receive, send: session.Send}
}

// RemotePub returns the authenticated node key of the remote peer.
func (c *Conn) RemotePub() *btcec.PublicKey { return c.remote }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// SetReadDeadline bounds future ReadMessage calls. A read that times out
// before any byte of a frame arrived can be retried; one that times out in
// the middle of a frame breaks the connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline bounds future WriteMessage calls. Any failed write,
// including a timeout, breaks the connection: the frame's nonces are spent.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// Close closes the underlying connection. It is safe to call more than once.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.conn.Close() })
	return c.closeErr
}

// ReadMessage reads and decrypts the next Lightning message. The returned
// slice belongs to the caller.
func (c *Conn) ReadMessage() ([]byte, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if c.readErr != nil {
		return nil, c.readErr
	}
	// BOLT #8: "Read exactly 18 bytes from the network buffer."
	n, err := io.ReadFull(c.conn, c.header[:])
	if err != nil {
		var netErr net.Error
		if n == 0 && errors.As(err, &netErr) && netErr.Timeout() {
			// Nothing of the frame was consumed: the caller may retry.
			return nil, fmt.Errorf("transport: reading message: %w", err)
		}
		return nil, c.failRead(fmt.Errorf("transport: reading message length: %w", err))
	}
	length, err := c.receive.DecryptLength(c.header[:])
	if err != nil {
		return nil, c.failAuthentication(err)
	}
	// BOLT #8: "Read exactly l+16 bytes from the network buffer".
	body := make([]byte, length+noise.MACSize)
	if _, err := io.ReadFull(c.conn, body); err != nil {
		return nil, c.failRead(fmt.Errorf("transport: reading message body: %w", err))
	}
	msg, err := c.receive.DecryptBody(body[:0], body)
	if err != nil {
		return nil, c.failAuthentication(err)
	}
	return msg, nil
}

func (c *Conn) failRead(err error) error {
	c.readErr = err
	return err
}

// failAuthentication closes the connection after a frame failed its MAC.
func (c *Conn) failAuthentication(cause error) error {
	c.readErr = fmt.Errorf("%w: %w", ErrMACFailure, cause)
	c.Close()
	return c.readErr
}

// WriteMessage encrypts msg and writes it as one frame. A message longer
// than noise.MaxMessageSize is refused with ErrMessageTooLarge before
// anything is sent.
func (c *Conn) WriteMessage(msg []byte) error {
	// BOLT #8: "The maximum size of any Lightning message MUST NOT exceed
	// 65535 bytes."
	if len(msg) > noise.MaxMessageSize {
		return fmt.Errorf("transport: write of %d bytes: %w", len(msg), ErrMessageTooLarge)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	frame, err := c.send.Encrypt(c.writeBuf[:0], msg)
	if err != nil {
		// Unreachable after the size check above, but never send
		// anything on a cipher error.
		return fmt.Errorf("transport: %w", err)
	}
	if cap(frame) <= keptWriteBuffer {
		c.writeBuf = frame
	}
	if _, err := c.conn.Write(frame); err != nil {
		c.writeErr = fmt.Errorf("transport: writing message: %w", err)
		return c.writeErr
	}
	return nil
}
