package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/noise"
)

// exchange sends one message each way; net.Pipe is synchronous, so the
// writes run in their own goroutines.
func exchange(t *testing.T, a, b *Conn, msg []byte) {
	t.Helper()
	for _, dir := range []struct{ from, to *Conn }{{a, b}, {b, a}} {
		errc := make(chan error, 1)
		go func() { errc <- dir.from.WriteMessage(msg) }()
		got, err := dir.to.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("received %d bytes, sent %d", len(got), len(msg))
		}
	}
}

// isClosed reports whether err comes from using a closed connection.
func isClosed(err error) bool {
	return errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed)
}

func TestHandshakeBothWays(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	roles := []struct {
		name                 string
		initiator, responder testKey
	}{
		{"alice dials bob", alice, bob},
		{"bob dials alice", bob, alice},
	}
	for _, l := range links {
		for _, role := range roles {
			t.Run(l.name+"/"+role.name, func(t *testing.T) {
				dialed, accepted := linkHandshake(t, l, role.initiator, role.responder, role.responder.PubKey())
				if dialed.err != nil || accepted.err != nil {
					t.Fatalf("dial %v, accept %v", dialed.err, accepted.err)
				}
				if !dialed.conn.RemotePub().IsEqual(role.responder.PubKey()) {
					t.Fatal("initiator sees the wrong remote key")
				}
				if !accepted.conn.RemotePub().IsEqual(role.initiator.PubKey()) {
					t.Fatal("responder learned the wrong remote key")
				}
				if dialed.conn.LocalAddr().String() != accepted.conn.RemoteAddr().String() ||
					dialed.conn.RemoteAddr().String() != accepted.conn.LocalAddr().String() {
					t.Fatal("addresses of the two ends do not match")
				}
				exchange(t, dialed.conn, accepted.conn, []byte("init"))
				exchange(t, dialed.conn, accepted.conn, nil)
				exchange(t, dialed.conn, accepted.conn, bytes.Repeat([]byte{7}, noise.MaxMessageSize))
				for i := range 1100 { // crosses key rotations both ways
					exchange(t, dialed.conn, accepted.conn, []byte{byte(i), byte(i >> 8)})
				}
			})
		}
	}
}

// Dial by address, over a real TCP listener.
func TestDialAddress(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	ctx := testContext(t)
	done := make(chan result, 1)
	go func() {
		raw, err := listener.Accept()
		if err != nil {
			done <- result{nil, err}
			return
		}
		c, err := Accept(ctx, raw, bob)
		done <- result{c, err}
	}()
	dialed, err := Dial(ctx, listener.Addr().String(), alice, bob.PubKey())
	if err != nil {
		t.Fatal(err)
	}
	defer dialed.Close()
	accepted := <-done
	if accepted.err != nil {
		t.Fatal(accepted.err)
	}
	defer accepted.conn.Close()
	if !accepted.conn.RemotePub().IsEqual(alice.PubKey()) || !dialed.RemotePub().IsEqual(bob.PubKey()) {
		t.Fatal("wrong remote keys")
	}
	if dialed.RemoteAddr().String() != listener.Addr().String() {
		t.Fatalf("dialed %v, listener at %v", dialed.RemoteAddr(), listener.Addr())
	}
	exchange(t, dialed, accepted.conn, []byte("hello"))
}

func TestDialRefusedAddress(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	listener.Close()
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	if _, err := Dial(testContext(t), address, alice, bob.PubKey()); err == nil {
		t.Fatal("dial to a closed port succeeded")
	}
}

// The initiator expects carol but reaches bob: bob's act one MAC check fails
// and he hangs up without a word; alice sees the connection close.
func TestWrongExpectedKey(t *testing.T) {
	alice, bob, carol := newTestKey(t, 0x11), newTestKey(t, 0x21), newTestKey(t, 0x31)
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			dialed, accepted := linkHandshake(t, l, alice, bob, carol.PubKey())
			if !errors.Is(accepted.err, ErrHandshakeFailed) || !errors.Is(accepted.err, noise.ErrBadMAC) {
				t.Fatalf("accept: %v, want a handshake failure on the act one MAC", accepted.err)
			}
			var hsErr *noise.HandshakeError
			if !errors.As(accepted.err, &hsErr) || hsErr.Act != 1 {
				t.Fatalf("accept: %v, want act 1", accepted.err)
			}
			if !errors.Is(dialed.err, ErrHandshakeFailed) || !errors.Is(dialed.err, io.EOF) {
				t.Fatalf("dial: %v, want a handshake failure on EOF", dialed.err)
			}
		})
	}
}

