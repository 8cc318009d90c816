package transport

import (
	"context"
	"crypto/sha256"
	"net"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/noise"
	"github.com/fulmen-ln/fulmen/signer"
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

// link makes a connected pair of net.Conns: the client end dials, the server
// end accepts.
type link struct {
	name    string
	connect func(t testing.TB) (client, server net.Conn)
}

// links are the two kinds of connection every behaviour is tested over.
var links = []link{
	{"pipe", func(testing.TB) (net.Conn, net.Conn) { return net.Pipe() }},
	{"tcp", loopbackTCP},
}

// loopbackTCP returns both ends of a real TCP connection on 127.0.0.1.
func loopbackTCP(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, err := listener.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- conn
	}()
	client, err := net.Dial("tcp", listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server := <-accepted
	if server == nil {
		t.Fatal("loopback accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// linkHandshake runs DialConn on the client end of l and Accept on the server
// end.
func linkHandshake(t testing.TB, l link, initiator, responder testKey, expected *btcec.PublicKey) (dialed, accepted result) {
	t.Helper()
	ctx := testContext(t)
	client, server := l.connect(t)
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

// pipeHandshake is linkHandshake over a net.Pipe.
func pipeHandshake(t testing.TB, initiator, responder testKey, expected *btcec.PublicKey) (dialed, accepted result) {
	t.Helper()
	return linkHandshake(t, links[0], initiator, responder, expected)
}

// connectedPair returns two established Conns over l.
func connectedPair(t testing.TB, l link) (*Conn, *Conn) {
	t.Helper()
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	dialed, accepted := linkHandshake(t, l, alice, bob, bob.PubKey())
	if dialed.err != nil || accepted.err != nil {
		t.Fatalf("handshake: dial %v, accept %v", dialed.err, accepted.err)
	}
	return dialed.conn, accepted.conn
}

// The signer's node-key client is what production passes as the local key.
var _ noise.LocalKey = signer.NodeECDH{}
