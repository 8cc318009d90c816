package transport

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/noise"
)

// A frame that fails its MAC is fatal: the error is typed, the connection is
// closed, and the error sticks.
func TestGarbageFrameIsFatal(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			ctx := testContext(t)
			rawClient, server := l.connect(t)
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
			if err := accepted.conn.WriteMessage([]byte("x")); !isClosed(err) {
				t.Fatalf("write after MAC failure: %v, want a closed connection", err)
			}
		})
	}
}

func TestOversizedWriteRefused(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			a, b := connectedPair(t, l)
			err := a.WriteMessage(make([]byte, noise.MaxMessageSize+1))
			if !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("got %v, want ErrMessageTooLarge", err)
			}
			// Nothing was sent and the connection is intact.
			exchange(t, a, b, make([]byte, noise.MaxMessageSize))
		})
	}
}

// A read that times out before any byte arrived can be retried.
func TestReadTimeoutIsRecoverable(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			a, b := connectedPair(t, l)
			if err := b.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			if _, err := b.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("got %v, want a deadline error", err)
			}
			if err := b.SetReadDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			exchange(t, a, b, []byte("still here"))
		})
	}
}

// A read that times out in the middle of a frame breaks the connection.
func TestReadTimeoutMidFrameIsFatal(t *testing.T) {
	alice, bob := newTestKey(t, 0x11), newTestKey(t, 0x21)
	ctx := testContext(t)
	rawClient, server := links[0].connect(t)
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
	go rawClient.Write([]byte{1, 2, 3}) // part of a header, then silence
	if err := accepted.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := accepted.conn.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if err := accepted.conn.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	// The stream is out of step now: the failure sticks without blocking.
	if _, err := accepted.conn.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("second read: %v, want the sticky failure", err)
	}
}

// One reader and one writer goroutine per side, all at once (run with -race).
func TestConcurrentReadAndWrite(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			a, b := connectedPair(t, l)
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
		})
	}
}

// Two writers at once on the same Conn never interleave their frames.
func TestConcurrentWriters(t *testing.T) {
	a, b := connectedPair(t, links[1])
	const perWriter = 300
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				if err := a.WriteMessage(bytes.Repeat([]byte{byte(w)}, 700)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 2 * perWriter {
		msg, err := b.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) != 700 || !bytes.Equal(msg, bytes.Repeat(msg[:1], 700)) {
			t.Fatal("frames interleaved")
		}
	}
	wg.Wait()
}

func TestCloseIsIdempotent(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			a, b := connectedPair(t, l)
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			if err := a.Close(); err != nil {
				t.Fatalf("second close: %v", err)
			}
			if _, err := b.ReadMessage(); !errors.Is(err, io.EOF) {
				t.Fatalf("peer read after close: %v, want EOF", err)
			}
			if err := a.WriteMessage([]byte("x")); !isClosed(err) {
				t.Fatalf("write after close: %v", err)
			}
		})
	}
}