// garbagePeer plays the other side of a handshake: it reads readFirst bytes,
// then writes garbage, then either hangs up or reads until the connection
// closes.
func garbagePeer(conn net.Conn, readFirst int, garbage []byte, hangUp bool) {
	go func() {
		defer conn.Close()
		if _, err := io.ReadFull(conn, make([]byte, readFirst)); err != nil {
			return
		}
		if _, err := conn.Write(garbage); err != nil || hangUp {
			return
		}
		io.Copy(io.Discard, conn)
	}()
}

func TestHandshakeGarbage(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	validKey := bob.PubKey().SerializeCompressed()
	badTag := append(append([]byte{0}, validKey...), make([]byte, noise.MACSize)...)
	tests := []struct {
		name      string
		initiator bool // our side dials; otherwise it accepts
		readFirst int
		garbage   []byte
		hangUp    bool
		want      error
	}{
		{"accept: unknown version", false, 0, bytes.Repeat([]byte{0xff}, noise.ActOneSize), false, noise.ErrUnknownVersion},
		{"accept: not a point", false, 0, append([]byte{0, 0x04}, make([]byte, noise.ActOneSize-2)...), false, noise.ErrBadPubKey},
		{"accept: bad MAC", false, 0, badTag, false, noise.ErrBadMAC},
		{"accept: short act one then EOF", false, 0, []byte{0, 2, 3}, true, io.ErrUnexpectedEOF},
		{"dial: unknown version", true, noise.ActOneSize, bytes.Repeat([]byte{0x01}, noise.ActTwoSize), false, noise.ErrUnknownVersion},
		{"dial: bad MAC", true, noise.ActOneSize, badTag, false, noise.ErrBadMAC},
		{"dial: nothing then EOF", true, noise.ActOneSize, nil, true, io.EOF},
	}
	for _, l := range links {
		for _, tc := range tests {
			t.Run(l.name+"/"+tc.name, func(t *testing.T) {
				ours, theirs := l.connect(t)
				garbagePeer(theirs, tc.readFirst, tc.garbage, tc.hangUp)
				var err error
				if tc.initiator {
					_, err = DialConn(testContext(t), ours, alice, bob.PubKey())
				} else {
					_, err = Accept(testContext(t), ours, bob)
				}
				if !errors.Is(err, ErrHandshakeFailed) || !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want ErrHandshakeFailed wrapping %v", err, tc.want)
				}
				// The connection was closed on failure.
				if _, err := ours.Write([]byte{1}); !isClosed(err) {
					t.Fatalf("conn still open after a failed handshake: %v", err)
				}
			})
		}
	}
}

func TestHandshakeDeadline(t *testing.T) {
	bob := newTestKey(t, 0x21)
	ours, theirs := net.Pipe()
	defer theirs.Close() // the peer never says anything
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Accept(ctx, ours, bob)
	if !errors.Is(err, ErrHandshakeFailed) {
		t.Fatalf("got %v, want ErrHandshakeFailed", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
}

func TestHandshakeTimeoutFromConfig(t *testing.T) {
	bob := newTestKey(t, 0x21)
	ours, theirs := net.Pipe()
	defer theirs.Close()
	cfg := DefaultConfig()
	cfg.HandshakeTimeout = 30 * time.Millisecond
	_, err := cfg.Accept(context.Background(), ours, bob)
	if !errors.Is(err, ErrHandshakeFailed) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want the configured deadline to expire", err)
	}
}

// Cancelling the context interrupts a handshake blocked on the peer.
func TestHandshakeCancelled(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	ours, theirs := net.Pipe()
	defer theirs.Close()
	ctx, cancel := context.WithCancel(testContext(t))
	go func() {
		// Take act one, then cancel instead of answering.
		io.ReadFull(theirs, make([]byte, noise.ActOneSize))
		cancel()
	}()
	_, err := DialConn(ctx, ours, alice, bob.PubKey())
	if !errors.Is(err, ErrHandshakeFailed) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a cancelled handshake", err)
	}
}

func TestHandshakeAlreadyCancelled(t *testing.T) {
	ours, theirs := net.Pipe()
	defer theirs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Accept(ctx, ours, newTestKey(t, 0x21))
	if !errors.Is(err, ErrHandshakeFailed) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a cancelled handshake", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"zero", Config{}, false},
		{"no timeout", Config{Rand: DefaultConfig().Rand}, false},
		{"no randomness", Config{HandshakeTimeout: time.Second}, false},
	}
	for _, tc := range tests {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
	}
	ours, theirs := net.Pipe()
	defer theirs.Close()
	if _, err := (Config{}).Accept(testContext(t), ours, newTestKey(t, 1)); !errors.Is(err, ErrHandshakeFailed) {
		t.Fatalf("accept with an invalid config: %v", err)
	}
}
