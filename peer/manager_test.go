package peer

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/transport"
)

// checkSees checks that n lists other as connected with the default
// features, in the given direction.
func checkSees(t *testing.T, n *testNode, other *btcec.PublicKey, direction Direction) Info {
	t.Helper()
	info, ok := n.Peer(other)
	if !ok || !info.Connected {
		t.Fatalf("peer %x not connected", other.SerializeCompressed())
	}
	if info.Direction != direction {
		t.Errorf("direction %s, want %s", info.Direction, direction)
	}
	if !info.Features.Equal(DefaultFeatures()) {
		t.Errorf("features %s, want the defaults", info.Features)
	}
	if got, want := info.FeaturesHex(), hex.EncodeToString(DefaultFeatures().Encode()); got != want {
		t.Errorf("features hex %q, want %q", got, want)
	}
	if len(info.NetAddr) != 1 || info.NetAddr[0] == "" {
		t.Errorf("netaddr %v, want the remote address", info.NetAddr)
	}
	peers := n.Peers()
	if len(peers) != 1 || !peers[0].ID.IsEqual(other) || !peers[0].Connected {
		t.Errorf("Peers() = %+v, want only the other node", peers)
	}
	return info
}

func TestConnectBothWays(t *testing.T) {
	for _, transportKind := range []string{"tcp", "unix"} {
		t.Run(transportKind, func(t *testing.T) {
			ctx := testContext(t)
			alice, bob := newTestNode(t, 1, nil), newTestNode(t, 2, nil)
			listen := func(n *testNode) string {
				if transportKind == "unix" {
					return n.listenUnix(t)
				}
				return n.listenTCP(t)
			}
			aliceAddr, bobAddr := listen(alice), listen(bob)

			// Alice connects to Bob.
			info, err := alice.Connect(ctx, bob.id, bobAddr)
			if err != nil {
				t.Fatal(err)
			}
			if !info.ID.IsEqual(bob.id) || !info.Connected || info.Direction != Outbound {
				t.Errorf("Connect returned %+v", info)
			}
			bob.events.wait(t, isEvent(EventConnected, alice.id))
			checkSees(t, alice, bob.id, Outbound)
			first := checkSees(t, bob, alice.id, Inbound)

			// Connecting again keeps the connection, as Core
			// Lightning's connect does.
			again, err := alice.Connect(ctx, bob.id, bobAddr)
			if err != nil {
				t.Fatal(err)
			}
			if !again.ConnectedAt.Equal(info.ConnectedAt) {
				t.Error("a second Connect opened a new connection")
			}
			if now, _ := bob.Peer(alice.id); !now.ConnectedAt.Equal(first.ConnectedAt) {
				t.Error("Bob sees a new connection")
			}

			// Then the other way round.
			if err := alice.Disconnect(bob.id, false); err != nil {
				t.Fatal(err)
			}
			bob.events.wait(t, isEvent(EventDisconnected, alice.id))
			if peers := alice.Peers(); len(peers) != 0 {
				t.Errorf("Alice still lists %v after Disconnect", peers)
			}
			if _, err := bob.Connect(ctx, alice.id, aliceAddr); err != nil {
				t.Fatal(err)
			}
			alice.events.waitCount(t, 2, isEvent(EventConnected, bob.id))
			checkSees(t, bob, alice.id, Outbound)
			checkSees(t, alice, bob.id, Inbound)

			n, err := alice.Ping(ctx, bob.id, 10, 20)
			if err != nil || n != 2+2+10 {
				t.Errorf("ping over %s: %d, %v; want 14", transportKind, n, err)
			}
		})
	}
}

func TestPing(t *testing.T) {
	ctx := testContext(t)
	alice, bob := newTestNode(t, 1, nil), newTestNode(t, 2, nil)
	if _, err := alice.Connect(ctx, bob.id, bob.listenTCP(t)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		numPongBytes, bytesLen uint16
		want                   int
	}{
		{0, 0, 4},
		{1, 0, 5},
		{100, 7, 104},
		{NoPongThreshold - 1, 0, lnwire.MaxMessageSize},
		{NoPongThreshold, 0, 0}, // no pong asked for
		{65535, MaxPingBytesLen, 0},
	}
	for _, tc := range tests {
		got, err := alice.Ping(ctx, bob.id, tc.numPongBytes, tc.bytesLen)
		if err != nil || got != tc.want {
			t.Errorf("Ping(%d, %d) = %d, %v; want %d", tc.numPongBytes, tc.bytesLen, got, err, tc.want)
		}
	}
	// Several pings in flight at once each get their pong.
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			n, err := alice.Ping(ctx, bob.id, uint16(i%3), 0)
			if err == nil && n != 4+i%3 {
				err = errors.New("pong of the wrong length")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if _, err := alice.Ping(ctx, bob.id, 0, MaxPingBytesLen+1); !errors.Is(err, ErrPingTooLarge) {
		t.Errorf("oversized ping: %v", err)
	}
	stranger := testKey(t, 9).PubKey()
	if _, err := alice.Ping(ctx, stranger, 0, 0); !errors.Is(err, ErrNotConnected) {
		t.Errorf("ping to a stranger: %v, want ErrNotConnected", err)
	}
}

func TestDisconnect(t *testing.T) {
	ctx := testContext(t)
	var channels bool
	alice := newTestNode(t, 1, func(c *Config) {
		c.HasActiveChannels = func(*btcec.PublicKey) bool { return channels }
	})
	bob := newTestNode(t, 2, nil)
	if err := alice.Disconnect(bob.id, true); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Disconnect of a stranger: %v, want ErrNotConnected", err)
	}
	if _, err := alice.Connect(ctx, bob.id, bob.listenTCP(t)); err != nil {
		t.Fatal(err)
	}
	channels = true
	if err := alice.Disconnect(bob.id, false); !errors.Is(err, ErrActiveChannels) {
		t.Errorf("Disconnect with channels: %v, want ErrActiveChannels", err)
	}
	if err := alice.Disconnect(bob.id, true); err != nil {
		t.Fatal(err)
	}
	if _, ok := alice.Peer(bob.id); ok {
		t.Error("peer still listed after Disconnect returned")
	}
	e := alice.events.wait(t, isEvent(EventDisconnected, bob.id))
	if !errors.Is(e.Err, ErrDisconnectRequested) {
		t.Errorf("disconnect reason %v", e.Err)
	}
	e = bob.events.wait(t, isEvent(EventDisconnected, alice.id))
	if !errors.Is(e.Err, ErrConnectionLost) {
		t.Errorf("Bob's reason %v, want ErrConnectionLost", e.Err)
	}
}

