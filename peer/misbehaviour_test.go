package peer

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/noise"
	"github.com/fulmen-ln/fulmen/transport"
)

// misbehaviour is one way a remote node breaks the rules, and the reaction
// it must get.
type misbehaviour struct {
	name string
	// run misbehaves against bob at address as node seed, checking what
	// the client sees.
	run func(t *testing.T, seed byte, address string, bob *btcec.PublicKey)
	// wantReason is the reason Bob gives when the client was a registered
	// peer (init done); nil if the connection never got that far or
	// stays up.
	wantReason error
}

var misbehaviours = []misbehaviour{
	{
		name: "garbage before the handshake",
		run: func(t *testing.T, _ byte, address string, _ *btcec.PublicKey) {
			conn, err := net.Dial("tcp", address)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.Write(bytes.Repeat([]byte{0xff}, noise.ActOneSize))
			// BOLT #8: on a bad act one the responder "MUST terminate the
			// connection without any further messages".
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, err := conn.Read(make([]byte, 100))
			if n != 0 || !isClosedErr(err) {
				t.Fatalf("read %d bytes, %v; want the connection closed without a reply", n, err)
			}
		},
	},
	{
		name: "wrong expected key",
		run: func(t *testing.T, seed byte, address string, _ *btcec.PublicKey) {
			wrong := testKey(t, 0xee).PubKey()
			_, err := dialRaw(t, seed, address, wrong)
			if !errors.Is(err, transport.ErrHandshakeFailed) {
				t.Fatalf("handshake against the wrong key: %v, want ErrHandshakeFailed", err)
			}
		},
	},
	{
		name: "garbage after the handshake",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.exchangeInit()
			// Bytes that are not a frame: the length MAC fails. BOLT #8:
			// "If this is a MAC check failure: MUST terminate the
			// connection." Nothing more can be said on a broken stream.
			c.wire.Conn.Write(bytes.Repeat([]byte{0xab}, noise.LengthHeaderSize))
			c.expectClose()
		},
		wantReason: transport.ErrMACFailure,
	},
	{
		name: "a frame cut short, then silence",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.exchangeInit()
			// A frame of the largest size, 65535 bytes (the length
			// prefix cannot say more), is fine.
			c.send(&lnwire.UnknownMessage{Type: 0x8001, Payload: make([]byte, lnwire.MaxMessageSize-2)})
			c.send(&lnwire.Ping{NumPongBytes: 3})
			if msg, err := c.read(); err != nil || msg.MsgType() != lnwire.MsgPong {
				t.Fatalf("after a maximum-size frame: %v, %v; want a pong", msg, err)
			}
			// The next one announces 65535 bytes and sends 100: Bob's
			// reader waits, but the keep-alive drops the peer.
			c.wire.truncateNextWrite(noise.LengthHeaderSize + 100)
			c.send(&lnwire.UnknownMessage{Type: 0x8001, Payload: make([]byte, lnwire.MaxMessageSize-2)})
			c.expectClose()
		},
		wantReason: ErrPongTimeout,
	},
	{
		name: "non-init first message",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.send(&lnwire.Ping{NumPongBytes: 1})
			// Bob's own init went out at once; then the connection ends
			// with no warning, since BOLT #1 says the receiving node "MUST
			// wait to receive init before sending any other messages".
			c.expectInit()
			c.expectClose()
		},
	},
	{
		name: "unknown even feature bit",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			features := DefaultFeatures()
			features.Set(100)
			c.sendInit(features)
			c.expectInit()
			c.expectWarningThenClose("unknown required feature bits: 100")
		},
	},
	{
		name: "feature dependency missing",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.sendInit(lnwire.NewFeatureVector(lnwire.ZeroConfOptional))
			c.expectInit()
			c.expectWarningThenClose("option_zeroconf (bit 51) needs option_scid_alias")
		},
	},
	{
		name: "no common chain",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			networks := []lnwire.ChainHash{{0x6f}}
			init := &lnwire.Init{GlobalFeatures: []byte{}, Features: DefaultFeatures().Encode()}
			init.TLVs.Networks = &networks
			c.send(init)
			c.expectInit()
			c.expectWarningThenClose("no common chain")
		},
	},
	{
		name: "unknown even message",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.exchangeInit()
			c.sendRaw([]byte{0x80, 0x00, 0x01, 0x02})
			c.expectWarningThenClose("unknown even message type 32768")
		},
		wantReason: ErrUnknownEvenMessage,
	},
	{
		name: "malformed known message",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.exchangeInit()
			// ping whose byteslen says 8 but carries 1 byte
			c.sendRaw([]byte{0x00, 0x12, 0x00, 0x04, 0x00, 0x08, 0x00})
			c.expectWarningThenClose("malformed message")
		},
		wantReason: ErrMalformedMessage,
	},
	{
		name: "init never sent",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.expectInit()
			c.expectClose() // after the init timeout
		},
	},
	{
		name: "handshake never started",
		run: func(t *testing.T, _ byte, address string, _ *btcec.PublicKey) {
			conn, err := net.Dial("tcp", address)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, err := conn.Read(make([]byte, 100))
			if n != 0 || !isClosedErr(err) {
				t.Fatalf("read %d bytes, %v; want the connection closed after the handshake timeout", n, err)
			}
		},
	},
	{
		name: "open_channel is refused, the connection stays",
		run: func(t *testing.T, seed byte, address string, bob *btcec.PublicKey) {
			c := mustDialRaw(t, seed, address, bob)
			c.exchangeInit()
			temporary := lnwire.ChannelID{0x42, 0x42}
			c.send(&lnwire.OpenChannel{ChainHash: regtest, TemporaryChannelID: temporary, FundingSatoshis: 100000})
			msg, err := c.read()
			if err != nil {
				t.Fatal(err)
			}
			e, ok := msg.(*lnwire.Error)
			if !ok || e.ChannelID != temporary || string(e.Data) != RefuseOpenText {
				t.Fatalf("got %#v, want an error for the temporary channel id", msg)
			}
			c.send(&lnwire.Ping{NumPongBytes: 2})
			if msg, err := c.read(); err != nil || msg.MsgType() != lnwire.MsgPong {
				t.Fatalf("after the refusal: %v, %v; want a pong", msg, err)
			}
		},
	},
}

