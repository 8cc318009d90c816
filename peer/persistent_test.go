package peer

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/transport"
)

// Alice keeps Bob, a persistent peer, connected: when Bob goes away she
// retries with a doubling delay, and reconnects once he is back.
func TestReconnectAfterRestart(t *testing.T) {
	ctx := testContext(t)
	alice := newTestNode(t, 1, nil)
	bob := newTestNode(t, 2, nil)
	bobAddr := bob.listenTCP(t)

	if err := alice.SetPersistent(bob.id, bobAddr, true); err != nil {
		t.Fatal(err)
	}
	alice.events.wait(t, isEvent(EventConnected, bob.id))

	if err := bob.Close(); err != nil {
		t.Fatal(err)
	}
	alice.events.wait(t, isEvent(EventDisconnected, bob.id))
	// ReconnectMin 20ms doubling up to ReconnectMax 160ms.
	var delays []time.Duration
	for i := 1; i <= 4; i++ {
		e := alice.events.waitCount(t, i, isEvent(EventConnectFailed, bob.id))
		delays = append(delays, e.RetryIn)
	}
	want := []time.Duration{40 * time.Millisecond, 80 * time.Millisecond, 160 * time.Millisecond, 160 * time.Millisecond}
	if !slices.Equal(delays, want) {
		t.Errorf("back-off %v, want %v", delays, want)
	}
	// While Bob is away he is still listed, as not connected.
	if info, ok := alice.Peer(bob.id); !ok || info.Connected {
		t.Errorf("Peer(bob) = %+v, %v; want listed and not connected", info, ok)
	}

	// Bob restarts on the same address.
	bob = newTestNode(t, 2, nil)
	addr, err := net.ResolveTCPAddr("tcp", bobAddr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Listen(ctx, "tcp", addr.String()); err != nil {
		t.Fatal(err)
	}
	alice.events.waitCount(t, 2, isEvent(EventConnected, bob.id))
	if _, err := alice.Ping(ctx, bob.id, 4, 4); err != nil {
		t.Fatalf("ping after the reconnection: %v", err)
	}

	// No longer persistent: a disconnection is final.
	if err := alice.SetPersistent(bob.id, "", false); err != nil {
		t.Fatal(err)
	}
	if err := alice.Disconnect(bob.id, false); err != nil {
		t.Fatal(err)
	}
	if peers := alice.Peers(); len(peers) != 0 {
		t.Errorf("Alice lists %+v after dropping a non-persistent peer", peers)
	}
}

// SetPersistent checks its arguments; marking a connected peer only
// records it, and a later address update is the one dialled after a
// disconnection.
func TestSetPersistent(t *testing.T) {
	ctx := testContext(t)
	alice, bob := newTestNode(t, 1, nil), newTestNode(t, 2, nil)
	aliceAddr := alice.listenTCP(t)
	bobSocket := bob.listenUnix(t)
	if err := alice.SetPersistent(bob.id, "", true); !errors.Is(err, ErrBadAddress) {
		t.Errorf("empty address: %v", err)
	}
	if err := alice.SetPersistent(nil, "x:1", true); !errors.Is(err, ErrBadAddress) {
		t.Errorf("nil id: %v", err)
	}
	if _, err := bob.Connect(ctx, alice.id, aliceAddr); err != nil {
		t.Fatal(err)
	}
	alice.events.wait(t, isEvent(EventConnected, bob.id))
	if err := alice.SetPersistent(bob.id, "127.0.0.1:1", true); err != nil {
		t.Fatal(err)
	}
	if err := alice.SetPersistent(bob.id, bobSocket, true); err != nil { // address update
		t.Fatal(err)
	}
	// Bob hangs up; Alice dials him back, at the updated address.
	if err := bob.Disconnect(alice.id, false); err != nil {
		t.Fatal(err)
	}
	e := alice.events.waitCount(t, 2, isEvent(EventConnected, bob.id))
	if e.Info.Direction != Outbound || len(e.Info.NetAddr) != 1 || e.Info.NetAddr[0] != bobSocket {
		t.Errorf("reconnected %s to %v, want outbound to %s", e.Info.Direction, e.Info.NetAddr, bobSocket)
	}
}

// Outbound: a node that accepts the TCP connection and never answers the
// handshake is given up after HandshakeTimeout; cancelling the context
// stops a connection attempt at once.
func TestOutboundHandshakeTimeout(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	alice := newTestNode(t, 1, func(c *Config) { c.HandshakeTimeout = 100 * time.Millisecond })
	bob := testKey(t, 2).PubKey()

	start := time.Now()
	_, err = alice.Connect(testContext(t), bob, silent.Addr().String())
	if !errors.Is(err, transport.ErrHandshakeFailed) {
		t.Fatalf("got %v, want ErrHandshakeFailed", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("gave up after %v", elapsed)
	}

	ctx, cancel := context.WithCancel(testContext(t))
	alice2 := newTestNode(t, 1, nil) // default 30s handshake timeout
	done := make(chan error, 1)
	go func() {
		_, err := alice2.Connect(ctx, bob, silent.Addr().String())
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Connect: %v, want context.Canceled", err)
	}
}

// The keep-alive, in a bubble of fake time: a peer that answers pings
// stays; one that does not is dropped PongTimeout after the ping, and not
// before.
func TestKeepAlive(t *testing.T) {
	const interval, timeout = time.Minute, 30 * time.Second
	for _, answers := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			p, conn, _ := newFakePeer(t, func(c *Config) {
				c.PingInterval = interval
				c.PongTimeout = timeout
			})
			remoteDone := make(chan struct{})
			go func() { // the remote node
				defer close(remoteDone)
				for {
					select {
					case raw := <-conn.written:
						msg, err := lnwire.ReadMessage(raw)
						if err != nil {
							t.Error(err)
							return
						}
						if ping, ok := msg.(*lnwire.Ping); ok && answers {
							pong := mustEncode(t, &lnwire.Pong{Ignored: make([]byte, ping.NumPongBytes)})
							select {
							case conn.in <- pong:
							case <-conn.closed:
								return
							}
						}
					case <-conn.closed:
						return
					}
				}
			}()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			start := time.Now()
			p.start(ctx)

			if answers {
				time.Sleep(10 * interval)
				synctest.Wait()
				if err := p.Err(); err != nil {
					t.Fatalf("a responsive peer was dropped: %v", err)
				}
				p.Disconnect()
			} else {
				<-p.Done()
				if !errors.Is(p.Err(), ErrPongTimeout) {
					t.Fatalf("dropped with %v, want ErrPongTimeout", p.Err())
				}
				if elapsed := time.Since(start); elapsed != interval+timeout {
					t.Errorf("dropped after %v, want %v", elapsed, interval+timeout)
				}
			}
			p.wait()
			<-remoteDone
		})
	}
}

// Closing the context a peer runs under ends it.
func TestPeerStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _, _ := newFakePeer(t, nil)
		ctx, cancel := context.WithCancelCause(context.Background())
		p.start(ctx)
		cancel(ErrManagerClosed)
		<-p.Done()
		p.wait()
		if !errors.Is(p.Err(), ErrManagerClosed) {
			t.Errorf("ended with %v", p.Err())
		}
		if _, err := p.Ping(context.Background(), 1, 1); !errors.Is(err, ErrNotConnected) {
			t.Errorf("ping after the end: %v, want ErrNotConnected", err)
		}
	})
}