// BOLT #1: "Implementations MUST use a single connection per peer": a new
// connection from the same node replaces the older one.
func TestNewConnectionReplacesOlder(t *testing.T) {
	ctx := testContext(t)
	bob := newTestNode(t, 2, nil)
	bobAddr := bob.listenTCP(t)
	alice := newTestNode(t, 1, nil)
	if _, err := alice.Connect(ctx, bob.id, bobAddr); err != nil {
		t.Fatal(err)
	}
	first := bob.events.wait(t, isEvent(EventConnected, alice.id)).Info
	// Alice again, from a second process with the same key.
	aliceAgain := newTestNode(t, 1, nil)
	if _, err := aliceAgain.Connect(ctx, bob.id, bobAddr); err != nil {
		t.Fatal(err)
	}
	e := alice.events.wait(t, isEvent(EventDisconnected, bob.id))
	if !errors.Is(e.Err, ErrConnectionLost) {
		t.Errorf("old connection ended with %v", e.Err)
	}
	e = bob.events.wait(t, isEvent(EventDisconnected, alice.id))
	if !errors.Is(e.Err, ErrReplaced) {
		t.Errorf("Bob closed the old connection with %v, want ErrReplaced", e.Err)
	}
	peers := bob.Peers()
	if len(peers) != 1 || !peers[0].Connected || !peers[0].ConnectedAt.After(first.ConnectedAt) {
		t.Fatalf("Bob lists %+v, want only the newer connection", peers)
	}
	if _, err := aliceAgain.Ping(ctx, bob.id, 1, 1); err != nil {
		t.Errorf("ping over the new connection: %v", err)
	}
}

func TestConnectFailures(t *testing.T) {
	ctx := testContext(t)
	alice, bob := newTestNode(t, 1, nil), newTestNode(t, 2, nil)
	bobAddr := bob.listenTCP(t)
	tests := []struct {
		name    string
		id      *btcec.PublicKey
		address string
		want    error
	}{
		{"wrong node key", testKey(t, 3).PubKey(), bobAddr, transport.ErrHandshakeFailed},
		{"empty address", bob.id, "", ErrBadAddress},
		{"nil id", nil, bobAddr, ErrBadAddress},
		{"ourselves", alice.id, alice.listenTCP(t), ErrSelfConnection},
		{"nothing listening", bob.id, socketPath(t), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alice.Connect(ctx, tc.id, tc.address)
			if err == nil {
				t.Fatal("connected")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if peers := alice.Peers(); len(peers) != 0 {
		t.Errorf("Alice lists %v after failed connections", peers)
	}
	if _, err := alice.Listen(ctx, "tcp", "x.onion:1"); !errors.Is(err, ErrBadAddress) {
		t.Errorf("listening on an onion address: %v", err)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	ctx := testContext(t)
	alice, bob := newTestNode(t, 1, nil), newTestNode(t, 2, nil)
	bobAddr := bob.listenTCP(t)
	if _, err := alice.Connect(ctx, bob.id, bobAddr); err != nil {
		t.Fatal(err)
	}
	if err := alice.SetPersistent(bob.id, bobAddr, true); err != nil {
		t.Fatal(err)
	}
	if err := alice.Close(); err != nil {
		t.Fatal(err)
	}
	e := alice.events.wait(t, isEvent(EventDisconnected, bob.id))
	if !errors.Is(e.Err, ErrManagerClosed) {
		t.Errorf("closed with %v, want ErrManagerClosed", e.Err)
	}
	if _, err := alice.Connect(ctx, bob.id, bobAddr); err == nil {
		t.Error("Connect after Close succeeded")
	}
	if err := alice.SetPersistent(bob.id, bobAddr, true); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("SetPersistent after Close: %v", err)
	}
	if _, err := alice.Listen(ctx, "tcp", "127.0.0.1:0"); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("Listen after Close: %v", err)
	}
}

func TestInfoJSON(t *testing.T) {
	info := Info{Features: DefaultFeatures()}
	b, err := json.Marshal(info.Features)
	if err != nil {
		t.Fatal(err)
	}
	// bits 0, 8, 12, 14, 19, 27, 44: 0x1000_0808_5101 in the features field
	if want := `"100008085101"`; string(b) != want {
		t.Errorf("features marshal to %s, want %s", b, want)
	}
	if got := info.FeaturesHex(); got != "100008085101" {
		t.Errorf("FeaturesHex() = %s", got)
	}
}