func mustDialRaw(t *testing.T, seed byte, address string, remote *btcec.PublicKey) *rawClient {
	t.Helper()
	c, err := dialRaw(t, seed, address, remote)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every misbehaving peer gets the BOLT reaction, while Carol, a
// well-behaved peer of the same node, keeps working.
func TestMisbehavingPeers(t *testing.T) {
	ctx := testContext(t)
	short := func(c *Config) {
		c.HandshakeTimeout = 300 * time.Millisecond
		c.InitTimeout = 300 * time.Millisecond
		c.PingInterval = 200 * time.Millisecond
		c.PongTimeout = 200 * time.Millisecond
	}
	bob := newTestNode(t, 2, short)
	bobAddr := bob.listenTCP(t)
	carol := newTestNode(t, 3, short)
	if _, err := carol.Connect(ctx, bob.id, bobAddr); err != nil {
		t.Fatal(err)
	}
	bob.events.wait(t, isEvent(EventConnected, carol.id))
	for i, mb := range misbehaviours {
		t.Run(mb.name, func(t *testing.T) {
			seed := byte(0x40 + i)
			mallory := testKey(t, seed).PubKey()
			mb.run(t, seed, bobAddr, bob.id)
			if mb.wantReason != nil {
				e := bob.events.wait(t, isEvent(EventDisconnected, mallory))
				if !errors.Is(e.Err, mb.wantReason) {
					t.Errorf("Bob dropped the peer with %v, want %v", e.Err, mb.wantReason)
				}
			}
			if _, err := bob.Ping(ctx, carol.id, 16, 16); err != nil {
				t.Fatalf("Carol stopped working: %v", err)
			}
			if info, ok := bob.Peer(carol.id); !ok || !info.Connected {
				t.Fatal("Bob lost Carol")
			}
		})
	}
	// Carol's connection is the first and only one she had.
	carol.events.mu.Lock()
	n := len(carol.events.events)
	carol.events.mu.Unlock()
	if n != 1 {
		t.Errorf("Carol saw %d events, want only her connection", n)
	}
}

// A peer that sends error: the event says which channels to fail, and the
// connection stays.
func TestErrorReceivedIsReported(t *testing.T) {
	ctx := testContext(t)
	alice, bob := newTestNode(t, 1, nil), newTestNode(t, 2, nil)
	if _, err := alice.Connect(ctx, bob.id, bob.listenTCP(t)); err != nil {
		t.Fatal(err)
	}
	p, ok := alice.Handle(bob.id)
	if !ok {
		t.Fatal("no handle")
	}
	channel := lnwire.ChannelID{9}
	for _, msg := range []lnwire.Message{
		&lnwire.Error{Data: []byte("all gone")},
		&lnwire.Error{ChannelID: channel, Data: []byte("this one")},
		&lnwire.Warning{Data: []byte("careful\x00")},
	} {
		if err := p.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	all := bob.events.wait(t, func(e Event) bool { return e.Kind == EventErrorReceived && e.AllChannels })
	if all.Message != "all gone" || !all.Info.ID.IsEqual(alice.id) {
		t.Errorf("event %+v", all)
	}
	one := bob.events.wait(t, func(e Event) bool { return e.Kind == EventErrorReceived && !e.AllChannels })
	if one.ChannelID != channel || one.Message != "this one" {
		t.Errorf("event %+v", one)
	}
	warning := bob.events.wait(t, isEvent(EventWarningReceived, alice.id))
	if warning.Message != "hex:6361726566756c00" {
		t.Errorf("non-printable warning shown as %q", warning.Message)
	}
	if _, err := bob.Ping(ctx, alice.id, 1, 1); err != nil {
		t.Errorf("connection did not survive an error: %v", err)
	}
}
