package transport

import (
	"context"
	"crypto/sha256"
	"net"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// testKey is the simple noise.LocalKey the tests use: it holds the private
// key the signer would hold in production.
type testKey struct{ priv *btcec.PrivateKey }

func newTestKey(t testing.TB, seed byte) testKey {
	t.Helper()
	var b [32]byte
	for i := range b {
		b[i] = seed
	}
	priv, _ := btcec.PrivKeyFromBytes(b[:])
	return testKey{priv}
}

func (k testKey) PubKey() *btcec.PublicKey { return k.priv.PubKey() }

func (k testKey) ECDH(remote *btcec.PublicKey) ([32]byte, error) {
	var point, shared btcec.JacobianPoint
	remote.AsJacobian(&point)
	btcec.ScalarMultNonConst(&k.priv.Key, &point, &shared)
	shared.ToAffine()
	return sha256.Sum256(btcec.NewPublicKey(&shared.X, &shared.Y).SerializeCompressed()), nil
}

type result struct {
	conn *Conn
	err  error
}

// testContext bounds every test so that a bug fails instead of hanging.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pipeHandshake runs Dial on one end of a net.Pipe and Accept on the other.
func pipeHandshake(t testing.TB, initiator, responder testKey, expected *btcec.PublicKey) (dialed, accepted result) {
	t.Helper()
	ctx := testContext(t)
	client, server := net.Pipe()
	done := make(chan result, 1)
	go func() {
		c, err := Accept(ctx, server, responder)
		done <- result{c, err}
	}()
	c, err := DialConn(ctx, client, initiator, expected)
	dialed = result{c, err}
	accepted = <-done
	for _, r := range []result{dialed, accepted} {
		if r.conn != nil {
			t.Cleanup(func() { r.conn.Close() })
		}
	}
	return dialed, accepted
}

// connectedPair returns two established Conns over a net.Pipe.
func connectedPair(t testing.TB) (*Conn, *Conn) {
	t.Helper()
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	dialed, accepted := pipeHandshake(t, alice, bob, bob.PubKey())
	if dialed.err != nil || accepted.err != nil {
		t.Fatalf("handshake: dial %v, accept %v", dialed.err, accepted.err)
	}
	return dialed.conn, accepted.conn
}
