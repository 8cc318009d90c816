package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
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

func TestHandshakeOverPipeBothWays(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	tests := []struct {
		name                 string
		initiator, responder testKey
	}{
		{"alice dials bob", alice, bob},
		{"bob dials alice", bob, alice},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dialed, accepted := pipeHandshake(t, tc.initiator, tc.responder, tc.responder.PubKey())
			if dialed.err != nil || accepted.err != nil {
				t.Fatalf("dial %v, accept %v", dialed.err, accepted.err)
			}
			if !dialed.conn.RemotePub().IsEqual(tc.responder.PubKey()) {
				t.Fatal("initiator sees the wrong remote key")
			}
			if !accepted.conn.RemotePub().IsEqual(tc.initiator.PubKey()) {
				t.Fatal("responder learned the wrong remote key")
			}
			exchange(t, dialed.conn, accepted.conn, []byte("init"))
			exchange(t, dialed.conn, accepted.conn, nil)
		})
	}
}

func TestHandshakeOverTCP(t *testing.T) {
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
	if dialed.RemoteAddr().String() != listener.Addr().String() ||
		accepted.conn.RemoteAddr().String() != dialed.LocalAddr().String() {
		t.Fatalf("addresses do not match: %v %v %v", dialed.RemoteAddr(), accepted.conn.RemoteAddr(), dialed.LocalAddr())
	}
	exchange(t, dialed, accepted.conn, bytes.Repeat([]byte{7}, noise.MaxMessageSize))
	for i := range 1100 { // crosses key rotations in both directions
		exchange(t, dialed, accepted.conn, []byte{byte(i), byte(i >> 8)})
	}
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
	dialed, accepted := pipeHandshake(t, alice, bob, carol.PubKey())
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
		{"accept: bad MAC", false, 0, append(append([]byte{0}, validKey...), make([]byte, 16)...), false, noise.ErrBadMAC},
		{"accept: short act one then EOF", false, 0, []byte{0, 2, 3}, true, io.ErrUnexpectedEOF},
		{"dial: unknown version", true, noise.ActOneSize, bytes.Repeat([]byte{0x01}, noise.ActTwoSize), false, noise.ErrUnknownVersion},
		{"dial: bad MAC", true, noise.ActOneSize, append(append([]byte{0}, validKey...), make([]byte, 16)...), false, noise.ErrBadMAC},
		{"dial: nothing then EOF", true, noise.ActOneSize, nil, true, io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ours, theirs := net.Pipe()
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
			if _, err := ours.Write([]byte{1}); !errors.Is(err, io.ErrClosedPipe) {
				t.Fatalf("conn still open after a failed handshake: %v", err)
			}
		})
	}
}

// A frame that fails its MAC is fatal: the error is typed, the connection is
// closed, and the error sticks.
func TestGarbageFrameIsFatal(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	ctx := testContext(t)
	rawClient, server := net.Pipe()
	done := make(chan result, 1)
	go func() {
		c, err := Accept(ctx, server, bob)
		done <- result{c, err}
	}()
	client, err := DialConn(ctx, rawClient, alice, bob.PubKey())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	accepted := <-done
	if accepted.err != nil {
		t.Fatal(accepted.err)
	}
	// Bypass the cipher: write bytes straight onto the wire.
	go rawClient.Write(bytes.Repeat([]byte{0xab}, noise.LengthHeaderSize))
	_, err = accepted.conn.ReadMessage()
	if !errors.Is(err, ErrMACFailure) || !errors.Is(err, noise.ErrBadMAC) {
		t.Fatalf("got %v, want ErrMACFailure", err)
	}
	if _, again := accepted.conn.ReadMessage(); !errors.Is(again, ErrMACFailure) {
		t.Fatalf("second read: %v, want the same sticky failure", again)
	}
	if err := accepted.conn.WriteMessage([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("write after MAC failure: %v, want a closed connection", err)
	}
}

func TestOversizedWriteRefused(t *testing.T) {
	a, b := connectedPair(t)
	err := a.WriteMessage(make([]byte, noise.MaxMessageSize+1))
	if !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("got %v, want ErrMessageTooLarge", err)
	}
	// Nothing was sent and the connection is intact.
	exchange(t, a, b, make([]byte, noise.MaxMessageSize))
}

// A read that times out before any byte arrived can be retried.
func TestReadTimeoutIsRecoverable(t *testing.T) {
	a, b := connectedPair(t)
	if err := b.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := b.ReadMessage()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if err := b.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	exchange(t, a, b, []byte("still here"))
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

// One reader and one writer goroutine per side, all at once (run with -race).
func TestConcurrentReadAndWrite(t *testing.T) {
	a, b := connectedPair(t)
	const count = 600
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, pair := range []struct{ from, to *Conn }{{a, b}, {b, a}} {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range count {
				if err := pair.from.WriteMessage([]byte{byte(i), byte(i >> 8), 0x5a}); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range count {
				msg, err := pair.to.ReadMessage()
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(msg, []byte{byte(i), byte(i >> 8), 0x5a}) {
					errs <- errors.New("message out of order or corrupted")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	a, b := connectedPair(t)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := b.ReadMessage(); !errors.Is(err, io.EOF) {
		t.Fatalf("peer read after close: %v, want EOF", err)
	}
	if err := a.WriteMessage([]byte("x")); err == nil {
		t.Fatal("write after close succeeded")
	}
}
