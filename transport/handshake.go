package transport

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/noise"
)

// ErrHandshakeFailed wraps every failure of the BOLT #8 handshake.
var ErrHandshakeFailed = errors.New("transport: handshake failed")

// DefaultHandshakeTimeout bounds the three acts when the context has no
// earlier deadline.
const DefaultHandshakeTimeout = 30 * time.Second

// Config tunes the handshake. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// HandshakeTimeout bounds the whole handshake. A context deadline
	// that comes earlier wins.
	HandshakeTimeout time.Duration
	// Rand is the source of the ephemeral keys; BOLT #8 requires "strong
	// cryptographic randomness".
	Rand io.Reader
}

// DefaultConfig returns a 30-second handshake timeout and crypto/rand.
func DefaultConfig() Config {
	return Config{HandshakeTimeout: DefaultHandshakeTimeout, Rand: rand.Reader}
}

// Validate reports a missing or nonsensical setting.
func (c Config) Validate() error {
	if c.HandshakeTimeout <= 0 {
		return fmt.Errorf("transport: handshake timeout %v must be positive", c.HandshakeTimeout)
	}
	if c.Rand == nil {
		return errors.New("transport: no random source")
	}
	return nil
}

// Dial connects over TCP to address and runs the handshake as initiator with
// DefaultConfig, expecting the node key remote.
func Dial(ctx context.Context, address string, local noise.LocalKey, remote *btcec.PublicKey) (*Conn, error) {
	return DefaultConfig().Dial(ctx, address, local, remote)
}

// DialConn runs the handshake as initiator over an established conn with
// DefaultConfig. On failure conn is closed.
func DialConn(ctx context.Context, conn net.Conn, local noise.LocalKey, remote *btcec.PublicKey) (*Conn, error) {
	return DefaultConfig().DialConn(ctx, conn, local, remote)
}

// Accept runs the handshake as responder over an accepted conn with
// DefaultConfig. On failure conn is closed.
func Accept(ctx context.Context, conn net.Conn, local noise.LocalKey) (*Conn, error) {
	return DefaultConfig().Accept(ctx, conn, local)
}

// Dial connects over TCP to address and runs the handshake as initiator.
func (c Config) Dial(ctx context.Context, address string, local noise.LocalKey, remote *btcec.PublicKey) (*Conn, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, fmt.Errorf("transport: dial %s: %w", address, err)
	}
	return c.DialConn(ctx, conn, local, remote)
}

// DialConn runs the handshake as initiator over conn, expecting the node key
// remote. On failure conn is closed.
func (c Config) DialConn(ctx context.Context, conn net.Conn, local noise.LocalKey, remote *btcec.PublicKey) (*Conn, error) {
	return c.handshake(ctx, conn, func() (*noise.Session, error) {
		return initiate(conn, local, remote, c.Rand)
	})
}

// Accept runs the handshake as responder over conn. The remote node key is
// known once it returns (Conn.RemotePub). On failure conn is closed.
func (c Config) Accept(ctx context.Context, conn net.Conn, local noise.LocalKey) (*Conn, error) {
	return c.handshake(ctx, conn, func() (*noise.Session, error) {
		return respond(conn, local, c.Rand)
	})
}

// longAgo is a deadline in the past, to interrupt blocked I/O.
var longAgo = time.Unix(1, 0)

// handshake runs acts under the handshake deadline and the context, and
// wraps the session in a Conn.
func (c Config) handshake(ctx context.Context, conn net.Conn, acts func() (*noise.Session, error)) (*Conn, error) {
	fail := func(err error) (*Conn, error) {
		conn.Close()
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("%w: %w (%w)", ErrHandshakeFailed, ctxErr, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrHandshakeFailed, err)
	}
	if err := c.Validate(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(c.HandshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return fail(fmt.Errorf("setting the handshake deadline: %w", err))
	}
	// A cancelled context interrupts the blocked read or write.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(longAgo) })
	session, err := acts()
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fail(err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return fail(fmt.Errorf("clearing the handshake deadline: %w", err))
	}
	return newConn(conn, session), nil
}

// initiate runs the initiator's acts over conn.
func initiate(conn net.Conn, local noise.LocalKey, remote *btcec.PublicKey, rand io.Reader) (*noise.Session, error) {
	ephemeral, err := noise.NewEphemeralKey(rand)
	if err != nil {
		return nil, err
	}
	initiator, err := noise.NewInitiator(local, remote, ephemeral)
	if err != nil {
		return nil, err
	}
	actOne, err := initiator.ActOne()
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write(actOne); err != nil {
		return nil, fmt.Errorf("writing act one: %w", err)
	}
	// BOLT #8: "Read exactly 50 bytes from the network buffer."
	actTwo := make([]byte, noise.ActTwoSize)
	if _, err := io.ReadFull(conn, actTwo); err != nil {
		return nil, fmt.Errorf("reading act two: %w", err)
	}
	// BOLT #8: on a bad act two "the initiator MUST terminate the
	// connection without any further messages": the caller closes conn.
	if err := initiator.ReadActTwo(actTwo); err != nil {
		return nil, err
	}
	actThree, session, err := initiator.ActThree()
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write(actThree); err != nil {
		return nil, fmt.Errorf("writing act three: %w", err)
	}
	return session, nil
}

// respond runs the responder's acts over conn.
func respond(conn net.Conn, local noise.LocalKey, rand io.Reader) (*noise.Session, error) {
	ephemeral, err := noise.NewEphemeralKey(rand)
	if err != nil {
		return nil, err
	}
	responder, err := noise.NewResponder(local, ephemeral)
	if err != nil {
		return nil, err
	}
	// BOLT #8: "Read exactly 50 bytes from the network buffer."
	actOne := make([]byte, noise.ActOneSize)
	if _, err := io.ReadFull(conn, actOne); err != nil {
		return nil, fmt.Errorf("reading act one: %w", err)
	}
	// BOLT #8: on a bad act one "the responder MUST terminate the
	// connection without any further messages": the caller closes conn.
	if err := responder.ReadActOne(actOne); err != nil {
		return nil, err
	}
	actTwo, err := responder.ActTwo()
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write(actTwo); err != nil {
		return nil, fmt.Errorf("writing act two: %w", err)
	}
	// BOLT #8: "Read exactly 66 bytes from the network buffer."
	actThree := make([]byte, noise.ActThreeSize)
	if _, err := io.ReadFull(conn, actThree); err != nil {
		return nil, fmt.Errorf("reading act three: %w", err)
	}
	return responder.ReadActThree(actThree)
}
